/**
 * Prometheus metrics (prom-client) on --metrics-address, GET /metrics.
 *
 *   bgp_rr_sessions{state}                          peers by FSM state
 *   bgp_rr_peer_prefixes{peer,node,family,kind}     received / accepted / rejected / advertised
 *   bgp_rr_updates_received_total, bgp_rr_updates_sent_total, bgp_rr_update_bytes_sent_total
 *   bgp_rr_withdrawals_received_total                paths withdrawn by peers (change feed)
 *   bgp_rr_paths_rejected_total{kind}                rejections: loop, policy, limit, treat-as-withdraw
 *   bgp_rr_prefix_limit_exceeded_total{family,action}  prefix-limit crossings (cease: sessions closed)
 *   bgp_rr_loc_rib_prefixes{family}, bgp_rr_loc_rib_paths, bgp_rr_update_groups
 *   bgp_rr_etcd_revision, bgp_rr_etcd_connection_state{state} (1 for the current one)
 *   bgp_rr_etcd_revision_lag (newest change in etcd under the watched prefixes minus
 *     the revision applied; probed every 30 s by the watcher, etcd-store watcher.ts)
 *   bgp_rr_tables_released (RFC 4724 §4.1 selection deferral over)
 *   nodejs_eventloop_lag_* (perf_hooks monitorEventLoopDelay), process_resident_memory_bytes
 *   and the rest of prom-client's default metrics.
 * Gauges are computed at scrape time from the daemon's state (no bookkeeping on the
 * hot path); route counters follow the route engine's change feed (`observe`), message
 * counters are incremented by the daemon's wiring. bgp_rr_peer_prefixes (8 series per
 * peer) is rendered here rather than through prom-client's labelled Gauge: hashing and
 * formatting 40,000 label sets held the event loop ~0.5 s per scrape at 5,000 peers.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { RouteEvent } from '../engine/vocabulary.js';
import { familyText } from './families.js';

export interface PeerSample {
  readonly address: string;
  readonly node: string;
  readonly state: string;
  readonly prefixes: Readonly<Record<'ipv4' | 'ipv6', { received: number; accepted: number; rejected: number; advertised: number }>>;
}

/** What the daemon exposes to a scrape. */
export interface MetricsSource {
  peers(): Iterable<PeerSample>;
  locRib(): { readonly prefixes: Readonly<Record<'ipv4' | 'ipv6', number>>; readonly paths: number; readonly updateGroups: number };
  /** `latest`: the newest modification revision in etcd under the watched prefixes (0: not known yet). */
  etcd(): { readonly revision: number; readonly state: string; readonly latest: number };
  tablesReleased(): boolean;
}

export const FSM_STATES = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'] as const;
export const ETCD_STATES = ['connecting', 'listing', 'watching', 'disconnected', 'closed'] as const;

export class Metrics {
  readonly registry = new Registry();
  readonly updatesIn: Counter;
  readonly withdrawalsIn: Counter;
  readonly updatesOut: Counter;
  readonly bytesOut: Counter;
  private readonly source: MetricsSource;
  readonly rejections: Counter;
  readonly limitExceeded: Counter;
  #server: Server | undefined;

  constructor(raw: MetricsSource) {
    // One scrape reads each source once (the gauges share it): a walk of the Loc-RIB or of
    // every peer is what a scrape costs at thousands of peers; half a second apart is a new scrape.
    const source: MetricsSource = { peers: recent(() => [...raw.peers()]), locRib: recent(() => raw.locRib()), etcd: recent(() => raw.etcd()), tablesReleased: () => raw.tablesReleased() };
    this.source = source;
    const r = this.registry;
    collectDefaultMetrics({ register: r, eventLoopMonitoringPrecision: 20 });
    this.updatesIn = new Counter({ name: 'bgp_rr_updates_received_total', help: 'UPDATE messages received from peers', registers: [r] });
    this.withdrawalsIn = new Counter({ name: 'bgp_rr_withdrawals_received_total', help: 'Paths withdrawn by peers', registers: [r] });
    this.rejections = new Counter({ name: 'bgp_rr_paths_rejected_total', help: 'Paths rejected, by kind: loop (RFC 4456 §8), policy, limit, treat-as-withdraw (RFC 7606)', labelNames: ['kind'], registers: [r] });
    this.limitExceeded = new Counter({ name: 'bgp_rr_prefix_limit_exceeded_total', help: 'Times a peer went past --max-prefixes, by family and action (cease: the session was closed with Cease 6/1)', labelNames: ['family', 'action'], registers: [r] });
    this.updatesOut = new Counter({ name: 'bgp_rr_updates_sent_total', help: 'UPDATE messages (End-of-RIB and RFC 7313 BoRR/EoRR included) written to peers', registers: [r] });
    this.bytesOut = new Counter({ name: 'bgp_rr_update_bytes_sent_total', help: 'UPDATE bytes written to peers', registers: [r] });
    new Gauge({
      name: 'bgp_rr_sessions',
      help: 'Configured peers by BGP FSM state',
      labelNames: ['state'],
      registers: [r],
      collect() {
        const n = new Map<string, number>(FSM_STATES.map((s) => [s, 0]));
        for (const p of source.peers()) n.set(p.state, (n.get(p.state) ?? 0) + 1);
        this.reset();
        for (const [state, v] of n) this.set({ state }, v);
      },
    });
    new Gauge({
      name: 'bgp_rr_loc_rib_prefixes',
      help: 'Prefixes in the Loc-RIB',
      labelNames: ['family'],
      registers: [r],
      collect() {
        const l = source.locRib();
        this.set({ family: 'ipv4' }, l.prefixes.ipv4);
        this.set({ family: 'ipv6' }, l.prefixes.ipv6);
      },
    });
    new Gauge({ name: 'bgp_rr_loc_rib_paths', help: 'Paths in the Loc-RIB', registers: [r], collect() { this.set(source.locRib().paths); } });
    new Gauge({ name: 'bgp_rr_update_groups', help: 'Update groups', registers: [r], collect() { this.set(source.locRib().updateGroups); } });
    new Gauge({ name: 'bgp_rr_etcd_revision', help: 'Last etcd revision applied', registers: [r], collect() { this.set(source.etcd().revision); } });
    new Gauge({
      name: 'bgp_rr_etcd_revision_lag',
      help: 'Revisions of the Calico datastore written in etcd but not yet applied',
      registers: [r],
      collect() {
        const e = source.etcd();
        this.set(Math.max(0, e.latest - e.revision));
      },
    });
    new Gauge({
      name: 'bgp_rr_etcd_connection_state',
      help: 'etcd watcher state (1 for the current one)',
      labelNames: ['state'],
      registers: [r],
      collect() {
        const cur = source.etcd().state;
        for (const state of ETCD_STATES) this.set({ state }, state === cur ? 1 : 0);
      },
    });
    new Gauge({ name: 'bgp_rr_tables_released', help: '1 once the RFC 4724 selection deferral is over', registers: [r], collect() { this.set(source.tablesReleased() ? 1 : 0); } });
  }

