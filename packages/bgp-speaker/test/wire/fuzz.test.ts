/**
 * Fuzz-style robustness (deterministic seed): random bytes and mutations of valid messages
 * fed to `decodeMessage` and the `Framer`. The only exception allowed is WireError, and
 * its code/subcode must be one RFC 4271 §6 / RFC 7313 prescribes for a received message.
 */
import t from 'tap';
import { WireError } from '../../src/wire/errors.js';
import { Framer } from '../../src/wire/framer.js';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { encodeEndOfRib, packUpdates } from '../../src/wire/pack.js';
import { encodeAttributes } from '../../src/wire/update-encode.js';
import { encodeShutdownNotification } from '../../src/wire/notification.js';
import { DEFAULT_CODEC_CONTEXT, IPV6_UNICAST, familyKey, type CodecContext } from '../../src/wire/types.js';

/** Mulberry32: a tiny deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(0xb9b);
const int = (n: number): number => Math.floor(rand() * n);

const ALLOWED: Record<number, number[]> = {
  1: [1, 2, 3], // RFC 4271 §6.1
  2: [0, 1, 6], // RFC 4271 §6.2 (codec-level; 2/2, 2/3, 2/4 come from validateOpen)
  3: [1, 2, 3, 4, 5, 6, 8, 9, 10, 11], // RFC 4271 §6.3
  7: [1], // RFC 7313 §5
};
const rfcError = (e: WireError): boolean => ALLOWED[e.code]?.includes(e.subcode) ?? false;

const ap = new Set([familyKey(1, 1), familyKey(2, 1)]);
const CTXS: CodecContext[] = [
  DEFAULT_CODEC_CONTEXT,
  { fourOctetAs: true, extendedMessage: true, addPathReceive: ap, addPathSend: ap },
  { fourOctetAs: true, extendedMessage: false, addPathReceive: new Set(), addPathSend: new Set() },
];

const nh6 = new Uint8Array(32).fill(0xfd);
const SEEDS: Uint8Array[] = (() => {
  const c = CTXS[1]!;
  const attrs = { origin: 0 as const, asPath: [{ type: 2 as const, asns: [65001, 4200000000] }, { type: 1 as const, asns: [1, 2] }], nextHop: 0x0a000005, med: 1, localPref: 100, atomicAggregate: true, aggregator: { asn: 1, address: 2 }, communities: [1], originatorId: 5, clusterList: [7, 8], extCommunities: [new Uint8Array(8)], largeCommunities: [[1, 2, 3] as [number, number, number]], unknown: [{ flags: 0xc0, code: 99, value: Uint8Array.of(1, 2, 3) }] };
  const nlri = Array.from({ length: 5 }, (_, i) => ({ prefix: { afi: 1 as const, addr: (0xac100000 + (i << 8)) >>> 0, len: 24 }, pathId: i }));
  const v6 = Array.from({ length: 3 }, (_, i) => ({ prefix: { afi: 2 as const, addr: Uint8Array.of(0xfd, 0, 0, i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), len: 48 }, pathId: i }));
  return [
    encodeMessage({ type: 2, withdrawn: nlri.slice(0, 2), attributes: attrs, nlri }, c),
    ...packUpdates(IPV6_UNICAST, encodeAttributes(attrs, c), v6, c, { nextHop: nh6 }),
    encodeMessage({ type: 2, withdrawn: [], attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn: v6 } }, nlri: [] }, c),
    encodeEndOfRib(IPV6_UNICAST),
    encodeMessage({ type: 1, version: 4, myAs: 23456, holdTime: 240, bgpId: 1, capabilities: [{ code: 1, afi: 1, safi: 1 }, { code: 65, asn: 4200000000 }, { code: 64, restarting: true, notification: true, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] }, { code: 69, families: [{ afi: 1, safi: 1, mode: 3 }] }, { code: 71, families: [{ afi: 1, safi: 1, forwardingPreserved: false, staleTime: 10 }] }, { code: 73, hostname: 'h', domain: 'd' }, { code: 2 }, { code: 70 }, { code: 6 }] }, c),
    encodeMessage(encodeShutdownNotification(2, 'bye'), c),
    encodeMessage({ type: 5, afi: 1, subtype: 1, safi: 1 }, c),
    encodeMessage({ type: 4 }, c),
  ];
})();

/** Decodes, returns 'ok' or 'wire'; any other exception fails the test with the input. */
function attempt(t: { fail: (m: string) => void }, b: Uint8Array, ctx: CodecContext): 'ok' | 'wire' {
  try {
    const d = decodeMessage(b, ctx);
    for (const e of d.update?.errors ?? []) if (!(e instanceof WireError) || !rfcError(e)) t.fail(`non-RFC revised-handling error ${e.code}/${e.subcode}`);
    return 'ok';
  } catch (e) {
    if (e instanceof WireError && rfcError(e)) return 'wire';
    t.fail(`unexpected ${String(e)} on ${Buffer.from(b).toString('hex')}`);
    return 'wire';
  }
}

