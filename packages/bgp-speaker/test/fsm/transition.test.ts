/**
 * RFC 4271 §8.2.2, table-driven: each case names the rule it pins, starts from a state,
 * feeds one event and checks the next state, the actions in order and the reason.
 */
import t from 'tap';
import {
  DEFAULT_FSM_CONFIG,
  INITIAL_FSM_STATE,
  State,
  dueTimer,
  nextDeadline,
  transition,
  type FsmAction,
  type FsmConfig,
  type FsmEvent,
  type FsmState,
} from '../../src/fsm/index.js';

const env = { now: 1000, jitter: () => 1 };
const cfg: FsmConfig = { ...DEFAULT_FSM_CONFIG, connectRetryTime: 5, idleHoldTime: 5 };

function at(state: State, extra: Partial<FsmState> = {}): FsmState {
  return { ...INITIAL_FSM_STATE, state, ...extra };
}
const established = at(State.Established, { holdTime: 90, keepaliveTime: 30, holdTimer: 91000, keepaliveTimer: 31000 });
const kinds = (as: readonly FsmAction[]): string[] =>
  as.map((a) => (a.type === 'sendNotification' ? `notify ${a.notification.code}/${a.notification.subcode}` : a.type));

interface Case {
  rule: string;
  from: FsmState;
  event: FsmEvent;
  to: State;
  actions: string[];
  reason: RegExp;
  config?: FsmConfig;
}
const ERR = { code: 3, subcode: 1, message: 'malformed attribute list' };

