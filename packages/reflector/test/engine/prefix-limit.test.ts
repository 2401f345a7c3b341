/** Limits (limits.ts): max-prefix, backoff, UPDATE budget, connection caps. */
import t from 'tap';
import { decodeMessage, DEFAULT_CODEC_CONTEXT, encodeNotification, familyKey, MessageType } from '@bgp-rr/bgp-speaker';
import {
  backoffDelay,
  checkMaxPrefixes,
  decodeMaxPrefixData,
  DEFAULT_MAX_PREFIXES,
  familyName,
  maxPrefixNotification,
  ReconnectBackoff,
  TokenBucket,
  UpdateBudget,
  wouldExceed,
} from '../../src/engine/prefix-limit.js';

t.test('max-prefix: default 1,000 per peer and family', async (t) => {
  t.equal(DEFAULT_MAX_PREFIXES, 1000);
  const v4 = familyKey(1, 1);
  const v6 = familyKey(2, 1);
  const cases: [string, [number, number][], number, ReturnType<typeof checkMaxPrefixes>][] = [
    ['at the limit: fine', [[v4, 1000]], 1000, null],
    ['one above: exceeded, with the family', [[v4, 1001]], 1000, { afi: 1, safi: 1, limit: 1000, count: 1001 }],
    ['families counted apart', [[v4, 900], [v6, 1200]], 1000, { afi: 2, safi: 1, limit: 1000, count: 1200 }],
    ['limit 0: no limit', [[v4, 10_000_000]], 0, null],
  ];
  for (const [name, counts, limit, want] of cases) t.same(checkMaxPrefixes(counts, limit), want, name);
  t.equal(wouldExceed(999, 1000), false, 'the 1,000th prefix is allowed');
  t.equal(wouldExceed(1000, 1000), true, 'the 1,001st is not');
  t.equal(wouldExceed(5, 0), false, 'limit 0: never');
});

t.test('RFC 4486 §4: Cease 6/1 data is AFI(2) SAFI(1) upper bound(4)', async (t) => {
  const n = maxPrefixNotification({ afi: 1, safi: 1, limit: 1000 });
  t.equal(n.code, 6);
  t.equal(n.subcode, 1);
  t.same([...n.data], [0, 1, 1, 0, 0, 0x03, 0xe8]);
  t.same(decodeMaxPrefixData(n.data), { afi: 1, safi: 1, limit: 1000 });
  t.equal(decodeMaxPrefixData(new Uint8Array(3)), null);
  const bytes = encodeNotification({ type: MessageType.NOTIFICATION, ...n });
  const m = decodeMessage(bytes, DEFAULT_CODEC_CONTEXT).message;
  t.equal(m.type, MessageType.NOTIFICATION);
  if (m.type === MessageType.NOTIFICATION) t.same(decodeMaxPrefixData(m.data), { afi: 1, safi: 1, limit: 1000 }, 'survives the wire');
  t.equal(familyName({ afi: 2, safi: 1 }), 'ipv6-unicast');
});

t.test('backoff: doubles from the first delay, capped, jitter only shortens', async (t) => {
  const o = { initialMs: 60_000, maxMs: 300_000, jitter: 0.25 };
  t.same([1, 2, 3, 4, 5].map((n) => backoffDelay(n, 0, o)), [60_000, 120_000, 240_000, 300_000, 300_000]);
  t.equal(backoffDelay(1, 0.999999, o), 45_000);
  t.equal(backoffDelay(0, 0, o), 60_000, 'attempt < 1 counts as the first');
  t.equal(backoffDelay(1000, 0, o), 300_000, 'no overflow on large attempt numbers');
});

t.test('ReconnectBackoff: repeats grow, a stable session resets, others unaffected', async (t) => {
  const b = new ReconnectBackoff({ initialMs: 1000, maxMs: 8000, stableMs: 60_000, jitter: 0 }, () => 0);
  t.equal(b.remaining('10.0.0.1', 0), 0, 'unknown peer: may connect');
  t.equal(b.penalise('10.0.0.1', 0), 1000);
  t.equal(b.remaining('10.0.0.1', 400), 600);
  t.equal(b.remaining('10.0.0.2', 400), 0, 'another peer is not penalised');
  b.up('10.0.0.1', 1000);
  t.equal(b.penalise('10.0.0.1', 2000), 2000 + 2000, 'second offence within the stable time: doubled');
  t.equal(b.attempts('10.0.0.1'), 2);
  b.up('10.0.0.1', 5000);
  t.equal(b.penalise('10.0.0.1', 5000 + 60_000), 65_000 + 1000, 'up for the stable time: back to the first delay');
  b.forget('10.0.0.1');
  t.equal(b.attempts('10.0.0.1'), 0);
});

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
