/** The injectable clock, the lazy deadline timer and RFC 4271 §10 jitter. */
import t from 'tap';
import { ManualClock, jitterFactor } from '../../src/session/clock.js';
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