const cases: Case[] = [
  { rule: 'Idle + ManualStart: start ConnectRetryTimer, initiate TCP, → Connect', from: at(State.Idle), event: { type: 'ManualStart' }, to: State.Connect, actions: ['connect'], reason: /ManualStart/ },
  { rule: 'Idle + ManualStart_with_PassiveTcpEstablishment: listen, → Active', from: at(State.Idle), event: { type: 'ManualStart_with_PassiveTcpEstablishment' }, to: State.Active, actions: [], reason: /Passive/ },
  { rule: 'Idle + AutomaticStart on a passive peer: → Active, never dial', from: at(State.Idle), event: { type: 'AutomaticStart' }, to: State.Active, actions: [], reason: /AutomaticStart/, config: { ...cfg, passive: true } },
  { rule: 'Idle: other events are ignored (Tcp_CR_Acked)', from: at(State.Idle), event: { type: 'Tcp_CR_Acked' }, to: State.Idle, actions: [], reason: /ignored in Idle/ },
  { rule: 'Idle + IdleHoldTimer_Expires: automatic restart', from: at(State.Idle, { idleHoldTimer: 900 }), event: { type: 'IdleHoldTimer_Expires' }, to: State.Connect, actions: ['connect'], reason: /automatic restart/ },
  { rule: 'Connect + ConnectRetryTimer_Expires: drop, retry the connection, stay', from: at(State.Connect), event: { type: 'ConnectRetryTimer_Expires' }, to: State.Connect, actions: ['connect'], reason: /connect retry timer expired/ },
  { rule: 'Connect + Tcp_CR_Acked: send OPEN, → OpenSent', from: at(State.Connect), event: { type: 'Tcp_CR_Acked' }, to: State.OpenSent, actions: ['sendOpen'], reason: /we dialled/ },
  { rule: 'Connect + TcpConnectionConfirmed: send OPEN, → OpenSent', from: at(State.Connect), event: { type: 'TcpConnectionConfirmed' }, to: State.OpenSent, actions: ['sendOpen'], reason: /peer dialled/ },
  { rule: 'Connect + TcpConnectionFails: keep listening, → Active (reason: connection refused)', from: at(State.Connect), event: { type: 'TcpConnectionFails', cause: 'connection refused (ECONNREFUSED)' }, to: State.Active, actions: ['dropConnection'], reason: /connection refused/ },
  { rule: 'Connect + ManualStop: drop, → Idle, no NOTIFICATION', from: at(State.Connect), event: { type: 'ManualStop' }, to: State.Idle, actions: ['dropConnection', 'releaseResources'], reason: /ManualStop/ },
  { rule: 'Connect + KeepAliveMsg (any other event): → Idle', from: at(State.Connect), event: { type: 'KeepAliveMsg' }, to: State.Idle, actions: ['dropConnection', 'releaseResources'], reason: /unexpected KeepAliveMsg in Connect/ },
  { rule: 'Active + ConnectRetryTimer_Expires: initiate TCP, → Connect', from: at(State.Active), event: { type: 'ConnectRetryTimer_Expires' }, to: State.Connect, actions: ['connect'], reason: /connect retry/ },
  { rule: 'Active + TcpConnectionConfirmed: send OPEN, → OpenSent', from: at(State.Active), event: { type: 'TcpConnectionConfirmed' }, to: State.OpenSent, actions: ['sendOpen'], reason: /accepted/ },
  { rule: 'Active + TcpConnectionFails: → Idle', from: at(State.Active), event: { type: 'TcpConnectionFails', cause: 'reset' }, to: State.Idle, actions: ['dropConnection', 'releaseResources'], reason: /TCP connection failed: reset/ },
  { rule: 'OpenSent + BGPOpen: send KEEPALIVE, set timers, → OpenConfirm', from: at(State.OpenSent), event: { type: 'BGPOpen', holdTime: 90, keepaliveTime: 30 }, to: State.OpenConfirm, actions: ['sendKeepalive'], reason: /hold time 90 s/ },
  { rule: 'OpenSent + HoldTimer_Expires: NOTIFICATION 4/0, → Idle', from: at(State.OpenSent), event: { type: 'HoldTimer_Expires' }, to: State.Idle, actions: ['notify 4/0', 'dropConnection', 'releaseResources'], reason: /hold timer expired/ },
  { rule: 'OpenSent + BGPOpenMsgErr: NOTIFICATION with the error (2/2 bad peer AS), → Idle', from: at(State.OpenSent), event: { type: 'BGPOpenMsgErr', error: { code: 2, subcode: 2 } }, to: State.Idle, actions: ['notify 2/2', 'dropConnection', 'releaseResources'], reason: /Bad Peer AS/ },
  { rule: 'OpenSent + BGPHeaderErr: NOTIFICATION 1/x, → Idle', from: at(State.OpenSent), event: { type: 'BGPHeaderErr', error: { code: 1, subcode: 1 } }, to: State.Idle, actions: ['notify 1/1', 'dropConnection', 'releaseResources'], reason: /Connection Not Synchronized/ },
  { rule: 'OpenSent + OpenCollisionDump: NOTIFICATION Cease 6/7, → Idle', from: at(State.OpenSent), event: { type: 'OpenCollisionDump', detail: 'x' }, to: State.Idle, actions: ['notify 6/7', 'dropConnection', 'releaseResources'], reason: /collision/ },
  { rule: 'OpenSent + TcpConnectionFails: → Active', from: at(State.OpenSent), event: { type: 'TcpConnectionFails', cause: 'reset' }, to: State.Active, actions: ['dropConnection'], reason: /reset/ },
  { rule: 'OpenSent + NotifMsgVerErr: → Idle without NOTIFICATION', from: at(State.OpenSent), event: { type: 'NotifMsgVerErr', notification: { code: 2, subcode: 1 } }, to: State.Idle, actions: ['dropConnection', 'releaseResources'], reason: /notification received: OPEN Message Error \/ Unsupported Version Number \(2\/1\)/ },
  { rule: 'OpenSent + KeepAliveMsg: FSM error 5/1 (RFC 6608), → Idle', from: at(State.OpenSent), event: { type: 'KeepAliveMsg' }, to: State.Idle, actions: ['notify 5/1', 'dropConnection', 'releaseResources'], reason: /unexpected KeepAliveMsg in OpenSent/ },
  { rule: 'OpenSent + ManualStop: Cease 6/2, → Idle', from: at(State.OpenSent), event: { type: 'ManualStop' }, to: State.Idle, actions: ['notify 6/2', 'dropConnection', 'releaseResources'], reason: /ManualStop: Cease/ },
  { rule: 'OpenConfirm + KeepAliveMsg: restart HoldTimer, → Established', from: at(State.OpenConfirm, { holdTime: 90, keepaliveTime: 30 }), event: { type: 'KeepAliveMsg' }, to: State.Established, actions: [], reason: /session established/ },
  { rule: 'OpenConfirm + KeepaliveTimer_Expires: send KEEPALIVE, stay', from: at(State.OpenConfirm, { holdTime: 90, keepaliveTime: 30 }), event: { type: 'KeepaliveTimer_Expires' }, to: State.OpenConfirm, actions: ['sendKeepalive'], reason: /keepalive timer expired/ },
  { rule: 'OpenConfirm + NotifMsg: → Idle (reason carries the code)', from: at(State.OpenConfirm), event: { type: 'NotifMsg', notification: { code: 6, subcode: 2, message: 'maintenance' } }, to: State.Idle, actions: ['dropConnection', 'releaseResources'], reason: /notification received: Cease \/ Administrative Shutdown \(6\/2\): maintenance/ },
  { rule: 'OpenConfirm + UpdateMsg: FSM error 5/2, → Idle', from: at(State.OpenConfirm), event: { type: 'UpdateMsg' }, to: State.Idle, actions: ['notify 5/2', 'dropConnection', 'releaseResources'], reason: /unexpected UpdateMsg in OpenConfirm/ },
  { rule: 'OpenConfirm + HoldTimer_Expires: 4/0, → Idle', from: at(State.OpenConfirm), event: { type: 'HoldTimer_Expires' }, to: State.Idle, actions: ['notify 4/0', 'dropConnection', 'releaseResources'], reason: /hold timer expired/ },
  { rule: 'Established + UpdateMsg: restart HoldTimer, stay', from: established, event: { type: 'UpdateMsg' }, to: State.Established, actions: [], reason: /UpdateMsg/ },
  { rule: 'Established + KeepaliveTimer_Expires: send KEEPALIVE', from: established, event: { type: 'KeepaliveTimer_Expires' }, to: State.Established, actions: ['sendKeepalive'], reason: /keepalive/ },
  { rule: 'Established + HoldTimer_Expires: NOTIFICATION 4/0, → Idle', from: established, event: { type: 'HoldTimer_Expires' }, to: State.Idle, actions: ['notify 4/0', 'dropConnection', 'releaseResources'], reason: /^hold timer expired$/ },
  { rule: 'Established + UpdateMsgErr: NOTIFICATION 3/x, → Idle', from: established, event: { type: 'UpdateMsgErr', error: ERR }, to: State.Idle, actions: ['notify 3/1', 'dropConnection', 'releaseResources'], reason: /Malformed Attribute List \(3\/1\): malformed attribute list/ },
  { rule: 'Established + NotifMsg: → Idle, no NOTIFICATION back', from: established, event: { type: 'NotifMsg', notification: { code: 6, subcode: 4 } }, to: State.Idle, actions: ['dropConnection', 'releaseResources'], reason: /Administrative Reset/ },
  { rule: 'Established + TcpConnectionFails: → Idle', from: established, event: { type: 'TcpConnectionFails', cause: 'connection reset by peer (ECONNRESET)' }, to: State.Idle, actions: ['dropConnection', 'releaseResources'], reason: /ECONNRESET/ },
  { rule: 'Established + BGPOpen: FSM error 5/3 (RFC 6608)', from: established, event: { type: 'BGPOpen', holdTime: 90, keepaliveTime: 30 }, to: State.Idle, actions: ['notify 5/3', 'dropConnection', 'releaseResources'], reason: /unexpected BGPOpen in Established/ },
  { rule: 'Established + ManualStop with shutdown communication: Cease 6/2, → Idle', from: established, event: { type: 'ManualStop', notification: { code: 6, subcode: 2, message: 'bye' } }, to: State.Idle, actions: ['notify 6/2', 'dropConnection', 'releaseResources'], reason: /bye/ },
  { rule: 'Established + RouteRefreshMsgErr: NOTIFICATION 7/1', from: established, event: { type: 'RouteRefreshMsgErr', error: { code: 7, subcode: 1 } }, to: State.Idle, actions: ['notify 7/1', 'dropConnection', 'releaseResources'], reason: /ROUTE-REFRESH/ },
];

