/** Calico scalar encodings: AS numbers (numorstring.ASNumber) and Go durations. */
import { fail } from './issues.js';
import type { Json } from './json.js';

const MAX_AS = 4294967295;

/**
 * numorstring.ASNumber: a JSON number, a decimal string ("64512") or asdot
 * ("1.10" = 1*65536+10, RFC 5396). 4-byte range; AS 0 is reserved (RFC 7607).
 */
export function parseAsNumber(v: Json | undefined, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  let n: number;
  if (typeof v === 'number') {
    n = v;
  } else if (typeof v === 'string') {
    const dot = /^(\d{1,5})\.(\d{1,5})$/.exec(v);
    if (dot !== null) {
      const hi = Number(dot[1]);
      const lo = Number(dot[2]);
      if (hi > 65535 || lo > 65535) fail(`${path}: asdot part above 65535: ${JSON.stringify(v)}`);
      n = hi * 65536 + lo;
    } else if (/^\d{1,10}$/.test(v)) {
      n = Number(v);
    } else {
      fail(`${path}: not an AS number: ${JSON.stringify(v)}`);
    }
  } else {
    fail(`${path}: not an AS number: ${JSON.stringify(v)}`);
  }
  if (!Number.isInteger(n) || n < 1 || n > MAX_AS) fail(`${path}: AS number out of range 1..${MAX_AS}: ${JSON.stringify(v)}`);
  return n;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * Go time.ParseDuration text ("120s", "1m30s", "1.5h", "0") in whole seconds,
 * rounded as confd does when it writes BIRD's configuration.
 */
export function parseDuration(v: Json | undefined, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(`${path}: expected a duration string such as "120s"`);
  if (v === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(v); m !== null; m = re.exec(v)) {
    total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? 0);
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== v.length) fail(`${path}: not a duration: ${JSON.stringify(v)}`);
  return Math.round(total);
}
