/**
 * RFC 4271 §8.2.2 finite state machine as a pure transition function:
 * `transition(fsm, event, config, env) → { fsm, actions, reason }`.
 *
 *   ManualStart / AutomaticStart                      Tcp_CR_Acked /
 *   ┌──────┐ ──────────────────────► ┌─────────┐ TcpConnectionConfirmed ┌──────────┐
 *   │ Idle │                         │ Connect │ ─────────────────────► │ OpenSent │
 *   └──────┘ ◄──── errors ────────── └─────────┘ ◄──┐                   └──────────┘
 *     │  ▲                         TcpConn- │  ▲ ConnectRetry-      ▲     │ BGPOpen
 *     │  │ errors, ManualStop,      Fails   ▼  │ Timer_Expires     │     │ (send KEEPALIVE)
 *     │  │ HoldTimer_Expires,     ┌────────┐   │                   │     ▼
 *     │  │ NOTIFICATION          │ Active │ ──┘  TcpConnection-   │  ┌─────────────┐
 *     │  └─────────────────────── └────────┘ ────Confirmed────────┘  │ OpenConfirm │
 *     │  passive start               ▲                               └─────────────┘
 *     └──────────────────────────────┘                                     │ KeepAliveMsg
 *                 every state falls back to Idle on errors                  ▼
 *                 (NOTIFICATION sent where §6 says so)             ┌─────────────┐
 *                                                                  │ Established │ ◄─ KeepAliveMsg,
 *                                                                  └─────────────┘    UpdateMsg
 *
 * Notes where we depart from the letter of §8.2.2 (each as BIRD and GoBGP do):
 * - Connect + TcpConnectionFails → Active (restart ConnectRetryTimer, keep listening), as
 *   the RFC does when DelayOpen is running, instead of Idle: a refused dial must not stop
 *   us from accepting the peer's own connection.
 * - A passive peer never runs the ConnectRetryTimer, so it stays in Active.
 * - NotifMsg in OpenSent: no FSM-error NOTIFICATION is sent back to a peer that has just
 *   closed with its own NOTIFICATION.
 * - BGPHeaderErr/BGPOpenMsgErr in Established send their own §6 NOTIFICATION, not an FSM error.
 * - Automatic restart (§8.1.1 AllowAutomaticStart) is driven by an IdleHoldTimer armed when
 *   the session falls to Idle for any reason but ManualStop/AutomaticStop.
 * - KEEPALIVEs are sent every KeepaliveTime even while UPDATEs flow (harmless, §4.4).
 */
import { CeaseSubcode, ErrorCode, FsmSubcode, describeNotification } from '../wire/errors.js';
import {
  State,
  type FsmAction,
  type FsmConfig,
  type FsmEnv,
  type FsmEvent,
  type FsmState,
  type NotificationSpec,
  type TransitionResult,
} from './state.js';

const NONE: readonly FsmAction[] = [];
const DROP: FsmAction = { type: 'dropConnection' };
const RELEASE: FsmAction = { type: 'releaseResources' };
const SEND_KEEPALIVE: readonly FsmAction[] = [{ type: 'sendKeepalive' }];

const ADMIN_SHUTDOWN: NotificationSpec = { code: ErrorCode.CEASE, subcode: CeaseSubcode.ADMIN_SHUTDOWN };
const HOLD_TIMER_EXPIRED: NotificationSpec = { code: ErrorCode.HOLD_TIMER_EXPIRED, subcode: 0 };
const COLLISION: NotificationSpec = { code: ErrorCode.CEASE, subcode: CeaseSubcode.CONNECTION_COLLISION_RESOLUTION };
/** RFC 6608 §3: FSM error subcode names the state the unexpected event arrived in. */
const FSM_ERROR: Partial<Record<State, NotificationSpec>> = {
  OpenSent: { code: ErrorCode.FSM, subcode: FsmSubcode.UNEXPECTED_IN_OPENSENT },
  OpenConfirm: { code: ErrorCode.FSM, subcode: FsmSubcode.UNEXPECTED_IN_OPENCONFIRM },
  Established: { code: ErrorCode.FSM, subcode: FsmSubcode.UNEXPECTED_IN_ESTABLISHED },
};

