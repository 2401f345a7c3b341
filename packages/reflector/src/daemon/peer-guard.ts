/**
 * What one peer may cost the reflector, enforced on the live speaker (issue 5; the
 * arithmetic is in limits.ts):
 *
 *   max prefixes   after each UPDATE, a peer holding more than `maxPrefixes` paths of a
 *                  family in its Adj-RIB-In (accepted or rejected: both cost memory) gets
 *                  Cease subcode 1 "Maximum Number of Prefixes Reached" with the RFC 4486
 *                  §4 data (AFI, SAFI, limit); its session stays down (ManualStop: its
 *                  connections are refused, we do not dial) for a backoff that doubles
 *                  with each repeat (60 s .. 300 s, as BIRD's `error wait time`), then
 *                  starts again.
 *   UPDATE budget  every UPDATE is charged to the peer's token bucket (limits.ts
 *                  UpdateBudget); a peer that has spent it has its socket paused until a
 *                  token is back, so one flapping peer cannot starve the others' input.
 *   unknown peers  a connection from an address that is no configured peer was already
 *                  destroyed by the listener, before any state existed; here it is only
 *                  counted (bgp_rr_unknown_connections_total) and logged at most once per
 *                  interval, with a count and a few sample addresses (bounded memory).
 */
import { Counter, type Registry } from 'prom-client';
import type { Family, Peer, Speaker } from '@bgp-rr/bgp-speaker';
import type { RouteEngine } from '../engine/engine.js';
import { ReconnectBackoff, UpdateBudget, checkMaxPrefixes, decodeMaxPrefixData, familyName, maxPrefixNotification, type BackoffOptions, type UpdateBudgetOptions } from '../engine/prefix-limit.js';

export interface GuardLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface PeerGuardOptions {
  /** Per peer and family; 0: no limit. */
  readonly maxPrefixes: number;
  readonly backoff?: BackoffOptions;
  /** Per-peer UPDATE processing budget (default 2,000/s sustained, bursts of 10,000). */
  readonly updateBudget?: UpdateBudgetOptions;
  /** Shortest interval between two "unknown connections" log lines (default 60 s). */
  readonly unknownLogIntervalMs?: number;
  /** Whether a peer closed for its limit may start again now (false while draining). */
  readonly canRestart?: (address: string) => boolean;
  readonly now?: () => number;
}

/** How many sample addresses an "unknown connections" log line names. */
const UNKNOWN_SAMPLES = 8;

export class PeerGuard {
  readonly backoff: ReconnectBackoff;
  readonly budget: UpdateBudget;
  readonly unknownConnections: Counter;
  readonly limitCeases: Counter;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #now: () => number;
  #unknown = { count: 0, since: 0, samples: new Set<string>(), logged: -Infinity };

  constructor(
    private readonly speaker: Speaker,
    private readonly engine: RouteEngine,
    private readonly log: GuardLogger,
    registry: Registry,
    private readonly o: PeerGuardOptions,
  ) {
    this.#now = o.now ?? Date.now;
    this.backoff = new ReconnectBackoff(o.backoff);
    this.budget = new UpdateBudget(o.updateBudget);
    this.unknownConnections = new Counter({ name: 'bgp_rr_unknown_connections_total', help: 'TCP connections from addresses that are no peer, closed at once', registers: [registry] });
    this.limitCeases = new Counter({ name: 'bgp_rr_max_prefix_ceases_total', help: 'Sessions closed with Cease 6/1 Maximum Number of Prefixes Reached (RFC 4486)', labelNames: ['family'], registers: [registry] });
  }

  /** Subscribes to the speaker; call after the route engine's own 'update' handler. */
  wire(): void {
    this.speaker.on('update', (peer) => {
      if (!this.checkLimit(peer)) this.charge(peer);
    });
    this.speaker.on('established', (peer) => this.backoff.up(peer.address, this.#now()));
    this.speaker.on('unknownConnection', (remote, local) => this.unknown(remote, local));
  }

  /** RFC 4486 §4: Cease 6/1 when the peer's Adj-RIB-In holds more than the limit. */
  checkLimit(peer: Peer): boolean {
    const adj = this.engine.peer(peer.address)?.adj;
    if (adj == null || this.o.maxPrefixes <= 0 || peer.state !== 'Established') return false;
    const over = checkMaxPrefixes(adj.families().map((fk) => [fk, adj.counts(fk).received] as const), this.o.maxPrefixes);
    if (over === null) return false;
    const n = maxPrefixNotification(over);
    const now = this.#now();
    const until = this.backoff.penalise(peer.address, now);
    const family = familyName(over as Pick<Family, 'afi' | 'safi'>);
    this.limitCeases.inc({ family });
    this.log.warn(
      { peer: peer.address, family, limit: over.limit, count: over.count, notification: decodeMaxPrefixData(n.data), reconnectInSeconds: Math.round((until - now) / 1000), attempt: this.backoff.attempts(peer.address) },
      'prefix limit exceeded: session closed with Cease 6/1 (RFC 4486), kept down for the backoff',
    );
    this.speaker.close(peer, { subcode: n.subcode, data: n.data, restart: false });
    this.#schedule(peer, until - now);
    return true;
  }

  #schedule(peer: Peer, ms: number): void {
    clearTimeout(this.#timers.get(peer.address));
    const t = setTimeout(() => {
      this.#timers.delete(peer.address);
      // Only the same peer object: removed or re-added meanwhile means someone else decided.
      if (this.speaker.getPeer(peer.address) !== peer || peer.state !== 'Idle') return;
      if (this.o.canRestart !== undefined && !this.o.canRestart(peer.address)) return;
      this.log.info({ peer: peer.address }, 'prefix limit backoff over: session starts again');
      this.speaker.start(peer);
    }, ms);
    t.unref();
    this.#timers.set(peer.address, t);
  }

  /** One UPDATE processed: over budget, the peer's socket waits until a token is back. */
  charge(peer: Peer): void {
    const ms = this.budget.charge(peer.address, 1, this.#now());
    if (ms > 0) this.speaker.pauseReading(peer, ms);
  }

  /** Counted always; logged at most once per interval with how many and a few addresses. */
  unknown(remote: string, local: string): void {
    this.unknownConnections.inc();
    const u = this.#unknown;
    const now = this.#now();
    if (u.count === 0) u.since = now;
    u.count++;
    if (u.samples.size < UNKNOWN_SAMPLES) u.samples.add(remote);
    if (now - u.logged < (this.o.unknownLogIntervalMs ?? 60_000)) return;
    this.log.warn(
      { connections: u.count, sinceSeconds: Math.round((now - u.since) / 1000), from: [...u.samples], local },
      'connections from addresses that are no peer refused (closed at once; logged at most once a minute)',
    );
    this.#unknown = { count: 0, since: now, samples: new Set(), logged: now };
  }

  forget(address: string): void {
    clearTimeout(this.#timers.get(address));
    this.#timers.delete(address);
    this.backoff.forget(address);
    this.budget.forget(address);
  }

  close(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
