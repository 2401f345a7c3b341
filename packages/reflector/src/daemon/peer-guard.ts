/**
 * What one peer may cost the reflector, enforced on the live speaker:
 *
 *   UPDATE budget  every UPDATE is charged to the peer's token bucket (update-budget.ts);
 *                  a peer that has spent it has its socket paused until a token is back,
 *                  so one flapping peer cannot starve the others' input.
 *   unknown peers  a connection from an address that is no configured peer was already
 *                  destroyed by the listener, before any state existed; here it is only
 *                  counted (bgp_rr_unknown_connections_total) and logged at most once per
 *                  interval, with a count and a few sample addresses (bounded memory).
 *   commands       the route engine's session commands (its prefix limit, engine/
 *                  prefix-limit.ts, decides): Cease a session and keep it down, start it
 *                  again when the backoff is over, ask a peer for a route refresh.
 */
import { Counter, type Registry } from 'prom-client';
import type { Speaker } from '@bgp-rr/bgp-speaker';
import type { SessionCommand } from '../engine/vocabulary.js';
import { UpdateBudget, type UpdateBudgetOptions } from './update-budget.js';

export interface GuardLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface PeerGuardOptions {
  /** Per-peer UPDATE processing budget (default 2,000/s sustained, bursts of 10,000). */
  readonly updateBudget?: UpdateBudgetOptions;
  /** Shortest interval between two "unknown connections" log lines (default 60 s). */
  readonly unknownLogIntervalMs?: number;
  /** Whether a peer kept down for its limit may start again now (false while draining or stopping). */
  readonly canRestart?: (address: string) => boolean;
  readonly now?: () => number;
}

/** How many sample addresses an "unknown connections" log line names. */
const UNKNOWN_SAMPLES = 8;

export class PeerGuard {
  readonly budget: UpdateBudget;
  readonly unknownConnections: Counter;
  readonly #now: () => number;
  #unknown = { count: 0, since: 0, samples: new Set<string>(), logged: -Infinity };

  constructor(
    private readonly speaker: Speaker,
    private readonly log: GuardLogger,
    registry: Registry,
    private readonly o: PeerGuardOptions = {},
  ) {
    this.#now = o.now ?? Date.now;
    this.budget = new UpdateBudget(o.updateBudget);
    this.unknownConnections = new Counter({ name: 'bgp_rr_unknown_connections_total', help: 'TCP connections from addresses that are no peer, closed at once', registers: [registry] });
  }

  /** Subscribes to the speaker; call after the route engine's own 'update' handler. */
  wire(): void {
    this.speaker.on('update', (peer) => {
      const ms = this.budget.charge(peer.address, 1, this.#now());
      if (ms > 0 && peer.state === 'Established') this.speaker.pauseReading(peer, ms);
    });
    this.speaker.on('unknownConnection', (remote, local) => this.unknown(remote, local));
  }

  /** Carries out one of the route engine's session commands. */
  execute(c: SessionCommand): void {
    const peer = this.speaker.getPeer(c.peer);
    if (peer === undefined) return;
    switch (c.type) {
      case 'cease':
        // ManualStop (RFC 4271 §8.1.2): no automatic restart; 'start' comes after the backoff.
        this.speaker.close(peer, { subcode: c.subcode, data: c.data, restart: false });
        return;
      case 'start':
        if (peer.state !== 'Idle' || (this.o.canRestart !== undefined && !this.o.canRestart(c.peer))) return;
        this.log.info({ peer: c.peer }, 'prefix limit backoff over: session starts again');
        this.speaker.start(peer);
        return;
      case 'requestRefresh':
        if (peer.state !== 'Established') return;
        this.log.info({ peer: c.peer, family: c.family }, 'back under the prefix limit after dropping paths: route refresh asked (RFC 2918)');
        this.speaker.sendRouteRefresh(peer, c.family);
        return;
    }
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
    this.budget.forget(address);
  }
}
