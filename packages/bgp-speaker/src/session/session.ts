/**
 * One peer's FSM run (RFC 4271 §8) over real sockets: dials and/or accepts, exchanges
 * OPENs, keeps the session alive, turns every received message into an FSM event and
 * every FSM action into socket I/O. Emits typed events to one observer (the speaker).
 *
 * Connections (§6.8): `conn` is the connection the FSM runs on (in Connect, the dial in
 * progress). A second connection arriving in OpenSent/OpenConfirm becomes `candidate`: we
 * send our OPEN on it and, once both OPENs are known, keep the one initiated by the side
 * with the higher BGP Identifier (fsm/collision.ts). If the FSM's connection loses, the FSM
 * goes to Idle (Cease 6/7 sent) and restarts at once on the candidate:
 * Idle → Active → OpenSent → OpenConfirm, each step with its reason.
 *
 * In Established a new connection is refused (§6.8, CollisionDetectEstablishedState off),
 * unless the peer advertised graceful restart: then it means the peer restarted
 * (RFC 4724 §4.2): the old connection is dropped without NOTIFICATION and the FSM
 * restarts on the new one.
 *
 * ROUTE-REFRESH in: the session passes up only what a consumer must act on. A Message
 * Subtype other than 0/1/2 is ignored (RFC 7313 §5), and so is a family that was not
 * negotiated: RFC 2918 §4 says to ignore one we did not advertise, and one only we
 * advertised carries no routes on this session (RFC 4760 §8), so there is nothing to
 * refresh. Both are still counted as received.
 *
 * Time: timers run on `clock.now()` (monotonic); the timestamps in PeerStats come from
 * `clock.wallNow()` (wall clock), so both follow the injected clock.
 */
import type { Socket } from 'node:net';
import type { DecodedUpdate } from '../wire/update.js';
import { ErrorCode, FsmSubcode, OpenSubcode, type WireError } from '../wire/errors.js';
import { familyKey, type Family, type OpenMessage } from '../wire/types.js';
import { routeRefreshSubtypeName, type RouteRefreshSubtypeName } from '../wire/route-refresh.js';
import { resolveCollision } from '../fsm/collision.js';
import { buildOpen, negotiate, type Negotiated } from '../fsm/negotiate.js';
import { INITIAL_FSM_STATE, State, type FsmAction, type FsmEnv, type FsmEvent, type FsmState, type NotificationSpec } from '../fsm/state.js';
import { dueTimer, nextDeadline, transition } from '../fsm/transition.js';
import type { MessageCounts, NotificationDirection, NotificationEvent, Peer, PeerConfig, PeerStats } from './peer.js';
import { decodeInbound, expectedInState, unexpectedEvent } from './inbound.js';
import { COLLISION_NOTIFICATION, COUNTER, counts, notificationEvent, openEvent, type ErrorEventType } from './messages.js';
import { jitterFactor, type Clock } from './clock.js';
import { Connection } from './connection.js';
import { DeadlineTimer } from './deadline-timer.js';
import type { SessionSettings } from './config.js';
import { describeSocketError } from './transport.js';

export interface SessionObserver {
  state(s: PeerSession, from: State, to: State, reason: string): void;
  established(s: PeerSession, negotiated: Negotiated): void;
  update(s: PeerSession, update: DecodedUpdate): void;
  eor(s: PeerSession, family: Family): void;
  /** Only subtypes 0/1/2 for a negotiated family (see the header). */
  routeRefresh(s: PeerSession, family: Family, subtype: RouteRefreshSubtypeName): void;
  notification(s: PeerSession, direction: NotificationDirection, n: NotificationEvent): void;
  drain(s: PeerSession): void;
}

export class PeerSession implements Peer {
  fsm: FsmState = INITIAL_FSM_STATE;
  negotiated: Negotiated | null = null;
  private conn: Connection | null = null;
  private candidate: Connection | null = null;
  private readonly received = counts();
  private readonly sent = counts();
  /** Wall-clock ms (clock.wallNow()) of the last state change. */
  private since: number;
  private lastError: string | null = null;
  /** Wall-clock ms at which lastError was last set. */
  private lastErrorAt: number | null = null;
  private establishedTransitions = 0;
  private readonly timer: DeadlineTimer;
  private readonly env: FsmEnv;