/** Text for a NOTIFICATION in reasons: "Cease / Administrative Shutdown (6/2): text". */
export function notificationText(n: NotificationSpec): string {
  const text = `${describeNotification(n.code, n.subcode)} (${n.code}/${n.subcode})`;
  return n.message ? `${text}: ${n.message}` : text;
}

/**
 * Reason text of TcpConnectionFails (RFC 4271 §8.1.4 Event 18): a connection we closed
 * ourselves is not said to have failed.
 */
function tcpFailReason(ev: { readonly cause: string; readonly local?: boolean }): string {
  return ev.local === true ? ev.cause : `TCP connection failed: ${ev.cause}`;
}

const secs = (env: FsmEnv, s: number, jitter: boolean): number => env.now + s * 1000 * (jitter ? env.jitter() : 1);

function stay(s: FsmState, reason: string, actions: readonly FsmAction[] = NONE): TransitionResult {
  return { fsm: s, actions, reason };
}

type Counter = 'reset' | 'increment' | 'keep';

/** Falls back to Idle: all timers stopped, the connection dropped, resources released. */
function toIdle(
  s: FsmState,
  cfg: FsmConfig,
  env: FsmEnv,
  reason: string,
  opts: { notify?: NotificationSpec; counter: Counter; restart: boolean },
): TransitionResult {
  const actions: FsmAction[] = [];
  if (opts.notify) actions.push({ type: 'sendNotification', notification: opts.notify });
  actions.push(DROP, RELEASE);
  const counter =
    opts.counter === 'reset' ? 0 : opts.counter === 'increment' ? s.connectRetryCounter + 1 : s.connectRetryCounter;
  return {
    fsm: {
      state: State.Idle,
      connectRetryCounter: counter,
      holdTime: 0,
      keepaliveTime: 0,
      connectRetryTimer: null,
      holdTimer: null,
      keepaliveTimer: null,
      idleHoldTimer: opts.restart && cfg.allowAutomaticStart ? secs(env, cfg.idleHoldTime, false) : null,
    },
    actions,
    reason,
  };
}

/** Connect or Active after a start event (§8.2.2 Idle state). */
function start(s: FsmState, cfg: FsmConfig, env: FsmEnv, passive: boolean, reason: string): TransitionResult {
  const active = !passive && !cfg.passive;
  return {
    fsm: {
      ...s,
      state: active ? State.Connect : State.Active,
      connectRetryCounter: 0,
      connectRetryTimer: cfg.passive ? null : secs(env, cfg.connectRetryTime, true),
      idleHoldTimer: null,
    },
    actions: active ? [{ type: 'connect' }] : NONE,
    reason,
  };
}

/** Tcp_CR_Acked / TcpConnectionConfirmed in Connect or Active: send OPEN, → OpenSent. */
function connected(s: FsmState, cfg: FsmConfig, env: FsmEnv, reason: string): TransitionResult {
  return {
    fsm: { ...s, state: State.OpenSent, connectRetryTimer: null, holdTimer: secs(env, cfg.largeHoldTime, false) },
    actions: [{ type: 'sendOpen' }],
    reason,
  };
}

function stopEvent(
  s: FsmState,
  cfg: FsmConfig,
  env: FsmEnv,
  ev: { type: 'ManualStop' | 'AutomaticStop'; notification?: NotificationSpec },
  notify: boolean,
): TransitionResult {
  const n = ev.notification ?? ADMIN_SHUTDOWN;
  const counter: Counter = ev.type === 'ManualStop' ? 'reset' : 'increment';
  const reason = ev.type === 'ManualStop' ? 'ManualStop' : 'AutomaticStop';
  return toIdle(s, cfg, env, notify ? `${reason}: ${notificationText(n)}` : reason, {
    ...(notify ? { notify: n } : {}),
    counter,
    // ManualStop is final; AutomaticStop (e.g. a configuration change) restarts after IdleHoldTime.
    restart: ev.type === 'AutomaticStop',
  });
}

function restartHold(s: FsmState, env: FsmEnv): FsmState {
  return s.holdTime > 0 ? { ...s, holdTimer: env.now + s.holdTime * 1000 } : s;
}