for (const c of cases) {
  t.test(c.rule, async (t) => {
    const r = transition(c.from, c.event, c.config ?? cfg, env);
    t.equal(r.fsm.state, c.to, 'next state');
    t.same(kinds(r.actions), c.actions, 'actions in order');
    t.match(r.reason, c.reason, 'reason');
  });
}

t.test('every transition carries a non-empty reason, from every state, for every event', async (t) => {
  const events: FsmEvent[] = cases.map((c) => c.event);
  for (const s of Object.values(State)) {
    for (const e of events) {
      const r = transition(at(s, { holdTime: 9, keepaliveTime: 3 }), e, cfg, env);
      if (r.reason.length === 0) t.fail(`${s} + ${e.type} has no reason`);
    }
  }
  t.pass('all reasons present');
});

t.test('timers: deadlines on the injected clock, with RFC 4271 §10 jitter on ConnectRetry and Keepalive', async (t) => {
  const jittered = { now: 0, jitter: () => 0.75 };
  const c = transition(INITIAL_FSM_STATE, { type: 'ManualStart' }, cfg, jittered).fsm;
  t.equal(c.connectRetryTimer, 3750, 'ConnectRetryTimer = 5 s × 0.75');
  const sent = transition(c, { type: 'Tcp_CR_Acked' }, cfg, jittered).fsm;
  t.equal(sent.connectRetryTimer, null, 'ConnectRetryTimer stopped in OpenSent');
  t.equal(sent.holdTimer, 240_000, 'OpenSent HoldTimer is the large value (4 min)');
  const oc = transition(sent, { type: 'BGPOpen', holdTime: 9, keepaliveTime: 3 }, cfg, { now: 100, jitter: () => 0.75 }).fsm;
  t.equal(oc.holdTimer, 9100, 'HoldTimer = negotiated hold time, no jitter');
  t.equal(oc.keepaliveTimer, 100 + 2250, 'KeepaliveTimer = 3 s × 0.75');
  t.equal(nextDeadline(oc), 2350);
  t.same(dueTimer(oc, 2349), null, 'nothing due before the deadline');
  t.same(dueTimer(oc, 2350), { type: 'KeepaliveTimer_Expires' });
  t.same(dueTimer(oc, 9100), { type: 'HoldTimer_Expires' }, 'HoldTimer first when both are due');
});

