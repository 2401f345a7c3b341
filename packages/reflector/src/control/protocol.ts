/**
 * The control protocol: typed JSON over the Unix control socket, one object per line.
 *
 *   client → daemon   {"id":1,"method":"peers"}\n
 *   daemon → client   {"id":1,"ok":true,"result":[...]}\n
 *                     {"id":1,"ok":false,"error":{"code":"NO_SUCH_PEER","message":"..."}}\n
 *
 * The CLI never touches daemon state: it asks here and renders the result (text or JSON).
 * Requests are answered in order; a connection may send several.
 */
import type { RejectionKind } from '@bgp-rr/bgp-speaker';

export type Request =
  | { readonly id: number; readonly method: 'peers' }
  | { readonly id: number; readonly method: 'peer'; readonly address: string }
  | { readonly id: number; readonly method: 'routes'; readonly prefix?: string; readonly rejected?: boolean }
  | { readonly id: number; readonly method: 'status' }
  | { readonly id: number; readonly method: 'drain'; readonly message?: string };

export type Method = Request['method'];
export const METHODS: readonly Method[] = ['peers', 'peer', 'routes', 'status', 'drain'];

export interface ResultOf {
  peers: PeerRow[];
  peer: PeerDetail;
  routes: RouteRow[];
  status: StatusInfo;
  drain: DrainResult;
}

export type ErrorCode = 'BAD_REQUEST' | 'NO_SUCH_PEER' | 'BAD_PREFIX' | 'INTERNAL';

export type Response =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { readonly code: ErrorCode; readonly message: string } };

/** Prefix counts of one peer and family (`bgp-rr peers`, like `gobgp neighbor`). */
export interface PrefixCounts {
  readonly received: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly stale: number;
  readonly advertised: number;
}

export type FamilyName = 'ipv4' | 'ipv6';

export interface PeerRow {
  readonly node: string;
  readonly address: string;
  readonly as: number;
  readonly client: boolean;
  /** Negotiated families while Established (familiesNegotiated true), else the configured ones. */
  readonly families: readonly FamilyName[];
  /** Whether `families` are the negotiated ones (Established) or the configured ones. */
  readonly familiesNegotiated: boolean;
  /** The families we offer this peer (our OPEN), whatever the state. */
  readonly familiesConfigured: readonly FamilyName[];
  readonly state: string;
  /** RFC 3339 time of the last state change. */
  readonly since: string;
  readonly prefixes: Readonly<Record<FamilyName, PrefixCounts>>;
  readonly received: number;
  readonly accepted: number;
  readonly advertised: number;
  /**
   * Why the session last went down, kept after it came up again: historical while
   * Established (`bgp-rr peers` shows it only when the session is not Established).
   */
  readonly lastError: string | null;
  /** RFC 3339 time of that error (null: none, or not seen by this daemon). */
  readonly lastErrorAt: string | null;
  /** Times the session reached Established (a bounce shows as a change). */
  readonly establishedTransitions: number;
}

export interface MessageCounters {
  readonly open: number;
  readonly update: number;
  readonly notification: number;
  readonly keepalive: number;
  readonly routeRefresh: number;
}

export interface PeerDetail extends PeerRow {
  readonly bgpPeers: readonly string[];
  readonly routerId: string | null;
  readonly localAddress: string | null;
  readonly localEndpoint: string | null;
  readonly remoteEndpoint: string | null;
  readonly port: number;
  readonly timers: {
    readonly holdTimeOffered: number;
    readonly holdTime: number | null;
    readonly keepaliveTime: number | null;
    readonly connectRetry: number;
  };
  /** Capabilities as text, ours and the peer's (RFC 5492). */
  readonly capabilities: { readonly local: readonly string[]; readonly peer: readonly string[] };
  readonly addPath: readonly { readonly family: FamilyName; readonly send: boolean; readonly receive: boolean }[];
  readonly gracefulRestart: {
    readonly negotiated: boolean;
    readonly peerRestartTime: number | null;
    /** Helper state while the peer's routes are kept stale (RFC 4724 §4.2). */
    readonly helper: { readonly phase: string; readonly families: readonly FamilyName[]; readonly expiresInSeconds: number } | null;
  };
  /** RFC 2918 / RFC 7313 as negotiated; `receiving`: families the peer is re-advertising (a BoRR open). */
  readonly routeRefresh: { readonly negotiated: boolean; readonly enhanced: boolean; readonly receiving: readonly FamilyName[] };
  /** While kept down after a prefix-limit Cease: seconds until it may come back (0 otherwise). */
  readonly prefixLimitBackoffSeconds: number;
  readonly messages: { readonly received: MessageCounters; readonly sent: MessageCounters };
  readonly updatesIn: number;
  readonly withdrawalsIn: number;
  readonly updateGroups: readonly string[];
  readonly pendingOut: number;
}