function idle(s: FsmState, ev: FsmEvent, cfg: FsmConfig, env: FsmEnv): TransitionResult {
  switch (ev.type) {
    case 'ManualStart':
      return start(s, cfg, env, false, 'ManualStart');
    case 'AutomaticStart':
      return start(s, cfg, env, false, 'AutomaticStart');
    case 'IdleHoldTimer_Expires':
      return start(s, cfg, env, false, 'idle hold timer expired: automatic restart');
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
      return start(s, cfg, env, true, ev.type);
    case 'ManualStop':
    case 'AutomaticStop':
      // Ignored by §8.2.2, but it cancels a pending automatic restart.
      return stay({ ...s, idleHoldTimer: null }, `${ev.type} in Idle`);
    default:
      return stay(s, `${ev.type} ignored in Idle`);
  }
}

/** Connect and Active (§8.2.2): no BGP message can arrive yet. */
function connecting(s: FsmState, ev: FsmEvent, cfg: FsmConfig, env: FsmEnv): TransitionResult {
  switch (ev.type) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
      return stay(s, `${ev.type} ignored in ${s.state}`);
    case 'ManualStop':
    case 'AutomaticStop':
      return stopEvent(s, cfg, env, ev, false);
    case 'ConnectRetryTimer_Expires':
      return {
        fsm: { ...s, state: State.Connect, connectRetryTimer: secs(env, cfg.connectRetryTime, true) },
        actions: [{ type: 'connect' }],
        reason: 'connect retry timer expired: connecting',
      };
    case 'Tcp_CR_Acked':
      return connected(s, cfg, env, 'TCP connection established (we dialled)');
    case 'TcpConnectionConfirmed':
      return connected(s, cfg, env, 'TCP connection accepted (peer dialled)');
    case 'TcpConnectionFails':
      if (s.state === State.Connect) {
        return {
          fsm: { ...s, state: State.Active, connectRetryTimer: cfg.passive ? null : secs(env, cfg.connectRetryTime, true) },
          actions: [DROP],
          reason: tcpFailReason(ev),
        };
      }
      return toIdle(s, cfg, env, tcpFailReason(ev), { counter: 'increment', restart: true });
    default:
      return toIdle(s, cfg, env, `unexpected ${ev.type} in ${s.state}`, { counter: 'increment', restart: true });
  }
}

/** Events handled alike in OpenSent, OpenConfirm and Established; undefined = state-specific. */
function common(s: FsmState, ev: FsmEvent, cfg: FsmConfig, env: FsmEnv): TransitionResult | undefined {
  switch (ev.type) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
      return stay(s, `${ev.type} ignored in ${s.state}`);
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      // §8.2.2: a second connection is tracked by the session layer for §6.8.
      return stay(s, `second connection in ${s.state}: tracked for collision detection (RFC 4271 §6.8)`);
    case 'ManualStop':
    case 'AutomaticStop':
      return stopEvent(s, cfg, env, ev, true);
    case 'HoldTimer_Expires':
      return toIdle(s, cfg, env, 'hold timer expired', { notify: HOLD_TIMER_EXPIRED, counter: 'increment', restart: true });
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
    case 'UpdateMsgErr':
    case 'RouteRefreshMsgErr':
      return toIdle(s, cfg, env, `error detected: ${notificationText(ev.error)}`, {
        notify: ev.error,
        counter: 'increment',
        restart: true,
      });
    case 'OpenCollisionDump':
      return toIdle(s, cfg, env, `connection collision resolution (RFC 4271 §6.8): ${ev.detail}`, {
        notify: COLLISION,
        counter: 'increment',
        restart: true,
      });
    case 'NotifMsgVerErr':
      return toIdle(s, cfg, env, `notification received: ${notificationText(ev.notification)}`, {
        counter: 'keep',
        restart: true,
      });
    case 'NotifMsg':
      return toIdle(s, cfg, env, `notification received: ${notificationText(ev.notification)}`, {
        counter: 'increment',
        restart: true,
      });
    case 'KeepaliveTimer_Expires':
      if (s.state === State.OpenSent) return undefined;
      return stay(
        { ...s, keepaliveTimer: s.keepaliveTime > 0 ? secs(env, s.keepaliveTime, true) : null },
        'keepalive timer expired',
        SEND_KEEPALIVE,
      );
    default:
      return undefined;
  }
}

function fsmError(s: FsmState, ev: FsmEvent, cfg: FsmConfig, env: FsmEnv): TransitionResult {
  const n = FSM_ERROR[s.state] ?? { code: ErrorCode.FSM, subcode: FsmSubcode.UNSPECIFIED };
  return toIdle(s, cfg, env, `unexpected ${ev.type} in ${s.state}: ${notificationText(n)}`, {
    notify: n,
    counter: 'increment',
    restart: true,
  });
}