  constructor(
    public config: PeerConfig,
    public settings: SessionSettings,
    private readonly clock: Clock,
    private readonly observer: SessionObserver,
  ) {
    this.since = clock.wallNow();
    this.timer = new DeadlineTimer(clock, () => this.timersDue());
    this.env = {
      get now() {
        return clock.now();
      },
      jitter: () => jitterFactor(clock),
    };
  }

  get address(): string {
    return this.settings.peerAddress;
  }
  get state(): State {
    return this.fsm.state;
  }
  get localEndpoint(): string | null {
    return this.conn?.transport?.localEndpoint ?? null;
  }
  get remoteEndpoint(): string | null {
    return this.conn?.transport?.remoteEndpoint ?? null;
  }
  get stats(): PeerStats {
    const { received, sent, since, lastError, lastErrorAt, establishedTransitions } = this;
    return { received, sent, since, lastError, lastErrorAt, establishedTransitions };
  }

  /** ManualStart (or its passive variant, §8.1.2). */
  start(): void {
    this.feed({ type: this.settings.fsm.passive ? 'ManualStart_with_PassiveTcpEstablishment' : 'ManualStart' });
  }

  /** Ends the session with a Cease NOTIFICATION; `restart` = AutomaticStop (restarts after idle hold), else ManualStop. */
  close(notification: NotificationSpec, restart: boolean): void {
    this.dropCandidate(notification);
    this.feed({ type: restart ? 'AutomaticStop' : 'ManualStop', notification });
  }

  /** Drops the TCP connection without NOTIFICATION (RFC 4724: the peer keeps our routes). */
  closeSilently(cause: string): void {
    this.dropCandidate();
    if (this.conn?.connected) this.feed({ type: 'TcpConnectionFails', cause, local: true });
  }

  /** Stops for good: no restart, timers off; resolves when the socket is closed. */
  shutdown(notification: NotificationSpec): Promise<void> {
    const c = this.conn;
    this.close(notification, false);
    this.timer.cancel();
    return c ? c.whenClosed() : Promise.resolve();
  }

  /** Queues encoded messages (Established only); false = not queued or above high-water mark. */
  send(frames: readonly Uint8Array[]): boolean {
    const t = this.conn?.transport;
    if (this.fsm.state !== State.Established || !t) return false;
    for (const f of frames) this.count(this.sent, f[18] ?? 0);
    return t.write(frames);
  }

  get needsDrain(): boolean {
    return this.conn?.transport?.needsDrain ?? false;
  }

  /** Stops reading this peer's socket for `ms` (see Transport.pauseReading). */
  pauseReading(ms: number): void {
    this.conn?.transport?.pauseReading(ms, this.clock);
  }

  /** An incoming connection from this peer's address (the listener's TcpConnection_Valid, §8.1.4). */
  accept(socket: Socket): void {
    if (this.fsm.state === State.Idle) {
      // Only while an automatic restart is pending: start now instead of refusing.
      if (this.fsm.idleHoldTimer === null) return void socket.destroy();
      this.feed({ type: 'AutomaticStart_with_PassiveTcpEstablishment' });
    }
    const c = new Connection('incoming', socket);
    switch (this.fsm.state) {
      case State.Connect:
      case State.Active:
        if (this.conn) this.setCandidate(this.conn); // our dial in progress: tracked for §6.8
        this.conn = c;
        this.attach(c);
        this.feed({ type: 'TcpConnectionConfirmed' });
        return;
      case State.OpenSent:
      case State.OpenConfirm:
        if (this.candidate) return void socket.destroy();
        this.attach(c);
        this.setCandidate(c);
        this.sendOpen(c);
        return;
      case State.Established:
        if (!this.negotiated?.peerGracefulRestart) return void socket.destroy(); // §6.8
        this.attach(c);
        this.setCandidate(c);
        this.feed({ type: 'TcpConnectionFails', cause: 'new connection while Established: the peer restarted (RFC 4724 §4.2)' });
        return;
      default:
        socket.destroy();
    }
  }

