/**
 * The speaker: the peer table. Owns the listeners and one `PeerSession` per configured
 * peer, and turns what sessions see into typed events. This is the API the reflector
 * daemon builds on (the decision process and update groups live above it; nothing here
 * keeps routes).
 *
 *   addPeer/updatePeer/removePeer ──► PeerSession (session/) ──► events:
 *   listen([addr:port])                 FSM + Transport           state, established,
 *   send(peer, frames) ◄── drain ◄──                              update, eor, routeRefresh,
 *                                                                  notification, drain,
 *                                                                  unknownConnection
 *
 * Backpressure (DESIGN.md §4): `send` returns false once the peer's socket buffer is
 * above its high-water mark; feed that peer again on its 'drain' event.
 *
 * Time: everything comes from the injected Clock (SpeakerOptions.clock). Timestamps handed
 * out (PeerStats.since, PeerStats.lastErrorAt) are wall-clock ms since the epoch
 * (Clock.wallNow()); FSM timer deadlines (Peer.fsm) are monotonic ms (Clock.now()). No
 * event payload carries a time: an observer that wants one reads its own clock.
 */
import { EventEmitter } from 'node:events';
import type { DecodedUpdate } from './wire/update.js';
import { CeaseSubcode, ErrorCode } from './wire/errors.js';
import { encodeShutdownNotification } from './wire/notification.js';
import { encodeAttributes } from './wire/update-encode.js';
import { encodeEndOfRib, packUpdates, packWithdrawals } from './wire/pack.js';
import { encodeRouteRefresh, ROUTE_REFRESH_SUBTYPE, type RouteRefreshSubtypeName } from './wire/route-refresh.js';
import { MessageType, type Family, type Nlri, type PathAttributes } from './wire/types.js';
import type { NotificationSpec, State } from './fsm/state.js';
import type { Negotiated } from './fsm/negotiate.js';
import { realClock, type Clock } from './session/clock.js';
import { resolvePeerConfig, sessionSettingsDiffer } from './session/config.js';
import { Listener } from './session/listener.js';
import { normaliseAddress } from './session/address.js';
import { PeerSession, type SessionObserver } from './session/session.js';

export type { AddPathSetting, GracefulRestartSetting, Negotiated } from './fsm/negotiate.js';
export type { State, NotificationSpec } from './fsm/state.js';

import type { NotificationDirection, NotificationEvent, Peer, PeerConfig } from './session/peer.js';

export type { MessageCounts, NotificationDirection, NotificationEvent, Peer, PeerConfig, PeerStats } from './session/peer.js';

export interface SpeakerEvents {
  state: [peer: Peer, from: State, to: State, reason: string];
  established: [peer: Peer, negotiated: Negotiated];
  /** An UPDATE other than End-of-RIB. `update.action` 'treat-as-withdraw' means every NLRI in it is withdrawn (RFC 7606 §2). */
  update: [peer: Peer, update: DecodedUpdate];
  eor: [peer: Peer, family: Family];
  /**
   * A ROUTE-REFRESH for a negotiated family: 'request' (RFC 2918: send the Adj-RIB-Out
   * for `family` again; toward a peer with `negotiated.enhancedRouteRefresh`, between a
   * BoRR and an EoRR, RFC 7313 §4), or the peer's RFC 7313 markers 'borr' / 'eorr'
   * (it begins / ends re-sending its routes for `family`: mark them stale / drop the
   * ones still stale). The session layer already ignored what the RFCs say to ignore
   * (other subtypes, RFC 7313 §5; families not negotiated, RFC 2918 §4); pairing a BoRR
   * with its EoRR is the consumer's business.
   */
  routeRefresh: [peer: Peer, family: Family, subtype: RouteRefreshSubtypeName];
  notification: [peer: Peer, direction: NotificationDirection, notification: NotificationEvent];
  /** A connection from an address that is no peer: already destroyed, no state kept. */
  unknownConnection: [remoteAddress: string, localAddress: string];
  /** The peer's socket buffer went below its low-water mark: feed it again. */
  drain: [peer: Peer];
  /** Listener failures and similar (never per-message problems: those are NOTIFICATIONs). */
  error: [error: Error];
}

export interface ListenAddress {
  readonly address: string;
  /** Default 179; 0 picks a free port (see `listening()`). */
  readonly port?: number;
}

export interface CloseOptions {
  /** Cease subcode (RFC 4486), default 2 Administrative Shutdown. */
  readonly subcode?: number;
  /** RFC 8203/9003 shutdown communication (subcodes 2 and 4 only). */
  readonly message?: string;
  /** Restart automatically after the idle hold time (default true). */
  readonly restart?: boolean;
  /** NOTIFICATION data when there is no shutdown communication (e.g. RFC 4486 §4 for subcode 1). */
  readonly data?: Uint8Array;
}

