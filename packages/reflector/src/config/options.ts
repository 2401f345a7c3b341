/**
 * Every `bgp-rr` option, declared once, as data: flag, environment variable, config
 * file key, type with its allowed values, default and help. This table drives the
 * commander flags and --help, the environment, the config file, and the one place
 * values are checked and converted (resolve.ts, values.ts): commands read typed values.
 *
 * Precedence (highest first): command-line flag > environment variable >
 * config file (`--config FILE`, JSON, keys as in `key` below) > default.
 *
 * Environment: calicoctl's names for etcd (ETCD_ENDPOINTS, ETCD_CA_CERT_FILE,
 * ETCD_CERT_FILE, ETCD_KEY_FILE), BGP_RR_<OPTION> for the rest. An empty variable is
 * unset. In the environment and the file, a list option takes a comma-separated
 * string (the file also takes a JSON array).
 */

/** An address and port: `--listen`, `--metrics-address`. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

interface Common {
  /** camelCase name: commander's attribute name and the config file key. */
  readonly key: string;
  readonly flag: string;
  /** Placeholder in --help. */
  readonly arg: string;
  readonly env: string;
  readonly help: string;
  /** Repeatable flag / comma-separated list; the value is an array of the type. */
  readonly list?: boolean;
  /** As it would be written on the command line; converted like any other value. */
  readonly default?: string | readonly string[];
}

/** What a value may be. */
export type OptionType =
  | { readonly type: 'string' }
  /** An integer in min..max (no max: any above min); `zero`: 0 is allowed too and means this. */
  | { readonly type: 'int'; readonly min: number; readonly max?: number; readonly zero?: string }
  /** One of the keys of `choices`; the values say what each means ('' for nothing to say). */
  | { readonly type: 'enum'; readonly choices: Readonly<Record<string, string>> }
  /** A dotted quad. */
  | { readonly type: 'ipv4' }
  /** ADDR[:PORT], IPv6 as [ADDR]:PORT, `port` when none is given; `none`: the word none (or '') for no endpoint. */
  | { readonly type: 'endpoint'; readonly port: number; readonly none?: boolean };

export type OptionSpec = Common & OptionType;