  // ---- the FSM driver --------------------------------------------------------------

  private feed(ev: FsmEvent): void {
    const from = this.fsm.state;
    const c = this.conn;
    const r = transition(this.fsm, ev, this.settings.fsm, this.env);
    this.fsm = r.fsm;
    for (const a of r.actions) this.act(a, c);
    const to = r.fsm.state;
    if (to !== from) this.changed(from, to, r.reason);
    // The FSM lost its connection while a second one is up: continue on that one.
    const now = this.fsm.state;
    if (this.candidate && !this.conn && to === now && (now === State.Idle || now === State.Active)) this.promoteCandidate();
    this.armTimer();
  }

  private act(a: FsmAction, c: Connection | null): void {
    switch (a.type) {
      case 'connect':
        this.dial();
        return;
      case 'sendOpen':
        if (c) this.sendOpen(c);
        return;
      case 'sendKeepalive':
        if (c) this.sendKeepalive(c);
        return;
      case 'sendNotification':
        if (c?.connected) this.notify(c, a.notification);
        return;
      case 'dropConnection':
        if (c) c.end();
        if (this.conn === c) this.conn = null;
        return;
      case 'releaseResources':
        this.negotiated = null;
        return;
    }
  }

  private changed(from: State, to: State, reason: string): void {
    this.since = this.clock.wallNow();
    if (to === State.Established) {
      this.establishedTransitions++;
      this.negotiated = this.conn?.negotiated ?? null;
    }
    if (to === State.Idle || (to === State.Active && from !== State.Idle)) this.setLastError(reason);
    this.observer.state(this, from, to, reason);
    if (to === State.Established && this.negotiated) this.observer.established(this, this.negotiated);
  }

  private armTimer(): void {
    const d = nextDeadline(this.fsm);
    const cd = this.candidate?.deadline ?? null;
    this.timer.set(d === null ? cd : cd === null ? d : Math.min(d, cd));
  }

  private timersDue(): void {
    const now = this.clock.now();
    const cand = this.candidate;
    if (cand?.deadline != null && cand.deadline <= now) {
      this.dropCandidate({ code: ErrorCode.HOLD_TIMER_EXPIRED, subcode: 0 });
    }
    // Each event moves or stops its timer, so this ends.
    for (let ev = dueTimer(this.fsm, now); ev !== null; ev = dueTimer(this.fsm, now)) this.feed(ev);
    this.armTimer();
  }

  // ---- connections -----------------------------------------------------------------

  private dial(): void {
    this.conn?.destroy();
    const s = this.settings;
    const c = Connection.dial({ host: s.peerAddress, port: s.peerPort, localAddress: s.localAddress, localPort: s.localPort });
    this.conn = c;
    const onError = (err: NodeJS.ErrnoException): void => this.dialFailed(c, describeSocketError(err));
    c.socket.once('error', onError);
    c.socket.once('connect', () => {
      c.socket.off('error', onError);
      this.dialled(c);
    });
  }

  private dialled(c: Connection): void {
    if (c === this.conn && this.fsm.state === State.Connect) {
      this.attach(c);
      this.feed({ type: 'Tcp_CR_Acked' });
    } else if (c === this.candidate) {
      this.attach(c);
      this.sendOpen(c);
    } else {
      c.destroy();
    }
  }

  private dialFailed(c: Connection, cause: string): void {
    c.destroy();
    if (c === this.conn) this.feed({ type: 'TcpConnectionFails', cause });
    else if (c === this.candidate) this.candidate = null;
  }