export interface RoutePath {
  readonly from: string;
  readonly node: string | null;
  readonly pathId: number;
  readonly best: boolean;
  readonly nextHop: string | null;
  readonly originatorId: string | null;
  readonly clusterList: readonly string[];
  readonly localPref: number | null;
  readonly asPath: string;
  readonly communities: readonly string[];
  readonly stale: boolean;
  /** Why the path is not eligible (RFC 4456 §8 loop, import policy, prefix limit, RFC 7606 treat-as-withdraw), or null. */
  readonly rejected: { readonly kind: RejectionKind; readonly reason: string } | null;
}

export interface RouteRow {
  readonly prefix: string;
  readonly family: FamilyName;
  readonly paths: readonly RoutePath[];
}

export interface StatusInfo {
  readonly name: string;
  readonly version: string;
  readonly pid: number;
  readonly routerId: string;
  readonly clusterId: string;
  readonly as: number | null;
  readonly startTime: string;
  readonly uptimeSeconds: number;
  readonly listen: readonly string[];
  /** BGP connections accepted: from the first applied etcd snapshot on (before, no listener is bound). */
  readonly accepting: boolean;
  readonly etcd: {
    readonly endpoints: readonly string[];
    readonly endpoint: string | null;
    readonly state: string;
    /** Applied revision of the Calico datastore. */
    readonly revision: number;
    /** Newest change in etcd under the watched prefixes (0 until probed); lag = latestRevision - revision. */
    readonly latestRevision: number;
    readonly lastError: string | null;
  };
  readonly registered: boolean;
  /** 'ok' | 'degraded' (etcd unreachable: running on the last good configuration) | 'starting'. */
  readonly health: 'ok' | 'degraded' | 'starting';
  readonly tablesReleased: boolean;
  readonly tablesReleaseReason: string;
  readonly routePolicy: string;
  readonly draining: boolean;
  readonly counts: {
    readonly peersConfigured: number;
    readonly peersEstablished: number;
    readonly prefixes: Readonly<Record<FamilyName, number>>;
    readonly paths: number;
    readonly rejectedPaths: number;
    readonly updateGroups: number;
  };
}

export interface DrainResult {
  readonly peers: number;
  readonly message: string;
}

/** Upper bound of one request line (a request is small; a response may be large). */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** Parses one request line; throws with a message fit for a BAD_REQUEST. */
export function parseRequest(line: string): Request {
  const v: unknown = JSON.parse(line);
  if (typeof v !== 'object' || v === null) throw new Error('request is not an object');
  const r = v as Record<string, unknown>;
  if (typeof r.id !== 'number') throw new Error('request has no numeric id');
  if (typeof r.method !== 'string' || !(METHODS as readonly string[]).includes(r.method)) throw new Error(`unknown method ${JSON.stringify(r.method)}`);
  if (r.method === 'peer' && typeof r.address !== 'string') throw new Error('peer: address required');
  if (r.prefix !== undefined && typeof r.prefix !== 'string') throw new Error('routes: prefix must be a string');
  if (r.message !== undefined && typeof r.message !== 'string') throw new Error('drain: message must be a string');
  return r as unknown as Request;
}
