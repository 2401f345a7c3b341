/**
 * Every `bgp-rr` option, declared once, as data. This table drives the commander
 * flags and --help, the environment variables and the config file keys.
 *
 * Precedence (highest first): command-line flag > environment variable >
 * config file (`--config FILE`, JSON, keys as in `key` below) > default.
 *
 * Environment: calicoctl's names for etcd (ETCD_ENDPOINTS, ETCD_CA_CERT_FILE,
 * ETCD_CERT_FILE, ETCD_KEY_FILE), BGP_RR_<OPTION> for the rest. In the environment
 * and the file, a list option takes a comma-separated string (the file also takes
 * a JSON array).
 */
export interface OptionSpec {
  /** camelCase name: commander's attribute name and the config file key. */
  readonly key: string;
  readonly flag: string;
  /** Placeholder in --help. */
  readonly arg: string;
  readonly env: string;
  readonly help: string;
  /** Repeatable flag / comma-separated list. */
  readonly list?: boolean;
  readonly default?: string | readonly string[];
}

export const OPTIONS = [
  { key: 'etcdEndpoints', flag: '--etcd-endpoints', arg: 'URLS', env: 'ETCD_ENDPOINTS', list: true, default: ['http://127.0.0.1:2379'], help: 'etcd v3 endpoints of the Calico datastore, comma-separated or repeated' },
  { key: 'etcdCaCertFile', flag: '--etcd-ca-cert-file', arg: 'FILE', env: 'ETCD_CA_CERT_FILE', help: 'CA certificate that signed the etcd server certificates' },
  { key: 'etcdCertFile', flag: '--etcd-cert-file', arg: 'FILE', env: 'ETCD_CERT_FILE', help: 'client certificate for etcd' },
  { key: 'etcdKeyFile', flag: '--etcd-key-file', arg: 'FILE', env: 'ETCD_KEY_FILE', help: 'client key for etcd' },
  { key: 'listen', flag: '--listen', arg: 'ADDR[:PORT]', env: 'BGP_RR_LISTEN', list: true, default: ['[::]:179'], help: 'address to accept BGP on (repeatable); a wildcard stands for every host address' },
  { key: 'routerId', flag: '--router-id', arg: 'IPV4', env: 'BGP_RR_ROUTER_ID', help: 'BGP identifier (default: the first non-loopback IPv4 address of this replica)' },
  { key: 'clusterId', flag: '--cluster-id', arg: 'IPV4', env: 'BGP_RR_CLUSTER_ID', help: 'RFC 4456 CLUSTER_ID (default: the router id)' },
  { key: 'name', flag: '--name', arg: 'NAME', env: 'BGP_RR_NAME', help: 'replica name in the registry (default: the host name)' },
  { key: 'controlSocket', flag: '--control-socket', arg: 'PATH', env: 'BGP_RR_CONTROL_SOCKET', default: '/run/bgp-rr/control.sock', help: 'Unix socket of the control API' },
  { key: 'metricsAddress', flag: '--metrics-address', arg: 'HOST:PORT', env: 'BGP_RR_METRICS_ADDRESS', default: '127.0.0.1:9179', help: "Prometheus metrics listener ('' for none)" },
  { key: 'holdTime', flag: '--hold-time', arg: 'SECONDS', env: 'BGP_RR_HOLD_TIME', default: '30', help: 'hold time offered to peers; the smaller offer wins (RFC 4271 §4.2), so a short one notices dead nodes fast' },
  { key: 'routePolicy', flag: '--route-policy', arg: 'MODE', env: 'BGP_RR_ROUTE_POLICY', default: 'enforce', help: 'import policy from IPAM: enforce (reject routes a node does not own), warn (log, accept) or off' },
  { key: 'maxPrefixes', flag: '--max-prefixes', arg: 'COUNT', env: 'BGP_RR_MAX_PREFIXES', default: '1000', help: 'per-peer prefix limit; above it Cease (RFC 4486 subcode 1) and reconnect with backoff (0: no limit)' },
  { key: 'selectionDeferral', flag: '--selection-deferral', arg: 'SECONDS', env: 'BGP_RR_SELECTION_DEFERRAL', default: '15', help: 'after a restart, longest wait for peers\' initial tables before sending ours (RFC 4724 §4.1)' },
  { key: 'passwordFile', flag: '--password-file', arg: 'FILE', env: 'BGP_RR_PASSWORD_FILE', help: 'TCP MD5 (RFC 2385) passwords by peer address or BGPPeer name, mode 0600' },
  { key: 'logLevel', flag: '--log-level', arg: 'LEVEL', env: 'BGP_RR_LOG_LEVEL', default: 'info', help: 'fatal, error, warn, info, debug, trace or silent' },
  { key: 'config', flag: '--config', arg: 'FILE', env: 'BGP_RR_CONFIG', help: 'JSON file with option values (keys as in this table, camelCase)' },
] as const satisfies readonly OptionSpec[];

export type OptionKey = (typeof OPTIONS)[number]['key'];

export function optionSpec(key: OptionKey): OptionSpec {
  const spec = OPTIONS.find((o) => o.key === key);
  if (spec === undefined) throw new Error(`no option ${key}`);
  return spec;
}

/** The options that describe one replica and its datastore (config, run). */
export const REPLICA_OPTIONS: readonly OptionKey[] = ['etcdEndpoints', 'etcdCaCertFile', 'etcdCertFile', 'etcdKeyFile', 'listen', 'routerId', 'clusterId', 'name', 'config'];