  private attach(c: Connection): void {
    c.attach({
      onMessage: (m) => this.message(c, m),
      onFramingError: (e) => this.wireError(c, 'BGPHeaderErr', e),
      onClose: (cause) => this.closed(c, cause),
      onDrain: () => {
        if (c === this.conn && this.fsm.state === State.Established) this.observer.drain(this);
      },
    });
  }

  private closed(c: Connection, cause: string): void {
    if (c === this.conn) this.feed({ type: 'TcpConnectionFails', cause });
    else if (c === this.candidate) this.candidate = null;
  }

  private setCandidate(c: Connection): void {
    c.deadline = this.clock.now() + this.settings.fsm.largeHoldTime * 1000;
    this.candidate = c;
  }

  private dropCandidate(n?: NotificationSpec): void {
    const c = this.candidate;
    if (!c) return;
    this.candidate = null;
    if (n && c.connected) this.notify(c, n);
    c.end();
  }

  /** The FSM fell to Idle/Active while a second connection is up: restart on it (see header). */
  private promoteCandidate(): void {
    const c = this.candidate!;
    this.candidate = null;
    if (!c.connected) return c.destroy();
    c.deadline = null;
    this.conn = c;
    if (this.fsm.state === State.Idle) this.feed({ type: 'AutomaticStart_with_PassiveTcpEstablishment' });
    this.feed({ type: c.direction === 'outgoing' ? 'Tcp_CR_Acked' : 'TcpConnectionConfirmed' });
    if (this.conn === c && c.negotiated) this.feed(openEvent(c.negotiated));
    if (this.conn === c && c.keepaliveReceived) this.feed({ type: 'KeepAliveMsg' });
  }

  // ---- messages in -----------------------------------------------------------------

  private message(c: Connection, m: Uint8Array): void {
    const type = m[18]!;
    this.count(this.received, type);
    const st = c === this.conn ? this.fsm.state : c.peerOpen ? State.OpenConfirm : State.OpenSent;
    // RFC 6608: a message the state does not expect is an FSM error, whatever its body.
    if (!expectedInState(st, type)) return this.unexpected(c, type);
    decodeInbound(m, c.codec, {
      update: (d) => this.onUpdate(c, d),
      keepalive: () => this.onKeepalive(c),
      open: (o) => this.onOpen(c, o),
      notification: (n) => this.onNotification(c, n),
      routeRefresh: (f, subtype) => this.onRouteRefresh(c, f, subtype),
      error: (ev, e) => this.wireError(c, ev, e),
    });
  }

  private unexpected(c: Connection, type: number): void {
    if (c === this.candidate) {
      const subcode = c.peerOpen ? FsmSubcode.UNEXPECTED_IN_OPENCONFIRM : FsmSubcode.UNEXPECTED_IN_OPENSENT;
      return this.dropCandidate({ code: ErrorCode.FSM, subcode });
    }
    if (c === this.conn) this.feed(unexpectedEvent(type));
  }

  private wireError(c: Connection, type: ErrorEventType, e: WireError): void {
    this.fail(c, type, { code: e.code, subcode: e.subcode, data: e.data, message: e.message });
  }

  /** An error on connection c: the FSM's event, or NOTIFICATION + close for the candidate. */
  private fail(c: Connection, type: ErrorEventType, error: NotificationSpec): void {
    if (c === this.conn) return this.feed({ type, error });
    if (c === this.candidate) this.dropCandidate(error);
  }

  private onUpdate(c: Connection, u: DecodedUpdate): void {
    if (c !== this.conn) return;
    this.feed({ type: 'UpdateMsg' });
    if (this.fsm.state !== State.Established || c !== this.conn) return;
    if (u.endOfRib) this.observer.eor(this, u.endOfRib);
    else this.observer.update(this, u);
  }

  private onKeepalive(c: Connection): void {
    if (c === this.conn) return this.feed({ type: 'KeepAliveMsg' });
    if (c !== this.candidate || !c.peerOpen) return;
    c.keepaliveReceived = true;
    // The peer went to Established on the second connection; if §6.8 says it survives, switch.
    if (!this.conn?.peerOpen && this.collision(c.peerOpen).survivor === c.direction) {
      this.feed({ type: 'OpenCollisionDump', detail: this.collision(c.peerOpen).detail });
    }
  }

