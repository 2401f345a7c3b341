import t from 'tap';
import { parseAsNumber, parseDuration } from '../../src/resources/scalars.js';
import { FieldError } from '../../src/resources/issues.js';

t.test('numorstring.ASNumber: number, decimal string or asdot (RFC 5396)', async (t) => {
  const ok: [string, unknown, number | undefined][] = [
    ['JSON number', 64512, 64512],
    ['decimal string', '64512', 64512],
    ['asdot 1.10 = 1*65536+10', '1.10', 65546],
    ['asdot 0.65535', '0.65535', 65535],
    ['4-byte maximum', 4294967295, 4294967295],
    ['absent', undefined, undefined],
    ['null', null, undefined],
  ];
  for (const [name, v, want] of ok) t.equal(parseAsNumber(v as never, 'asNumber'), want, name);
  const bad: [string, unknown][] = [
    ['AS 0 is reserved (RFC 7607)', 0],
    ['above 4-byte range', 4294967296],
    ['negative', -1],
    ['fraction', 1.5],
    ['asdot part above 65535', '65536.1'],
    ['garbage', 'AS64512'],
    ['boolean', true],
  ];
  for (const [name, v] of bad) t.throws(() => parseAsNumber(v as never, 'asNumber'), FieldError, name);
});

t.test('Go durations, rounded to whole seconds as confd does', async (t) => {
  const ok: [unknown, number | undefined][] = [
    ['120s', 120],
    ['2m', 120],
    ['1m30s', 90],
    ['1h', 3600],
    ['1.5s', 2],
    ['400ms', 0],
    ['0', 0],
    ['0s', 0],
    [undefined, undefined],
  ];
  for (const [v, want] of ok) t.equal(parseDuration(v as never, 'd'), want, String(v));
  for (const v of ['120', 's', '10x', '1m 30s', 120, '-1s']) t.throws(() => parseDuration(v as never, 'd'), FieldError, String(v));
});
