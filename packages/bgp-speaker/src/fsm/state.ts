/**
 * The vocabulary of the RFC 4271 §8 state machine: states, events (named as in §8.1),
 * actions (what the session layer must do) and the FSM's own data. Pure data.
 *
 * Timers are deadlines (milliseconds on the injected clock) kept in the FSM state, not
 * callbacks: the session layer arms one OS timer for `nextDeadline` and asks `dueTimer`
 * which timer event is due. `null` means the timer is stopped.
 */

/** RFC 4271 §8.2.2 states. */
export const State = {
  Idle: 'Idle',
  Connect: 'Connect',
  Active: 'Active',
  OpenSent: 'OpenSent',
  OpenConfirm: 'OpenConfirm',
  Established: 'Established',
} as const;
export type State = (typeof State)[keyof typeof State];

/** A NOTIFICATION to send or that was received (RFC 4271 §4.5). */
export interface NotificationSpec {
  readonly code: number;
  readonly subcode: number;
  readonly data?: Uint8Array;
  /** Human-readable text for reasons and logs (e.g. the decode error message). */
  readonly message?: string;
}

/** RFC 4271 §8.1 events (numbers in comments). Events carry what the reason text needs. */
export type FsmEvent =
  /* §8.1.2 administrative events */
  | { readonly type: 'ManualStart' } // 1
  | { readonly type: 'ManualStop'; readonly notification?: NotificationSpec } // 2 (Cease subcode + data)
  | { readonly type: 'AutomaticStart' } // 3
  | { readonly type: 'ManualStart_with_PassiveTcpEstablishment' } // 4
  | { readonly type: 'AutomaticStart_with_PassiveTcpEstablishment' } // 5
  | { readonly type: 'AutomaticStop'; readonly notification?: NotificationSpec } // 8
  /* §8.1.3 timer events */
  | { readonly type: 'ConnectRetryTimer_Expires' } // 9
  | { readonly type: 'HoldTimer_Expires' } // 10
  | { readonly type: 'KeepaliveTimer_Expires' } // 11
  | { readonly type: 'IdleHoldTimer_Expires' } // 13
  /* §8.1.4 TCP connection events (14/15 are the listener's accept/refuse decision) */
  | { readonly type: 'Tcp_CR_Acked' } // 16: our outgoing connection is up
  | { readonly type: 'TcpConnectionConfirmed' } // 17: an incoming connection was accepted
  /**
   * 18. `local`: we closed the connection ourselves (e.g. without NOTIFICATION for a
   * graceful restart, RFC 4724); the event and transition are the same, only the reason
   * text does not say the TCP connection failed.
   */
  | { readonly type: 'TcpConnectionFails'; readonly cause: string; readonly local?: boolean }
  /* §8.1.5 BGP message events */
  | { readonly type: 'BGPOpen'; readonly holdTime: number; readonly keepaliveTime: number } // 19, negotiated values
  | { readonly type: 'BGPHeaderErr'; readonly error: NotificationSpec } // 21
  | { readonly type: 'BGPOpenMsgErr'; readonly error: NotificationSpec } // 22
  | { readonly type: 'OpenCollisionDump'; readonly detail: string } // 23
  | { readonly type: 'NotifMsgVerErr'; readonly notification: NotificationSpec } // 24
  | { readonly type: 'NotifMsg'; readonly notification: NotificationSpec } // 25
  | { readonly type: 'KeepAliveMsg' } // 26
  | { readonly type: 'UpdateMsg' } // 27
  | { readonly type: 'UpdateMsgErr'; readonly error: NotificationSpec } // 28
  /* RFC 2918 / RFC 7313: not in RFC 4271 §8; valid only in Established */
  | { readonly type: 'RouteRefreshMsg' }
  | { readonly type: 'RouteRefreshMsgErr'; readonly error: NotificationSpec };

export type FsmEventType = FsmEvent['type'];

/** Side effects the session layer performs, in order. */
export type FsmAction =
  /** Initiate the outgoing TCP connection (Connect state). Any attempt in progress is dropped first. */
  | { readonly type: 'connect' }
  | { readonly type: 'sendOpen' }
  | { readonly type: 'sendKeepalive' }
  | { readonly type: 'sendNotification'; readonly notification: NotificationSpec }
  /** Close the TCP connection (after any NOTIFICATION queued before it has been flushed). */
  | { readonly type: 'dropConnection' }
  /** "Releases all BGP resources" / "deletes all routes associated with this connection". */
  | { readonly type: 'releaseResources' };

/** Static per-peer FSM settings (§8.1.1 mandatory and optional session attributes). */
export interface FsmConfig {
  /** Never initiate a TCP connection (BIRD's `passive on`): no ConnectRetryTimer. */
  readonly passive: boolean;
  /** ConnectRetryTime, seconds (RFC 4271 §10 suggests 120). */
  readonly connectRetryTime: number;
  /**
   * IdleHoldTime, seconds: delay before the automatic restart after the session went
   * down (§8.1.1 AllowAutomaticStart). 0 restarts at once.
   */
  readonly idleHoldTime: number;
  /** §8.1.1 AllowAutomaticStart: restart by itself after an error. */
  readonly allowAutomaticStart: boolean;
  /** HoldTimer in OpenSent, seconds ("a large value", 4 minutes suggested, §8.2.2). */
  readonly largeHoldTime: number;
}

export const DEFAULT_FSM_CONFIG: FsmConfig = {
  passive: false,
  connectRetryTime: 120,
  idleHoldTime: 5,
  allowAutomaticStart: true,
  largeHoldTime: 240,
};

/** The FSM's data (§8: "session attributes"). Immutable; `transition` returns a new one. */
export interface FsmState {
  readonly state: State;
  readonly connectRetryCounter: number;
  /** Negotiated HoldTime and KeepaliveTime, seconds (0 = neither timer runs). */
  readonly holdTime: number;
  readonly keepaliveTime: number;
  /** Timer deadlines: monotonic ms on the injected clock (Clock.now(), never wall clock), or null when stopped. */
  readonly connectRetryTimer: number | null;
  readonly holdTimer: number | null;
  readonly keepaliveTimer: number | null;
  readonly idleHoldTimer: number | null;
}

export const INITIAL_FSM_STATE: FsmState = {
  state: State.Idle,
  connectRetryCounter: 0,
  holdTime: 0,
  keepaliveTime: 0,
  connectRetryTimer: null,
  holdTimer: null,
  keepaliveTimer: null,
  idleHoldTimer: null,
};

/** The injected clock and randomness. `jitter()` returns a factor in [0.75, 1.0] (RFC 4271 §10). */
export interface FsmEnv {
  /** Monotonic ms (Clock.now()). */
  readonly now: number;
  jitter(): number;
}

export interface TransitionResult {
  readonly fsm: FsmState;
  readonly actions: readonly FsmAction[];
  /** Why: every transition carries one (e.g. "hold timer expired"). */
  readonly reason: string;
}
