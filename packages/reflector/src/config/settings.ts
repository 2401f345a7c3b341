/**
 * Settings that take more than one option, from resolved (already typed) values: how
 * a command reaches etcd, and what a replica is (listen addresses, router id, cluster
 * id, name). The rules between options live here; one option's own range lives in
 * the table (options.ts).
 */
import { hostname } from 'node:os';
import { parseEndpoints, type EtcdConnectionOptions } from '@bgp-rr/etcd-store';
import { SecretsError, checkTlsFiles } from '../daemon/secrets.js';
import type { Endpoint, EtcdKey, OptionValues, ReplicaKey } from './options.js';
import { ConfigError } from './resolve.js';

export interface ReplicaSettings {
  readonly etcd: EtcdConnectionOptions;
  readonly listen: readonly Endpoint[];
  /** Unset: the command derives one from the replica's addresses (config-view.ts). */
  readonly routerId?: string;
  readonly clusterId?: string;
  /** --name, else the host name up to its first dot. */
  readonly name: string;
}

/**
 * How to reach etcd, checked: the TLS options go together (a client certificate and its
 * key, both only with the CA that signed the servers), and the files they name are
 * readable, with safe modes (daemon/secrets.ts). A bad setting is a ConfigError (exit 2):
 * a unit restarted on failure does not loop on it.
 */
export function etcdSettings(o: OptionValues<EtcdKey>): EtcdConnectionOptions {
  const endpoints = parseEndpoints(o.etcdEndpoints.join(',')); // at least one: the options table says so (resolve.ts)
  if ((o.etcdCertFile === undefined) !== (o.etcdKeyFile === undefined)) throw new ConfigError('--etcd-cert-file and --etcd-key-file go together');
  if (o.etcdCertFile !== undefined && o.etcdCaCertFile === undefined) throw new ConfigError('--etcd-cert-file needs --etcd-ca-cert-file (the CA that signed the etcd servers)');
  const etcd = {
    endpoints,
    ...(o.etcdCaCertFile !== undefined ? { caFile: o.etcdCaCertFile } : {}),
    ...(o.etcdCertFile !== undefined ? { certFile: o.etcdCertFile } : {}),
    ...(o.etcdKeyFile !== undefined ? { keyFile: o.etcdKeyFile } : {}),
  };
  try {
    checkTlsFiles(etcd);
  } catch (err) {
    if (err instanceof SecretsError) throw new ConfigError(err.message);
    throw err;
  }
  return etcd;
}

export function replicaSettings(o: OptionValues<ReplicaKey>): ReplicaSettings {
  return {
    etcd: etcdSettings(o),
    listen: o.listen,
    ...(o.routerId !== undefined ? { routerId: o.routerId } : {}),
    ...(o.clusterId !== undefined ? { clusterId: o.clusterId } : {}),
    name: o.name ?? (hostname().split('.')[0] || 'bgp-rr'),
  };
}