export const OPTIONS = [
  { key: 'etcdEndpoints', flag: '--etcd-endpoints', arg: 'URLS', env: 'ETCD_ENDPOINTS', type: 'string', list: true, default: ['http://127.0.0.1:2379'], help: 'etcd v3 endpoints of the Calico datastore, comma-separated or repeated' },
  { key: 'etcdCaCertFile', flag: '--etcd-ca-cert-file', arg: 'FILE', env: 'ETCD_CA_CERT_FILE', type: 'string', help: 'CA certificate that signed the etcd server certificates' },
  { key: 'etcdCertFile', flag: '--etcd-cert-file', arg: 'FILE', env: 'ETCD_CERT_FILE', type: 'string', help: 'client certificate for etcd' },
  { key: 'etcdKeyFile', flag: '--etcd-key-file', arg: 'FILE', env: 'ETCD_KEY_FILE', type: 'string', help: 'client key for etcd' },
  { key: 'listen', flag: '--listen', arg: 'ADDR[:PORT]', env: 'BGP_RR_LISTEN', type: 'endpoint', port: 179, list: true, default: ['[::]:179'], help: 'address to accept BGP on (repeatable); a wildcard stands for every host address' },
  { key: 'routerId', flag: '--router-id', arg: 'IPV4', env: 'BGP_RR_ROUTER_ID', type: 'ipv4', help: 'BGP identifier (default: the first non-loopback IPv4 address of this replica)' },
  { key: 'clusterId', flag: '--cluster-id', arg: 'IPV4', env: 'BGP_RR_CLUSTER_ID', type: 'ipv4', help: 'RFC 4456 CLUSTER_ID (default: the router id)' },
  { key: 'name', flag: '--name', arg: 'NAME', env: 'BGP_RR_NAME', type: 'string', help: 'replica name in the registry (default: the host name up to its first dot)' },
  { key: 'controlSocket', flag: '--control-socket', arg: 'PATH', env: 'BGP_RR_CONTROL_SOCKET', type: 'string', default: '/run/bgp-rr/control.sock', help: 'Unix socket of the control API' },
  { key: 'metricsAddress', flag: '--metrics-address', arg: 'ADDR:PORT', env: 'BGP_RR_METRICS_ADDRESS', type: 'endpoint', port: 9179, none: true, default: '127.0.0.1:9179', help: 'Prometheus metrics listener (GET /metrics)' },
  // RFC 4271 §4.2: a Hold Time is 0 (no KEEPALIVEs) or at least three seconds.
  { key: 'holdTime', flag: '--hold-time', arg: 'SECONDS', env: 'BGP_RR_HOLD_TIME', type: 'int', min: 3, max: 65535, zero: 'no KEEPALIVEs, the session never times out', default: '30', help: 'hold time offered to peers; the smaller offer wins (RFC 4271 §4.2), so a short one notices dead nodes fast' },
  {
    key: 'routePolicy',
    flag: '--route-policy',
    arg: 'MODE',
    env: 'BGP_RR_ROUTE_POLICY',
    type: 'enum',
    choices: { enforce: 'reject routes a node does not own', warn: 'log them, accept', off: 'accept everything' },
    default: 'enforce',
    help: 'import policy from Calico IPAM',
  },
  { key: 'maxPrefixes', flag: '--max-prefixes', arg: 'COUNT', env: 'BGP_RR_MAX_PREFIXES', type: 'int', min: 0, zero: 'no limit', default: '1000', help: 'per peer and address family, paths held in the Adj-RIB-In, accepted or rejected (stale ones, waiting for a graceful restart or a route refresh to end, excepted)' },
  {
    key: 'maxPrefixesAction',
    flag: '--max-prefixes-action',
    arg: 'ACTION',
    env: 'BGP_RR_MAX_PREFIXES_ACTION',
    type: 'enum',
    // BIRD's `import limit N action ...` words.
    choices: {
      cease: 'close the session with Cease 6/1 (RFC 4486, with AFI/SAFI/limit data) and let it back after a backoff (60 s doubling to 300 s)',
      block: 'keep the session, drop the paths past the limit (logged once, counted); once back under it, ask the peer for them again (route refresh)',
      warn: 'accept all, log once when the limit is crossed',
    },
    default: 'cease',
    help: 'what happens when a peer goes past --max-prefixes',
  },
  { key: 'selectionDeferral', flag: '--selection-deferral', arg: 'SECONDS', env: 'BGP_RR_SELECTION_DEFERRAL', type: 'int', min: 0, max: 3600, default: '15', help: "after a restart, longest wait for peers' initial tables before sending ours (RFC 4724 §4.1)" },
  { key: 'passwordFile', flag: '--password-file', arg: 'FILE', env: 'BGP_RR_PASSWORD_FILE', type: 'string', help: 'TCP MD5 (RFC 2385) passwords by peer address or BGPPeer name, mode 0600' },
  { key: 'logLevel', flag: '--log-level', arg: 'LEVEL', env: 'BGP_RR_LOG_LEVEL', type: 'enum', choices: { fatal: '', error: '', warn: '', info: '', debug: '', trace: '', silent: '' }, default: 'info', help: 'the least severe level that is logged' },
  { key: 'config', flag: '--config', arg: 'FILE', env: 'BGP_RR_CONFIG', type: 'string', help: 'JSON file with option values, keyed by camelCase option name (e.g. holdTime)' },
] as const satisfies readonly OptionSpec[];

type Row = (typeof OPTIONS)[number];
export type OptionKey = Row['key'];
/** The options whose value is never undefined once resolved. */
export type DefaultedKey = Extract<Row, { readonly default: unknown }>['key'];

type Element<S> = S extends { readonly type: 'int' }
  ? number
  : S extends { readonly type: 'enum'; readonly choices: infer C }
    ? keyof C & string
    : S extends { readonly type: 'endpoint'; readonly none: true }
      ? Endpoint | null
      : S extends { readonly type: 'endpoint' }
        ? Endpoint
        : string;

/** The type of an option's value once resolved (endpoint with `none`: null for none). */
export type OptionValue<K extends OptionKey> = Extract<Row, { readonly key: K }> extends infer S ? (S extends { readonly list: true } ? readonly Element<S>[] : Element<S>) : never;

/** The values of the options `K`: those with a default are always there. */
export type OptionValues<K extends OptionKey> = { readonly [P in K]: P extends DefaultedKey ? OptionValue<P> : OptionValue<P> | undefined };

export function optionSpec(key: OptionKey): OptionSpec {
  const spec = OPTIONS.find((o) => o.key === key);
  if (spec === undefined) throw new Error(`no option ${key}`);
  return spec;
}

/** How a command reaches etcd (config, replicas, run), with the --config file. */
export const ETCD_OPTIONS = ['etcdEndpoints', 'etcdCaCertFile', 'etcdCertFile', 'etcdKeyFile', 'config'] as const satisfies readonly OptionKey[];
export type EtcdKey = (typeof ETCD_OPTIONS)[number];

/** The options that describe one replica and its datastore (config, run). */
export const REPLICA_OPTIONS = [...ETCD_OPTIONS, 'listen', 'routerId', 'clusterId', 'name'] as const satisfies readonly OptionKey[];
export type ReplicaKey = (typeof REPLICA_OPTIONS)[number];
