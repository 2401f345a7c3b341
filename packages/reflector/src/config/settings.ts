/**
 * Typed settings from resolved options, validated: what a replica is (listen
 * addresses, router id, cluster id, name) and how it reaches etcd.
 */
import { parseEndpoints, tryParseIp, type EtcdConnectionOptions } from '@bgp-rr/etcd-store';
import { ConfigError, list, str, type Resolved } from './resolve.js';

export interface ListenAddress {
  readonly address: string;
  readonly port: number;
}

export interface ReplicaSettings {
  readonly etcd: EtcdConnectionOptions;
  readonly listen: readonly ListenAddress[];
  readonly routerId?: string;
  readonly clusterId?: string;
  readonly name?: string;
}

/** "10.0.0.1", "10.0.0.1:1179", "::", "fd00::1", "[fd00::1]:179", "[::]:179". */
export function parseListen(text: string): ListenAddress {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const v4 = /^([0-9.]+)(?::(\d+))?$/.exec(text);
  const [addr, port] = bracket ? [bracket[1], bracket[2]] : v4 ? [v4[1], v4[2]] : [text, undefined];
  const ip = tryParseIp(addr ?? '');
  if (ip === undefined || (bracket !== null && ip.family !== 6)) throw new ConfigError(`--listen ${JSON.stringify(text)}: expected ADDR[:PORT], IPv6 as [ADDR]:PORT`);
  const p = port === undefined ? 179 : Number(port);
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw new ConfigError(`--listen ${JSON.stringify(text)}: bad port`);
  return { address: ip.address, port: p };
}

function ipv4(r: Resolved, key: 'routerId' | 'clusterId', flag: string): string | undefined {
  const v = str(r, key);
  if (v === undefined) return undefined;
  const ip = tryParseIp(v);
  if (ip?.family !== 4) throw new ConfigError(`${flag} ${JSON.stringify(v)}: expected an IPv4 dotted quad`);
  return ip.address;
}

export function replicaSettings(r: Resolved): ReplicaSettings {
  const endpoints = parseEndpoints(list(r, 'etcdEndpoints').join(','));
  if (endpoints.length === 0) throw new ConfigError('--etcd-endpoints: at least one endpoint is needed');
  const etcd: EtcdConnectionOptions = {
    endpoints,
    ...(str(r, 'etcdCaCertFile') !== undefined ? { caFile: str(r, 'etcdCaCertFile') } : {}),
    ...(str(r, 'etcdCertFile') !== undefined ? { certFile: str(r, 'etcdCertFile') } : {}),
    ...(str(r, 'etcdKeyFile') !== undefined ? { keyFile: str(r, 'etcdKeyFile') } : {}),
  };
  if ((etcd.certFile === undefined) !== (etcd.keyFile === undefined)) throw new ConfigError('--etcd-cert-file and --etcd-key-file go together');
  return {
    etcd,
    listen: list(r, 'listen').map(parseListen),
    routerId: ipv4(r, 'routerId', '--router-id'),
    clusterId: ipv4(r, 'clusterId', '--cluster-id'),
    name: str(r, 'name'),
  };
}
