import t from 'tap';
import { WireError } from '../../src/wire/errors.js';
import { Framer } from '../../src/wire/framer.js';
import { wireError, type TapTest } from './catch.js';
import { MARKER, cat, hex, msg, pfx4, toHex, u16, update, attr, ip4 } from './bytes.js';

const KEEPALIVE = msg(4);
const UPD = update([], cat(attr(0x40, 1, [0]), attr(0x40, 2), attr(0x40, 3, ip4('10.0.0.5'))), pfx4('172.16.5.0', 24));

function drain(f: Framer): string[] {
  const out: string[] = [];
  for (let m = f.next(); m !== null; m = f.next()) out.push(toHex(m));
  return out;
}

function headerError(t: TapTest, bytes: Uint8Array, subcode: number, data: number[], max = 4096): void {
  const f = new Framer(max);
  f.push(bytes);
  t.same(wireError(() => f.next()), { code: 1, subcode, data: toHex(Uint8Array.from(data)), severity: 3 });
}

t.test('any split of two glued messages yields both, whole', async (t) => {
  const stream = cat(UPD, KEEPALIVE);
  for (let cut = 0; cut <= stream.length; cut++) {
    const f = new Framer();
    f.push(stream.subarray(0, cut));
    const got = drain(f);
    f.push(stream.subarray(cut));
    got.push(...drain(f));
    t.same(got, [toHex(UPD), toHex(KEEPALIVE)], `cut at ${cut}`);
    t.equal(f.buffered, 0);
  }
});

t.test('every pair of cut points (three chunks)', async (t) => {
  const stream = cat(KEEPALIVE, UPD);
  let ok = 0;
  for (let a = 0; a <= stream.length; a++) {
    for (let b = a; b <= stream.length; b++) {
      const f = new Framer();
      const got: string[] = [];
      for (const c of [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]) {
        f.push(c);
        got.push(...drain(f));
      }
      if (got.join() === [toHex(KEEPALIVE), toHex(UPD)].join()) ok++;
    }
  }
  const n = stream.length + 1;
  t.equal(ok, (n * (n + 1)) / 2);
});

t.test('one byte at a time, many messages', async (t) => {
  const stream = cat(...Array.from({ length: 50 }, (_, i) => (i % 2 ? KEEPALIVE : UPD)));
  const f = new Framer();
  let count = 0;
  for (let i = 0; i < stream.length; i++) {
    f.push(stream.subarray(i, i + 1));
    count += drain(f).length;
  }
  t.equal(count, 50);
});

t.test('RFC 4271 §6.1 Connection Not Synchronized: marker not all ones', async (t) => {
  const bad = KEEPALIVE.slice();
  bad[7] = 0xfe;
  headerError(t, bad, 1, []);
});

t.test('RFC 4271 §6.1 Bad Message Length: data is the length field', async (t) => {
  headerError(t, cat(MARKER, u16(18), [4]), 2, [0, 18]);
  headerError(t, cat(MARKER, u16(20), [4], [0]), 2, [0, 20], 4096); // KEEPALIVE must be 19
  headerError(t, cat(MARKER, u16(22), [2]), 2, [0, 22]); // UPDATE minimum 23
  headerError(t, cat(MARKER, u16(28), [1]), 2, [0, 28]); // OPEN minimum 29
  headerError(t, cat(MARKER, u16(20), [3]), 2, [0, 20]); // NOTIFICATION minimum 21
  headerError(t, cat(MARKER, u16(22), [5]), 2, [0, 22]); // ROUTE-REFRESH minimum 23
  headerError(t, cat(MARKER, u16(4097), [2]), 2, [0x10, 0x01]); // over 4096
});

t.test('RFC 8654 extended message: 65535 allowed for UPDATE, never for OPEN/KEEPALIVE', async (t) => {
  const f = new Framer(() => 65535);
  const big = update([], cat(attr(0x40, 1, [0]), attr(0x40, 2), attr(0x40, 3, ip4('10.0.0.5'))), new Array(5000).fill(0).flatMap(() => pfx4('10.0.0.0', 8)));
  t.ok(big.length > 4096);
  f.push(big);
  t.equal(f.next()?.length, big.length);
  headerError(t, cat(MARKER, u16(5000), [1]), 2, hex('1388'), 65535);
});

t.test('RFC 4271 §6.1 Bad Message Type: data is the type', async (t) => {
  headerError(t, cat(MARKER, u16(19), [6]), 3, [6]);
  headerError(t, cat(MARKER, u16(19), [0]), 3, [0]);
});

t.test('a framer limit can be a context getter', async (t) => {
  let ext = false;
  const f = new Framer(() => ({ fourOctetAs: true, extendedMessage: ext, addPathReceive: new Set(), addPathSend: new Set() }));
  const m = cat(MARKER, u16(5000), [2], new Array(4981).fill(0));
  f.push(m);
  t.throws(() => f.next(), WireError);
  ext = true;
  const g = new Framer(() => ({ fourOctetAs: true, extendedMessage: ext, addPathReceive: new Set(), addPathSend: new Set() }));
  g.push(m);
  t.equal(g.next()?.length, 5000);
});