export interface SpeakerOptions {
  /** Injected clock; default the real one (session/clock.ts). */
  readonly clock?: Clock;
  /** Listen backlog (default 4096, capped by net.core.somaxconn). */
  readonly backlog?: number;
  /**
   * TCP connections one listening socket holds at most, sessions and not yet
   * OPEN-checked ones together (default 10,000); beyond it new connections are closed
   * at accept. Unknown addresses hold none (closed at once); a peer holds at most two
   * (its session and one collision candidate, RFC 4271 §6.8).
   */
  readonly maxConnections?: number;
}

/** The peer table API (implemented by `Speaker`). */
export interface PeerTable {
  addPeer(config: PeerConfig): Peer;
  /**
   * Applies a new config; resets the session (Cease 6/6) when a session setting changed.
   * Changing only the graceful restart R-bit (`restarting`) never resets: it goes into the next OPEN.
   */
  updatePeer(address: string, config: PeerConfig): Peer;
  /** Stops and forgets the peer (Cease 6/3 Peer De-configured unless told otherwise). */
  removePeer(address: string, opts?: { notification?: CloseOptions }): void;
  getPeer(address: string): Peer | undefined;
  peers(): IterableIterator<Peer>;
  listen(addresses: readonly ListenAddress[]): Promise<void>;
  /** Bound listener endpoints ("addr:port"). */
  listening(): readonly { address: string; port: number }[];
  /**
   * Queues encoded messages (one batched socket write per tick). Returns false when the
   * peer is not Established (frames dropped: wait for 'established') or when the socket
   * buffer is above its high-water mark (frames queued: wait for 'drain').
   */
  send(peer: Peer, frames: readonly Uint8Array[]): boolean;
  /** Packs and queues UPDATEs for `nlri` sharing `attributes` (IPv6: MP_REACH_NLRI with `nextHop`). */
  sendUpdate(peer: Peer, family: Family, attributes: PathAttributes, nlri: readonly Nlri[], nextHop?: Uint8Array): boolean;
  sendWithdrawals(peer: Peer, family: Family, nlri: readonly Nlri[]): boolean;
  /** RFC 4724 §2 End-of-RIB marker. */
  sendEndOfRib(peer: Peer, family: Family): boolean;
  /**
   * Encodes and queues one ROUTE-REFRESH: a request (RFC 2918, default) or a BoRR/EoRR
   * (RFC 7313). Returns what `send` returns; also false, nothing queued, when the peer
   * did not advertise the capability the subtype needs (Route Refresh for 'request',
   * RFC 2918 §3; Enhanced Route Refresh for 'borr'/'eorr', RFC 7313 §4). The family is
   * not checked: one the session did not negotiate is sent, and the peer ignores it
   * (RFC 2918 §4), which is what tests of a receiver want.
   */
  sendRouteRefresh(peer: Peer, family: Family, subtype?: RouteRefreshSubtypeName): boolean;
  close(peer: Peer, opts?: CloseOptions): void;
  /** TCP close with no NOTIFICATION (graceful restart, RFC 4724). */
  closeSilently(peer: Peer): void;
  pauseReading(peer: Peer, ms: number): void;
  /** Cease to every peer, closes listeners, resolves when sockets are closed. */
  stop(opts?: CloseOptions): Promise<void>;
}


/** The Cease NOTIFICATION for CloseOptions (RFC 4486 subcode, RFC 9003 shutdown communication). */
export function ceaseNotification(opts: CloseOptions | undefined, defaultSubcode: number): NotificationSpec {
  const subcode = opts?.subcode ?? defaultSubcode;
  const withText = opts?.message !== undefined && (subcode === CeaseSubcode.ADMIN_SHUTDOWN || subcode === CeaseSubcode.ADMIN_RESET);
  const data = withText ? encodeShutdownNotification(subcode, opts.message!).data : (opts?.data ?? new Uint8Array(0));
  return { code: ErrorCode.CEASE, subcode, data, ...(opts?.message !== undefined ? { message: opts.message } : {}) };
}

export class Speaker extends EventEmitter<SpeakerEvents> implements PeerTable {
  private readonly table = new Map<string, PeerSession>();
  private readonly clock: Clock;
  private readonly listener: Listener;
  private readonly observer: SessionObserver = {
    state: (p, from, to, reason) => this.emit('state', p, from, to, reason),
    established: (p, n) => this.emit('established', p, n),
    update: (p, u) => this.emit('update', p, u),
    eor: (p, f) => this.emit('eor', p, f),
    routeRefresh: (p, f, subtype) => this.emit('routeRefresh', p, f, subtype),
    notification: (p, dir, n) => this.emit('notification', p, dir, n),
    drain: (p) => this.emit('drain', p),
  };

  constructor(opts: SpeakerOptions = {}) {
    super();
    this.clock = opts.clock ?? realClock;
    this.listener = new Listener(
      {
        route: (remote) => {
          const s = this.table.get(remote);
          return s ? (socket) => s.accept(socket) : undefined;
        },
        onUnknown: (remote, local) => this.emit('unknownConnection', remote, local),
        onError: (err) => {
          if (this.listenerCount('error') > 0) this.emit('error', err);
        },
      },
      opts.backlog ?? 4096,
      opts.maxConnections ?? 10_000,
    );
  }