function mutate(seed: Uint8Array): Uint8Array {
  let b = seed.slice();
  const ops = 1 + int(4);
  for (let k = 0; k < ops; k++) {
    const op = int(5);
    if (op === 0 && b.length > 19) b[19 + int(b.length - 19)] = int(256); // flip a body byte
    else if (op === 1 && b.length > 19) {
      const i = 19 + int(b.length - 19);
      b[i] = b[i]! ^ (1 << int(8));
    }
    else if (op === 2 && b.length > 20) b = b.slice(0, 19 + int(b.length - 19)); // truncate
    else if (op === 3) b = Uint8Array.from([...b, ...Array.from({ length: 1 + int(8) }, () => int(256))]); // append
    else if (op === 4 && b.length > 19) b[19 + int(Math.min(12, b.length - 19))] = [0, 1, 2, 3, 0x7f, 0x80, 0xff][int(7)]!; // hit length fields
  }
  if (int(4) !== 0 && b.length >= 19) {
    b[16] = (b.length >> 8) & 0xff; // keep the header consistent most of the time to reach the body decoders
    b[17] = b.length & 0xff;
  }
  return b;
}

t.test('random bytes: only RFC WireErrors', async (t) => {
  let wire = 0;
  for (let i = 0; i < 3000; i++) {
    const len = int(120);
    const b = Uint8Array.from({ length: len }, () => int(256));
    if (i % 2 === 0 && len >= 19) {
      b.fill(0xff, 0, 16);
      b[16] = len >> 8;
      b[17] = len & 0xff;
      b[18] = 1 + int(5);
    }
    if (attempt(t, b, CTXS[i % CTXS.length]!) === 'wire') wire++;
  }
  t.ok(wire > 0, `${wire} of 3000 rejected`);
});

t.test('mutated valid messages: only RFC WireErrors, some still decode', async (t) => {
  let ok = 0;
  let wire = 0;
  for (let i = 0; i < 6000; i++) {
    const r = attempt(t, mutate(SEEDS[i % SEEDS.length]!), CTXS[(i >> 4) % CTXS.length]!);
    if (r === 'ok') ok++;
    else wire++;
  }
  t.ok(ok > 0 && wire > 0, `${ok} decoded, ${wire} rejected`);
});

t.test('the seeds themselves decode cleanly', async (t) => {
  for (const s of SEEDS) t.equal(attempt(t, s, CTXS[1]!), 'ok');
});

t.test('framer on random streams: messages or RFC 4271 §6.1 errors only', async (t) => {
  for (let i = 0; i < 1000; i++) {
    const parts = Array.from({ length: 1 + int(5) }, () => (int(3) === 0 ? Uint8Array.from({ length: int(60) }, () => int(256)) : mutate(SEEDS[int(SEEDS.length)]!)));
    const f = new Framer(i % 2 ? 65535 : 4096);
    try {
      for (const p of parts) {
        let o = 0;
        while (o < p.length) {
          const n = 1 + int(40);
          f.push(p.subarray(o, o + n));
          o += n;
          for (let m = f.next(); m !== null; m = f.next()) attempt(t, m, CTXS[1]!);
        }
      }
    } catch (e) {
      if (!(e instanceof WireError && e.code === 1 && ALLOWED[1]!.includes(e.subcode))) t.fail(`framer threw ${String(e)}`);
    }
  }
  t.pass('done');
});