function openSent(s: FsmState, ev: FsmEvent, cfg: FsmConfig, env: FsmEnv): TransitionResult {
  const c = common(s, ev, cfg, env);
  if (c) return c;
  switch (ev.type) {
    case 'TcpConnectionFails':
      return {
        fsm: {
          ...s,
          state: State.Active,
          holdTimer: null,
          connectRetryTimer: cfg.passive ? null : secs(env, cfg.connectRetryTime, true),
        },
        actions: [DROP],
        reason: tcpFailReason(ev),
      };
    case 'BGPOpen': {
      const running = ev.holdTime > 0;
      return {
        fsm: {
          ...s,
          state: State.OpenConfirm,
          connectRetryTimer: null,
          holdTime: ev.holdTime,
          keepaliveTime: ev.keepaliveTime,
          holdTimer: running ? env.now + ev.holdTime * 1000 : null,
          keepaliveTimer: running && ev.keepaliveTime > 0 ? secs(env, ev.keepaliveTime, true) : null,
        },
        actions: SEND_KEEPALIVE,
        reason: `OPEN received: hold time ${ev.holdTime} s, keepalive ${ev.keepaliveTime} s`,
      };
    }
    default:
      return fsmError(s, ev, cfg, env);
  }
}

function openConfirm(s: FsmState, ev: FsmEvent, cfg: FsmConfig, env: FsmEnv): TransitionResult {
  const c = common(s, ev, cfg, env);
  if (c) return c;
  switch (ev.type) {
    case 'TcpConnectionFails':
      return toIdle(s, cfg, env, tcpFailReason(ev), { counter: 'increment', restart: true });
    case 'KeepAliveMsg':
      return stay({ ...restartHold(s, env), state: State.Established }, 'KEEPALIVE received: session established');
    default:
      return fsmError(s, ev, cfg, env);
  }
}

function established(s: FsmState, ev: FsmEvent, cfg: FsmConfig, env: FsmEnv): TransitionResult {
  switch (ev.type) {
    // The hot path first: every received UPDATE/KEEPALIVE restarts the HoldTimer (§4.4, §6.5).
    case 'UpdateMsg':
    case 'KeepAliveMsg':
    case 'RouteRefreshMsg':
      return stay(restartHold(s, env), ev.type);
    case 'TcpConnectionFails':
      return toIdle(s, cfg, env, tcpFailReason(ev), { counter: 'increment', restart: true });
  }
  return common(s, ev, cfg, env) ?? fsmError(s, ev, cfg, env);
}

export function transition(s: FsmState, ev: FsmEvent, cfg: FsmConfig, env: FsmEnv): TransitionResult {
  switch (s.state) {
    case State.Idle:
      return idle(s, ev, cfg, env);
    case State.Connect:
    case State.Active:
      return connecting(s, ev, cfg, env);
    case State.OpenSent:
      return openSent(s, ev, cfg, env);
    case State.OpenConfirm:
      return openConfirm(s, ev, cfg, env);
    case State.Established:
      return established(s, ev, cfg, env);
  }
}

/** The earliest running timer deadline, or null when no timer runs. */
export function nextDeadline(s: FsmState): number | null {
  // Called after every event: no allocation.
  const d = Math.min(s.holdTimer ?? Infinity, s.keepaliveTimer ?? Infinity, s.connectRetryTimer ?? Infinity, s.idleHoldTimer ?? Infinity);
  return d === Infinity ? null : d;
}

/** The timer event due at `now`, if any (HoldTimer first: it ends the session). */
export function dueTimer(s: FsmState, now: number): FsmEvent | null {
  if (s.holdTimer !== null && s.holdTimer <= now) return { type: 'HoldTimer_Expires' };
  if (s.keepaliveTimer !== null && s.keepaliveTimer <= now) return { type: 'KeepaliveTimer_Expires' };
  if (s.connectRetryTimer !== null && s.connectRetryTimer <= now) return { type: 'ConnectRetryTimer_Expires' };
  if (s.idleHoldTimer !== null && s.idleHoldTimer <= now) return { type: 'IdleHoldTimer_Expires' };
  return null;
}
