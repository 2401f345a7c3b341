/**
 * Settings that take more than one option, from resolved (already typed) values: how
 * a command reaches etcd, and what a replica is (listen addresses, router id, cluster
 * id, name). The rules between options live here; one option's own range lives in
 * the table (options.ts).
 */
import { hostname } from 'node:os';
import { parseEndpoints, type EtcdConnectionOptions } from '@bgp-rr/etcd-store';
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

export function etcdSettings(o: OptionValues<EtcdKey>): EtcdConnectionOptions {
  const endpoints = parseEndpoints(o.etcdEndpoints.join(','));
  if (endpoints.length === 0) throw new ConfigError('--etcd-endpoints: at least one endpoint is needed');
  if ((o.etcdCertFile === undefined) !== (o.etcdKeyFile === undefined)) throw new ConfigError('--etcd-cert-file and --etcd-key-file go together');
  return {
    endpoints,
    ...(o.etcdCaCertFile !== undefined ? { caFile: o.etcdCaCertFile } : {}),
    ...(o.etcdCertFile !== undefined ? { certFile: o.etcdCertFile } : {}),
    ...(o.etcdKeyFile !== undefined ? { keyFile: o.etcdKeyFile } : {}),
  };
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
