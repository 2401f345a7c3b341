/** The injectable clock, the lazy deadline timer and RFC 4271 §10 jitter. */
import t from 'tap';
import { ManualClock, jitterFactor, realClock } from '../../src/session/clock.js';
import { DeadlineTimer } from '../../src/session/deadline-timer.js';

t.test('RFC 4271 §10: jitter factor within [0.75, 1.0]', async (t) => {
  t.equal(jitterFactor(new ManualClock(() => 0)), 0.75);
  t.equal(jitterFactor(new ManualClock(() => 0.999999)) <= 1, true);
  t.equal(jitterFactor(new ManualClock(() => 0.5)), 0.875);
});

t.test('DeadlineTimer: a later deadline does not re-arm (lazy), an earlier one does', async (t) => {
  const clock = new ManualClock();
  const fired: number[] = [];
  const timer = new DeadlineTimer(clock, () => fired.push(clock.now()));
  timer.set(100);
  timer.set(200); // the HoldTimer moved later: no new OS timer
  t.equal(clock.pending, 1, 'one armed timer');
  timer.set(50); // earlier: re-armed
  t.equal(clock.pending, 1, 'still one armed timer');
  clock.advance(60);
  t.same(fired, [50], 'fired at the earliest deadline');
  timer.set(null);
  clock.advance(1000);
  t.same(fired, [50], 'null stops it');
});

t.test('ManualClock fires due timers in deadline order while advancing', async (t) => {
  const c = new ManualClock();
  const order: string[] = [];
  c.setTimer(30, () => order.push('b'));
  c.setTimer(10, () => {
    order.push('a');
    c.setTimer(5, () => order.push('a2'));
  });
  const x = c.setTimer(20, () => order.push('cancelled'));
  x.cancel();
  c.advance(100);
  t.same(order, ['a', 'a2', 'b']);
  t.equal(c.now(), 100);
});

t.test('wall clock: ManualClock gives a fixed epoch base plus its monotonic time; the real one the epoch time', async (t) => {
  const c = new ManualClock();
  t.equal(c.wallNow(), Date.UTC(2026, 0, 1), 'default base 2026-01-01T00:00:00Z at now() = 0');
  c.advance(1500);
  t.equal(c.wallNow(), Date.UTC(2026, 0, 1) + 1500, 'moves with advance()');
  const based = new ManualClock(() => 0.5, Date.UTC(2030, 5, 1, 12));
  based.advance(250);
  t.equal(new Date(based.wallNow()).toISOString(), '2030-06-01T12:00:00.250Z', 'a chosen base');
  t.equal(based.now(), 250, 'now() is unaffected by the wall base');
  const before = Date.now();
  const wall = realClock.wallNow();
  t.ok(wall >= before && wall <= Date.now(), 'realClock.wallNow() reads Date.now()');
  t.ok(realClock.now() < wall, 'realClock.now() is monotonic process time, not an epoch date');
});
