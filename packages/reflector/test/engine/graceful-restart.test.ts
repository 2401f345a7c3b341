import t from 'tap';
import { ManualClock, familyKey, type PeerGracefulRestart } from '@bgp-rr/bgp-speaker';
import { GracefulRestartHelper, SelectionDeferral } from '../../src/engine/graceful-restart.js';

const V4 = familyKey(1, 1);
const V6 = familyKey(2, 1);
const gr = (time: number, f4: boolean | null, f6: boolean | null): PeerGracefulRestart => ({
  restartTime: time,
  restarting: false,
  families: [
    ...(f4 === null ? [] : [{ afi: 1, safi: 1, forwardingPreserved: f4 }]),
    ...(f6 === null ? [] : [{ afi: 2, safi: 1, forwardingPreserved: f6 }]),
  ],
});

function helper() {
  const clock = new ManualClock();
  const swept: string[] = [];
  const h = new GracefulRestartHelper(clock, { sweep: (p, f) => swept.push(`${p}:${f ?? 'all'}`) }, 300_000);
  return { h, clock, swept };
}

t.test('RFC 4724 §4.2: which families are retained when the session is lost', async (t) => {
  const cases: [string, PeerGracefulRestart | null, boolean, number[]][] = [
    ['peer with GR for both families, TCP lost', gr(120, true, true), false, [V4, V6]],
    ['peer with GR for IPv4 only', gr(120, true, null), false, [V4]],
    ['peer without GR capability', null, false, []],
    ['session ended by a NOTIFICATION (no RFC 8538 N-bit)', gr(120, true, true), true, []],
    ['restart time 0', gr(0, true, true), false, []],
  ];
  for (const [name, cap, notif, want] of cases) {
    const { h } = helper();
    t.same(h.sessionLost('p', cap, notif).sort(), want, name);
  }
});

t.test('RFC 4724 §4.2: re-established without F-bit → that family swept at once; the other waits for End-of-RIB', async (t) => {
  const { h, swept } = helper();
  h.sessionLost('p', gr(120, true, true), false);
  h.sessionEstablished('p', gr(120, true, false));
  t.same(swept, [`p:${V6}`]);
  t.equal(h.status('p')?.phase, 'stale');
  h.endOfRib('p', V4);
  t.same(swept, [`p:${V6}`, `p:${V4}`]);
  t.equal(h.status('p'), undefined, 'done');
});

t.test('RFC 4724 §4.2: re-established without any GR capability → everything swept', async (t) => {
  const { h, swept } = helper();
  h.sessionLost('p', gr(120, true, true), false);
  h.sessionEstablished('p', null);
  t.same(swept.sort(), [`p:${V4}`, `p:${V6}`].sort());
});

t.test('restart timer and stale timer', async (t) => {
  const { h, clock, swept } = helper();
  h.sessionLost('p', gr(60, true, null), false);
  clock.advance(59_999);
  t.same(swept, []);
  clock.advance(1);
  t.same(swept, ['p:all'], 'restart time elapsed');
  const b = helper();
  b.h.sessionLost('p', gr(60, true, null), false);
  b.clock.advance(30_000);
  b.h.sessionEstablished('p', gr(60, true, null));
  b.clock.advance(60_000);
  t.same(b.swept, [], 'restart timer cancelled once back');
  b.clock.advance(240_000);
  t.same(b.swept, ['p:all'], 'stale timer bounds the wait for End-of-RIB');
  const c = helper();
  c.h.sessionLost('p', gr(60, true, null), false);
  c.h.forget('p');
  c.clock.advance(120_000);
  t.same(c.swept, [], 'forget cancels timers');
});

t.test('RFC 4724 §4.1 selection deferral', async (t) => {
  const clock = new ManualClock();
  const d = new SelectionDeferral(clock, 15_000);
  let released = 0;
  d.onRelease(() => released++);
  const peer = (established: boolean, families: number[], eor: number[]) => ({ established, families, eorReceived: new Set(eor) });
  d.check([peer(true, [V4], [V4])]);
  t.equal(released, 0, 'not started: nothing released before the first configuration');
  d.start();
  d.check([]);
  t.equal(released, 0, 'no configured peer: wait for the timer');
  d.check([peer(true, [V4, V6], [V4]), peer(true, [V4], [V4])]);
  t.equal(released, 0, 'one family still without End-of-RIB');
  d.check([peer(true, [V4, V6], [V4, V6]), peer(false, [], [])]);
  t.equal(released, 0, 'one peer not established');
  d.check([peer(true, [V4, V6], [V4, V6]), peer(true, [V4], [V4])]);
  t.equal(released, 1, 'released');
  t.match(d.reason, /End-of-RIB/);
  clock.advance(20_000);
  t.equal(released, 1, 'once');
  const e = new SelectionDeferral(clock, 15_000);
  e.start();
  clock.advance(15_000);
  t.ok(e.released);
  t.match(e.reason, /expired/);
  const z = new SelectionDeferral(clock, 0);
  z.start();
  t.ok(z.released, '0 = no deferral');
});