  private onOpen(c: Connection, open: OpenMessage): void {
    const r = negotiate(this.settings.local, this.settings.peerAs, open);
    if (!r.ok) return this.fail(c, 'BGPOpenMsgErr', r.error);
    c.peerOpen = open;
    c.negotiated = r.negotiated;
    if (c === this.conn) {
      const other = this.candidate;
      if (this.fsm.state === State.OpenSent && other?.peerOpen) {
        // Two connections of the same direction: the newer one wins.
        if (other.direction === c.direction || this.collision(open).survivor === other.direction) {
          return this.feed({ type: 'OpenCollisionDump', detail: this.collision(open).detail });
        }
        this.dropCandidate(COLLISION_NOTIFICATION);
      }
      c.codec = r.negotiated.codec;
      return this.feed(openEvent(r.negotiated));
    }
    if (c !== this.candidate) return;
    c.codec = r.negotiated.codec;
    if (this.fsm.state === State.OpenConfirm || this.fsm.state === State.Established) {
      // Both OPENs known: §6.8. Two connections of the same direction: the newer one wins.
      const keepCandidate = this.conn?.direction === c.direction || this.collision(open).survivor === c.direction;
      if (this.fsm.state === State.OpenConfirm && keepCandidate) {
        return this.feed({ type: 'OpenCollisionDump', detail: this.collision(open).detail });
      }
      return this.dropCandidate(COLLISION_NOTIFICATION);
    }
    // FSM still in OpenSent: the candidate waits in its own OpenConfirm.
    this.sendKeepalive(c);
  }

  private onNotification(c: Connection, n: { code: number; subcode: number; data: Uint8Array }): void {
    const ev = notificationEvent(n);
    this.observer.notification(this, 'received', ev);
    if (c === this.candidate) {
      this.candidate = null;
      return c.end();
    }
    if (c !== this.conn) return;
    const version = n.code === ErrorCode.OPEN_MESSAGE && n.subcode === OpenSubcode.UNSUPPORTED_VERSION;
    this.feed({ type: version ? 'NotifMsgVerErr' : 'NotifMsg', notification: ev });
  }

  private onRouteRefresh(c: Connection, family: Family, subtype: number): void {
    if (c !== this.conn) return;
    this.feed({ type: 'RouteRefreshMsg' });
    if (this.fsm.state !== State.Established || c !== this.conn) return;
    const name = routeRefreshSubtypeName(subtype);
    if (name === null) return; // RFC 7313 §5
    const key = familyKey(family.afi, family.safi);
    if (!this.negotiated?.families.some((f) => familyKey(f.afi, f.safi) === key)) return; // RFC 2918 §4
    this.observer.routeRefresh(this, family, name);
  }

  // ---- messages out ----------------------------------------------------------------

  private sendOpen(c: Connection): void {
    if (c.sendOpen(buildOpen(this.settings.local))) this.sent.open++;
  }

  private sendKeepalive(c: Connection): void {
    c.sendKeepalive();
    this.sent.keepalive++;
  }

  private notify(c: Connection, n: NotificationSpec): void {
    const data = c.sendNotification(n);
    this.sent.notification++;
    const ev = notificationEvent({ code: n.code, subcode: n.subcode, data }, n.message);
    this.setLastError(`notification sent: ${ev.text}`);
    this.observer.notification(this, 'sent', ev);
  }

  private setLastError(text: string): void {
    this.lastError = text;
    this.lastErrorAt = this.clock.wallNow();
  }

  private count(into: MessageCounts, type: number): void {
    const k = COUNTER[type];
    if (k) into[k]++;
  }

  private collision(open: OpenMessage): { survivor: 'outgoing' | 'incoming'; detail: string } {
    return resolveCollision(this.settings.local.routerId, this.settings.local.localAs, open.bgpId, this.settings.peerAs);
  }
}
