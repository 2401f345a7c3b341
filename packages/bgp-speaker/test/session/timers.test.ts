/**
 * Session timers on an injected clock (no waiting on real time): KeepaliveTimer sends
 * KEEPALIVEs, HoldTimer expiry sends NOTIFICATION 4/0 and drops the session.
 */
import t from 'tap';
import { leaseLoopbackBlock, waitFor } from '../../../../test/harness/index.js';
import { Speaker } from '../../src/speaker.js';
import { ManualClock } from '../../src/session/clock.js';

t.test('KeepaliveTimer and HoldTimer driven by a ManualClock (RFC 4271 §4.4, §6.5)', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [A, B] = [block.addr(1), block.addr(2)];
  const clock = new ManualClock(() => 0.5);
  const a = new Speaker({ clock });
  const b = new Speaker();
  t.teardown(() => Promise.all([a.stop(), b.stop()]));
  await b.listen([{ address: B, port: 1179 }]);
  const reasons: string[] = [];
  a.on('state', (_p, _f, to, r) => reasons.push(`${to}: ${r}`));
  const sent: string[] = [];
  const bGot: string[] = [];
  b.on('notification', (_p, dir, n) => bGot.push(`${dir} ${n.code}/${n.subcode}`));
  a.on('notification', (_p, dir, n) => sent.push(`${dir} ${n.code}/${n.subcode}`));
  // B keeps a long hold time and real timers; A negotiates 30 s (keepalive 10 s) on the manual clock.
  b.addPeer({ peerAddress: A, localAddress: B, localAs: 1, peerAs: 1, routerId: '10.0.0.2', passive: true, holdTime: 240 });
  const pa = a.addPeer({ peerAddress: B, peerPort: 1179, localAddress: A, localAs: 1, peerAs: 1, routerId: '10.0.0.1', holdTime: 30 });
  await waitFor(() => pa.state === 'Established', { what: 'Established' });
  const pb = b.getPeer(A)!;
  const before = pb.stats.received.keepalive;
  clock.advance(10_000 * 0.875 + 1); // one jittered KeepaliveTime
  await waitFor(() => pb.stats.received.keepalive === before + 1, { what: 'a KEEPALIVE after KeepaliveTime' });
  t.pass('KeepaliveTimer sent a KEEPALIVE');
  clock.advance(30_001); // B sends nothing A counts on this clock: HoldTimer expires
  t.same(sent, ['sent 4/0'], 'NOTIFICATION Hold Timer Expired sent');
  t.ok(reasons.includes('Idle: hold timer expired'), 'FSM reason: hold timer expired');
  await waitFor(() => bGot.includes('received 4/0'), { what: 'B receives the NOTIFICATION' });
  t.pass('B received Hold Timer Expired');
});
