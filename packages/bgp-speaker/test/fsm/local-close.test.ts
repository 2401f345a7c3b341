/**
 * RFC 4271 §8.1.4 Event 18 (TcpConnectionFails) raised for a connection we closed
 * ourselves (closeSilently: graceful restart, RFC 4724): the same transition as a
 * failed connection, in every state it can arrive in; only the reason text differs,
 * and it does not claim that the TCP connection failed.
 */
import t from 'tap';
import { DEFAULT_FSM_CONFIG, INITIAL_FSM_STATE, State, transition, type FsmConfig, type FsmEvent, type FsmState } from '../../src/fsm/index.js';

const env = { now: 1000, jitter: () => 1 };
const cfg: FsmConfig = { ...DEFAULT_FSM_CONFIG, connectRetryTime: 5, idleHoldTime: 5 };
const CAUSE = 'closed locally without NOTIFICATION (graceful restart, RFC 4724)';

const states: FsmState[] = [
  { ...INITIAL_FSM_STATE, state: State.Connect },
  { ...INITIAL_FSM_STATE, state: State.Active },
  { ...INITIAL_FSM_STATE, state: State.OpenSent, holdTimer: 240_000 },
  { ...INITIAL_FSM_STATE, state: State.OpenConfirm, holdTime: 90, keepaliveTime: 30, holdTimer: 91_000, keepaliveTimer: 31_000 },
  { ...INITIAL_FSM_STATE, state: State.Established, holdTime: 90, keepaliveTime: 30, holdTimer: 91_000, keepaliveTimer: 31_000 },
];

for (const from of states) {
  t.test(`${from.state} + TcpConnectionFails (local close): same transition, reason without "TCP connection failed"`, async (t) => {
    const local: FsmEvent = { type: 'TcpConnectionFails', cause: CAUSE, local: true };
    const failed: FsmEvent = { type: 'TcpConnectionFails', cause: 'connection reset by peer' };
    const a = transition(from, local, cfg, env);
    const b = transition(from, failed, cfg, env);
    t.same(a.fsm, b.fsm, 'next state and timers as for a failed connection');
    t.same(a.actions, b.actions, 'same actions');
    t.equal(a.reason, CAUSE, 'the reason is the cause as given');
    t.notMatch(a.reason, /TCP connection failed/);
    t.equal(b.reason, 'TCP connection failed: connection reset by peer', 'a real failure keeps saying so');
  });
}