  /** Counts what the route engine's change feed reports (subscribe this to it). */
  observe(e: RouteEvent): void {
    switch (e.type) {
      case 'pathWithdrawn':
        if (e.cause === 'withdrawn') this.withdrawalsIn.inc();
        return;
      case 'pathRejected':
        if (e.replaced?.rejected?.kind !== e.rejection.kind) this.rejections.inc({ kind: e.rejection.kind });
        return;
      case 'limitExceeded':
        this.limitExceeded.inc({ family: familyText(e.family), action: e.action });
        return;
      default:
        return;
    }
  }

  /** The exposition text of a scrape. */
  async text(): Promise<string> {
    return (await this.registry.metrics()) + peerPrefixesText(this.source.peers());
  }

  /** Serves /metrics on "HOST:PORT" ("[::1]:9179" for IPv6). */
  async listen(address: string): Promise<{ host: string; port: number }> {
    const { host, port } = parseHostPort(address, 9179);
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url !== '/metrics' && req.url !== '/')) {
        res.writeHead(404).end('not found\n');
        return;
      }
      this.text().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(`${err.message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    const a = server.address();
    return { host, port: typeof a === 'object' && a !== null ? a.port : port };
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    this.registry.clear();
  }
}

const FAMILIES = ['ipv4', 'ipv6'] as const;
const KINDS = ['received', 'accepted', 'rejected', 'advertised'] as const;

/** `fn`, computed again only when its last value is older than RECENT_MS. */
function recent<T>(fn: () => T): () => T {
  let at = -Infinity;
  let value: T;
  return () => {
    const now = performance.now();
    if (now - at > RECENT_MS) {
      value = fn();
      at = now;
    }
    return value;
  };
}

const RECENT_MS = 500;

/** bgp_rr_peer_prefixes{peer,node,family,kind} in the Prometheus text format. */
export function peerPrefixesText(peers: Iterable<PeerSample>): string {
  const out = [
    '# HELP bgp_rr_peer_prefixes Prefixes per peer and family: received, accepted, rejected (Adj-RIB-In), advertised (Adj-RIB-Out)',
    '# TYPE bgp_rr_peer_prefixes gauge',
  ];
  for (const p of peers) {
    const head = `bgp_rr_peer_prefixes{peer="${escapeLabel(p.address)}",node="${escapeLabel(p.node)}",family="`;
    for (const family of FAMILIES) {
      const c = p.prefixes[family];
      for (const kind of KINDS) out.push(`${head}${family}",kind="${kind}"} ${c[kind]}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** Label value escaping of the text format: backslash, double quote, line feed. */
function escapeLabel(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

/** "10.0.0.1:179", "10.0.0.1", "[fd00::1]:179", "fd00::1", "::" → host and port. */
export function parseHostPort(s: string, defaultPort: number): { host: string; port: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) return { host: bracket[1]!, port: bracket[2] !== undefined ? checkPort(bracket[2], s) : defaultPort };
  const colons = s.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = s.split(':') as [string, string];
    return { host, port: checkPort(port, s) };
  }
  if (s === '') throw new Error('empty address');
  return { host: s, port: defaultPort };
}

function checkPort(p: string, whole: string): number {
  const n = Number(p);
  if (!/^\d+$/.test(p) || n > 65535) throw new Error(`bad port in ${JSON.stringify(whole)}`);
  return n;
}