t.test('hold time 0 negotiated: no HoldTimer and no KeepaliveTimer (RFC 4271 §4.4)', async (t) => {
  const r = transition(at(State.OpenSent), { type: 'BGPOpen', holdTime: 0, keepaliveTime: 0 }, cfg, env);
  t.equal(r.fsm.holdTimer, null);
  t.equal(r.fsm.keepaliveTimer, null);
  const e = transition({ ...r.fsm, state: State.Established }, { type: 'UpdateMsg' }, cfg, env);
  t.equal(e.fsm.holdTimer, null, 'UPDATE does not start a HoldTimer of 0');
});

t.test('automatic restart: errors arm the IdleHoldTimer, ManualStop does not, AutomaticStop does', async (t) => {
  const err = transition(established, { type: 'HoldTimer_Expires' }, cfg, env).fsm;
  t.equal(err.idleHoldTimer, 1000 + 5000, 'IdleHoldTimer after hold timer expiry');
  t.equal(err.connectRetryCounter, 1, 'ConnectRetryCounter incremented');
  const manual = transition(established, { type: 'ManualStop' }, cfg, env).fsm;
  t.equal(manual.idleHoldTimer, null, 'no restart after ManualStop');
  t.equal(manual.connectRetryCounter, 0, 'ManualStop resets ConnectRetryCounter');
  const auto = transition(established, { type: 'AutomaticStop' }, cfg, env).fsm;
  t.equal(auto.idleHoldTimer, 6000, 'AutomaticStop restarts after IdleHoldTime');
  const cancelled = transition(err, { type: 'ManualStop' }, cfg, env).fsm;
  t.equal(cancelled.idleHoldTimer, null, 'ManualStop in Idle cancels the pending restart');
  const noAuto = transition(established, { type: 'HoldTimer_Expires' }, { ...cfg, allowAutomaticStart: false }, env).fsm;
  t.equal(noAuto.idleHoldTimer, null, 'AllowAutomaticStart off: stays Idle');
});

t.test('a passive peer never runs the ConnectRetryTimer', async (t) => {
  const p = { ...cfg, passive: true };
  const a = transition(INITIAL_FSM_STATE, { type: 'ManualStart_with_PassiveTcpEstablishment' }, p, env).fsm;
  t.equal(a.connectRetryTimer, null);
  t.equal(nextDeadline(a), null, 'no timer at all in Active');
});

t.test('the FSM is pure: inputs are not modified', async (t) => {
  const before = JSON.stringify(established);
  transition(established, { type: 'UpdateMsg' }, cfg, env);
  transition(established, { type: 'HoldTimer_Expires' }, cfg, env);
  t.equal(JSON.stringify(established), before);
});