  addPeer(config: PeerConfig): Peer {
    const settings = resolvePeerConfig(config);
    if (this.table.has(settings.peerAddress)) throw new RangeError(`peer ${settings.peerAddress} already exists`);
    if (settings.password !== undefined) this.listener.setMd5Key(settings.peerAddress, settings.password);
    const s = new PeerSession(config, settings, this.clock, this.observer);
    this.table.set(s.address, s);
    s.start();
    return s;
  }

  updatePeer(address: string, config: PeerConfig): Peer {
    const s = this.session(address);
    const settings = resolvePeerConfig(config);
    if (settings.peerAddress !== s.address) throw new RangeError(`updatePeer cannot change the peer address ${s.address}`);
    if (settings.password !== s.settings.password) this.listener.setMd5Key(s.address, settings.password ?? '');
    s.config = config;
    const reset = sessionSettingsDiffer(s.settings, settings);
    s.settings = settings;
    // AutomaticStop: the session restarts with the new settings after IdleHoldTime.
    if (reset) s.close(ceaseNotification(undefined, CeaseSubcode.OTHER_CONFIGURATION_CHANGE), true);
    return s;
  }

  removePeer(address: string, opts: { notification?: CloseOptions } = {}): void {
    const s = this.session(address);
    this.table.delete(s.address);
    void s.shutdown(ceaseNotification(opts.notification, CeaseSubcode.PEER_DECONFIGURED));
    if (s.settings.password !== undefined) {
      try {
        this.listener.setMd5Key(s.address, '');
      } catch (err) {
        if (this.listenerCount('error') > 0) this.emit('error', err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  /** Starts a peer again after `close(peer, { restart: false })` (ManualStart, RFC 4271 §8.1.2). */
  start(peer: Peer): void {
    const s = this.session(peer.address);
    if (s.state === 'Idle') s.start();
  }

  getPeer(address: string): Peer | undefined {
    return this.table.get(normaliseAddress(address));
  }

  peers(): IterableIterator<Peer> {
    return this.table.values();
  }

  listen(addresses: readonly ListenAddress[]): Promise<void> {
    return this.listener.listen(addresses);
  }

  listening(): readonly { address: string; port: number }[] {
    return this.listener.bound();
  }

  send(peer: Peer, frames: readonly Uint8Array[]): boolean {
    return this.session(peer.address).send(frames);
  }

  /** Packs and sends `nlri` sharing `attributes` (IPv6: `nextHop` = 16 or 32 bytes for MP_REACH_NLRI). */
  sendUpdate(peer: Peer, family: Family, attributes: PathAttributes, nlri: readonly Nlri[], nextHop?: Uint8Array): boolean {
    const ctx = peer.negotiated?.codec;
    if (!ctx) return false;
    const attrs = encodeAttributes(attributes, ctx);
    return this.send(peer, packUpdates(family, attrs, nlri, ctx, nextHop ? { nextHop } : {}));
  }

  sendWithdrawals(peer: Peer, family: Family, nlri: readonly Nlri[]): boolean {
    const ctx = peer.negotiated?.codec;
    return ctx ? this.send(peer, packWithdrawals(family, nlri, ctx)) : false;
  }

  /** RFC 4724 §2 End-of-RIB marker. */
  sendEndOfRib(peer: Peer, family: Family): boolean {
    return this.send(peer, [encodeEndOfRib(family)]);
  }

  sendRouteRefresh(peer: Peer, family: Family, subtype: RouteRefreshSubtypeName = 'request'): boolean {
    const n = peer.negotiated;
    if (!n || !(subtype === 'request' ? n.routeRefresh : n.enhancedRouteRefresh)) return false;
    const m = { type: MessageType.ROUTE_REFRESH, afi: family.afi, subtype: ROUTE_REFRESH_SUBTYPE[subtype], safi: family.safi } as const;
    return this.send(peer, [encodeRouteRefresh(m)]);
  }

  /** Input fairness: stops reading the peer's socket for `ms` (its own budget is spent). */
  pauseReading(peer: Peer, ms: number): void {
    this.session(peer.address).pauseReading(ms);
  }

  close(peer: Peer, opts: CloseOptions = {}): void {
    this.session(peer.address).close(ceaseNotification(opts, CeaseSubcode.ADMIN_SHUTDOWN), opts.restart ?? true);
  }

  closeSilently(peer: Peer): void {
    this.session(peer.address).closeSilently('closed locally without NOTIFICATION (graceful restart, RFC 4724)');
  }

  async stop(opts?: CloseOptions): Promise<void> {
    const n = ceaseNotification(opts, CeaseSubcode.ADMIN_SHUTDOWN);
    const sessions = [...this.table.values()];
    this.table.clear();
    await Promise.all([this.listener.close(), ...sessions.map((s) => s.shutdown(n))]);
  }

  private session(address: string): PeerSession {
    const s = this.table.get(normaliseAddress(address));
    if (!s) throw new RangeError(`no peer ${address}`);
    return s;
  }
}
