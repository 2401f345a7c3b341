/** When a peer's last error happened: noted by the daemon from the speaker's events. */
import t from 'tap';
import { LastErrors, setsLastError } from '../../src/daemon/last-errors.js';

t.test('a new error text is noted with its time; the same text later keeps the first time', async (t) => {
  const l = new LastErrors();
  l.note('10.0.0.1', 'connection refused', 1000);
  t.equal(l.at('10.0.0.1', 'connection refused'), 1000);
  l.note('10.0.0.1', 'connection refused', 2000);
  t.equal(l.at('10.0.0.1', 'connection refused'), 1000, 'a state change that keeps the error (Established) does not move its time');
  l.note('10.0.0.1', 'hold timer expired', 3000);
  t.equal(l.at('10.0.0.1', 'hold timer expired'), 3000);
  t.equal(l.at('10.0.0.1', 'connection refused'), undefined, 'only the current error has a time');
});

t.test('the same error again, on a transition that sets it, gets the new time', async (t) => {
  const l = new LastErrors();
  l.note('10.0.0.1', 'connection refused', 1000, true);
  l.note('10.0.0.1', 'connection refused', 5000, true);
  t.equal(l.at('10.0.0.1', 'connection refused'), 5000);
});

t.test('no error, or a peer forgotten: no time', async (t) => {
  const l = new LastErrors();
  l.note('10.0.0.1', 'x', 1000);
  l.note('10.0.0.1', null, 2000);
  t.equal(l.at('10.0.0.1', 'x'), undefined);
  l.note('10.0.0.2', 'y', 1000);
  l.forget('10.0.0.2');
  t.equal(l.at('10.0.0.2', 'y'), undefined);
});

t.test('the transitions on which the session records its reason (RFC 4271 §8: falling back)', async (t) => {
  const cases: [string, string, boolean][] = [
    ['Established', 'Idle', true],
    ['OpenSent', 'Active', true],
    ['Connect', 'Active', true],
    ['Idle', 'Active', false],
    ['Idle', 'Connect', false],
    ['OpenConfirm', 'Established', false],
  ];
  for (const [from, to, want] of cases) t.equal(setsLastError(from, to), want, `${from} → ${to}`);
});
