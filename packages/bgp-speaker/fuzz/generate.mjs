// Fuzz case generator: random and mutated BGP messages (RFC 4271 §4) for the decoder
// and for a live session. Deterministic for a seed. The codec is injected (dist/ for the
// CLI, src/ for the tests) so this file depends on nothing.
//
// Mutations (each case is one of them, named in `kind`):
//   valid            a well-formed seed message, unchanged
//   bit-flip         1..8 random bit flips after the marker
//   byte-set         1..4 random bytes set to random / boundary values (0, 0xff, 0x80)
//   truncate         cut short; header length fixed (a body that lies about its content)
//   truncate-raw     cut short; header length NOT fixed (the header lies)
//   header-len-lie   header length field set to another value (±1, 0, 18, 19, 4096, 4097, 65535)
//   inner-len-lie    an UPDATE length field lies: withdrawn length, total path attribute
//                    length, one attribute's length, an NLRI prefix length
//   attr-dup         one path attribute appended again (RFC 7606 §3 g)
//   attr-flags       one attribute's flags byte replaced (optional/transitive/partial/extended)
//   huge-count       many NLRI, a long AS_PATH, many communities, 255 capabilities
//   random-body      random bytes under a valid header of a known type
//   random-type      random bytes under a random type
//   splice           the head of one seed and the tail of another, length fixed
//   extend           random bytes appended, length fixed

/** Mulberry32. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export const KINDS = [
  'valid', 'bit-flip', 'byte-set', 'truncate', 'truncate-raw', 'header-len-lie', 'inner-len-lie',
  'attr-dup', 'attr-flags', 'huge-count', 'random-body', 'random-type', 'splice', 'extend',
];

/** Codec contexts cases are decoded under (index = `ctx` of a case). */
export function contexts(c) {
  const ap = new Set([c.familyKey(1, 1), c.familyKey(2, 1)]);
  return [
    { name: 'default', ctx: c.DEFAULT_CODEC_CONTEXT },
    { name: 'as4-addpath-extended', ctx: { fourOctetAs: true, extendedMessage: true, addPathReceive: ap, addPathSend: ap } },
    { name: 'as4', ctx: { fourOctetAs: true, extendedMessage: false, addPathReceive: new Set(), addPathSend: new Set() } },
  ];
}

export function fixLength(b) {
  const out = b.slice();
  out[16] = (out.length >>> 8) & 0xff;
  out[17] = out.length & 0xff;
  return out;
}

/** Well-formed messages of every type, encoded for context `ctx` (what the peer would send). */
export function seedMessages(c, ctx) {
  const attrs = {
    origin: 0, asPath: [{ type: 2, asns: [65001, 4200000000] }, { type: 1, asns: [1, 2] }], nextHop: 0x0a000005, med: 1, localPref: 100,
    atomicAggregate: true, aggregator: { asn: 1, address: 2 }, communities: [1, 0xffff0001], originatorId: 5, clusterList: [7, 8],
    extCommunities: [new Uint8Array(8)], largeCommunities: [[1, 2, 3]], unknown: [{ flags: 0xc0, code: 99, value: Uint8Array.of(1, 2, 3) }],
  };
  const calico = { origin: 0, asPath: [], nextHop: 0x0a000002, localPref: 100, originatorId: 0x0a000002, clusterList: [0x0a000001] };
  const nlri = Array.from({ length: 5 }, (_, i) => ({ prefix: { afi: 1, addr: (0xac100000 + (i << 8)) >>> 0, len: 24 }, pathId: i + 1 }));
  const host = [{ prefix: { afi: 1, addr: 0xac100507, len: 32 }, pathId: 9 }];
  const v6 = Array.from({ length: 3 }, (_, i) => ({ prefix: { afi: 2, addr: Uint8Array.of(0xfd, 0, 0, i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), len: 48 }, pathId: i + 1 }));
  const nh6 = new Uint8Array(16).fill(0xfd);
  const out = [
    c.encodeMessage({ type: 2, withdrawn: nlri.slice(0, 2), attributes: attrs, nlri }, ctx),
    c.encodeMessage({ type: 2, withdrawn: [], attributes: calico, nlri: nlri.slice(0, 1) }, ctx),
    c.encodeMessage({ type: 2, withdrawn: [], attributes: calico, nlri: host }, ctx),
    c.encodeMessage({ type: 2, withdrawn: nlri, attributes: {}, nlri: [] }, ctx),
    ...c.packUpdates(c.IPV6_UNICAST, c.encodeAttributes(calico, ctx), v6, ctx, { nextHop: nh6 }),
    c.encodeMessage({ type: 2, withdrawn: [], attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn: v6 } }, nlri: [] }, ctx),
    c.encodeEndOfRib(c.IPV4_UNICAST),
    c.encodeEndOfRib(c.IPV6_UNICAST),
    c.encodeMessage({
      type: 1, version: 4, myAs: 23456, holdTime: 240, bgpId: 1,
      capabilities: [{ code: 1, afi: 1, safi: 1 }, { code: 65, asn: 4200000000 }, { code: 64, restarting: true, notification: true, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] }, { code: 69, families: [{ afi: 1, safi: 1, mode: 3 }] }, { code: 2 }, { code: 70 }, { code: 6 }],
    }, ctx),
    c.encodeMessage(c.encodeShutdownNotification(2, 'maintenance'), ctx),
    c.encodeMessage({ type: 3, code: 6, subcode: 1, data: Uint8Array.of(0, 1, 1, 0, 0, 3, 0xe8) }, ctx),
    c.encodeMessage({ type: 5, afi: 1, subtype: 0, safi: 1 }, ctx),
    c.encodeMessage({ type: 5, afi: 2, subtype: 1, safi: 1 }, ctx),
    c.encodeMessage({ type: 4 }, ctx),
  ];
  return out;
}

