/** Input fairness (daemon/update-budget.ts): a token bucket per peer. */
import t from 'tap';
import { TokenBucket, UpdateBudget } from '../../src/daemon/update-budget.js';

t.test('TokenBucket: burst, refill, debt', async (t) => {
  const b = new TokenBucket(10, 100, 0);
  t.equal(b.take(0, 10), true, 'full burst');
  t.equal(b.take(0, 1), false, 'empty');
  t.equal(b.msUntil(0, 1), 10, '100/s: one token per 10 ms');
  t.equal(b.take(10, 1), true, 'refilled');
  b.charge(10, 5);
  t.equal(b.available(10), -5, 'charge may go into debt');
  t.equal(b.msUntil(10, 1), 60);
  t.equal(b.available(1_000_000), 10, 'never above capacity');
  t.throws(() => new TokenBucket(0, 1, 0), RangeError);
});

t.test('UpdateBudget: a flapping peer is paused, a quiet one is not', async (t) => {
  const u = new UpdateBudget({ ratePerSec: 1000, burst: 100 });
  let pause = 0;
  for (let i = 0; i < 50; i++) pause = u.charge('flappy', 10, 0);
  t.ok(pause > 0, 'over its burst: pause reading');
  t.equal(pause, 401, '400 tokens of debt + 1 at 1,000/s');
  t.equal(u.charge('quiet', 1, 0), 0, 'the other peer keeps its own budget');
  t.equal(u.charge('flappy', 0, 1000), 0, 'after the pause it may read again');
  u.forget('flappy');
  t.equal(u.charge('flappy', 1, 1000), 0, 'forgotten: starts with a full bucket');
});