/** Offsets of the path attributes of an UPDATE frame: [{ at, hdr, len }] or null. */
export function updateAttributes(b) {
  if (b.length < 23 || b[18] !== 2) return null;
  const wl = (b[19] << 8) | b[20];
  const tp = 21 + wl;
  if (tp + 2 > b.length) return null;
  const tl = (b[tp] << 8) | b[tp + 1];
  const start = tp + 2;
  const end = start + tl;
  if (end > b.length) return null;
  const out = [];
  let p = start;
  while (p + 3 <= end) {
    const ext = (b[p] & 0x10) !== 0;
    const hdr = ext ? 4 : 3;
    if (p + hdr > end) break;
    const len = ext ? (b[p + 2] << 8) | b[p + 3] : b[p + 2];
    out.push({ at: p, hdr, len });
    p += hdr + len;
  }
  return { withdrawnAt: 19, totalAt: tp, start, end, attrs: out };
}

const BOUNDARY = [0, 1, 0x7f, 0x80, 0xfe, 0xff];

/**
 * A case generator: `next()` → { kind, ctx, frame }, `ctx` an index into `contexts`
 * (default: contexts(c); the live target passes its one negotiated context).
 */
export function generator(c, seed, ctxList) {
  const rnd = prng(seed);
  const int = (n) => Math.floor(rnd() * n);
  const ctxs = ctxList ?? contexts(c);
  const seeds = ctxs.map((x) => seedMessages(c, x.ctx));
  const pick = (a) => a[int(a.length)];
  const max = (ci) => (ctxs[ci].ctx.extendedMessage ? 65535 : 4096);

  function huge(ci) {
    const ctx = ctxs[ci].ctx;
    const which = int(4);
    if (which === 0) {
      const n = 200 + int(2000);
      const nlri = Array.from({ length: n }, (_, i) => ({ prefix: { afi: 1, addr: (0xac000000 + i * 256) >>> 0, len: 24 }, pathId: i }));
      const frames = c.packUpdates(c.IPV4_UNICAST, c.encodeAttributes({ origin: 0, asPath: [], nextHop: 1, localPref: 100 }, ctx), nlri, ctx, {});
      return frames[0];
    }
    if (which === 1) {
      const segs = Array.from({ length: 1 + int(20) }, () => ({ type: 2, asns: Array.from({ length: 1 + int(255) }, () => 1 + int(4000000000)) }));
      try {
        return c.encodeMessage({ type: 2, withdrawn: [], attributes: { origin: 0, asPath: segs, nextHop: 1 }, nlri: [{ prefix: { afi: 1, addr: 0x0a000000, len: 8 }, pathId: 1 }] }, ctx);
      } catch {
        return pick(seeds[ci]);
      }
    }
    if (which === 2) {
      const communities = Array.from({ length: 1 + int(1000) }, () => int(0xffffffff));
      try {
        return c.encodeMessage({ type: 2, withdrawn: [], attributes: { origin: 0, asPath: [], nextHop: 1, communities }, nlri: [{ prefix: { afi: 1, addr: 0x0a000000, len: 8 }, pathId: 1 }] }, ctx);
      } catch {
        return pick(seeds[ci]);
      }
    }
    // An OPEN whose optional parameters claim up to 255 octets of capabilities.
    const n = 1 + int(120);
    const caps = [];
    for (let i = 0; i < n; i++) caps.push(2, 0);
    const body = [4, 0xfd, 0xe8, 0, 240, 10, 0, 0, 1, Math.min(255, caps.length + 2), 2, Math.min(255, caps.length), ...caps];
    return fixLength(Uint8Array.from([...new Uint8Array(16).fill(0xff), 0, 0, 1, ...body]));
  }

  function mutate(kind, ci) {
    const base = pick(seeds[ci]);
    switch (kind) {
      case 'valid':
        return base;
      case 'bit-flip': {
        const b = base.slice();
        for (let i = 1 + int(8); i > 0; i--) {
          const at = 16 + int(b.length - 16);
          b[at] ^= 1 << int(8);
        }
        return b;
      }
      case 'byte-set': {
        const b = base.slice();
        for (let i = 1 + int(4); i > 0; i--) b[19 + int(Math.max(1, b.length - 19))] = rnd() < 0.5 ? pick(BOUNDARY) : int(256);
        return b.subarray(0, base.length);
      }
      case 'truncate':
        return fixLength(base.subarray(0, 19 + int(base.length - 18)));
      case 'truncate-raw':
        return base.slice(0, Math.max(19, int(base.length)));
      case 'header-len-lie': {
        const b = base.slice();
        const v = pick([b.length - 1, b.length + 1, 0, 18, 19, 4096, 4097, 65535, int(65536)]);
        b[16] = (v >>> 8) & 0xff;
        b[17] = v & 0xff;
        return b;
      }
      case 'inner-len-lie': {
        const u = updateAttributes(base);
        if (u === null) return mutate('header-len-lie', ci);
        const b = base.slice();
        const r = int(4);
        const lie = (at, width) => {
          const v = pick([0, 1, 2, 3, 255, 256, 4096, 65535, int(1 << (8 * width))]);
          if (width === 2) {
            b[at] = (v >>> 8) & 0xff;
            b[at + 1] = v & 0xff;
          } else b[at] = v & 0xff;
        };
        if (r === 0) lie(u.withdrawnAt, 2);
        else if (r === 1) lie(u.totalAt, 2);
        else if (r === 2 && u.attrs.length > 0) {
          const a = pick(u.attrs);
          lie(a.at + 2, a.hdr === 4 ? 2 : 1);
        } else if (u.end < b.length) b[u.end] = pick([33, 64, 129, 200, 255]); // NLRI prefix length
        else lie(u.totalAt, 2);
        return b;
      }
      case 'attr-dup': {
        const u = updateAttributes(base);
        if (u === null || u.attrs.length === 0) return mutate('bit-flip', ci);
        const a = pick(u.attrs);
        const attr = base.subarray(a.at, a.at + a.hdr + a.len);
        const b = new Uint8Array(base.length + attr.length);
        b.set(base.subarray(0, u.end));
        b.set(attr, u.end);
        b.set(base.subarray(u.end), u.end + attr.length);
        const tl = u.end - u.start + attr.length;
        b[u.totalAt] = (tl >>> 8) & 0xff;
        b[u.totalAt + 1] = tl & 0xff;
        return b.length > max(ci) ? base : fixLength(b);
      }
      case 'attr-flags': {
        const u = updateAttributes(base);
        if (u === null || u.attrs.length === 0) return mutate('byte-set', ci);
        const b = base.slice();
        const a = pick(u.attrs);
        // Keep the extended-length bit (so the TLV still parses) unless told otherwise.
        b[a.at] = rnd() < 0.8 ? (int(256) & 0xe0) | (b[a.at] & 0x10) : int(256);
        return b;
      }
      case 'huge-count':
        return huge(ci);
      case 'random-body': {
        const len = 19 + int(rnd() < 0.9 ? 120 : max(ci) - 18);
        const b = new Uint8Array(len);
        for (let i = 19; i < len; i++) b[i] = int(256);
        b.fill(0xff, 0, 16);
        b[18] = 1 + int(5);
        return fixLength(b);
      }
      case 'random-type': {
        const len = 19 + int(64);
        const b = new Uint8Array(len);
        for (let i = 16; i < len; i++) b[i] = int(256);
        b.fill(0xff, 0, 16);
        return rnd() < 0.7 ? fixLength(b) : b;
      }
      case 'splice': {
        const other = pick(seeds[ci]);
        const head = base.subarray(0, 19 + int(base.length - 18));
        const tail = other.subarray(19 + int(other.length - 18));
        const b = new Uint8Array(head.length + tail.length);
        b.set(head);
        b.set(tail, head.length);
        return b.length > max(ci) ? base : fixLength(b);
      }
      case 'extend': {
        const extra = 1 + int(64);
        const b = new Uint8Array(base.length + extra);
        b.set(base);
        for (let i = base.length; i < b.length; i++) b[i] = int(256);
        return b.length > max(ci) ? base : fixLength(b);
      }
      default:
        throw new Error(`unknown mutation ${kind}`);
    }
  }

  return {
    contexts: ctxs,
    /** Draws one case. */
    next() {
      const ci = int(ctxs.length);
      const kind = KINDS[int(KINDS.length)];
      return { kind, ctx: ci, frame: mutate(kind, ci) };
    },
    /** Draws one case for a given context (the live target has one negotiated context). */
    nextFor(ci) {
      const kind = KINDS[int(KINDS.length)];
      return { kind, ctx: ci, frame: mutate(kind, ci) };
    },
    rnd,
  };
}
