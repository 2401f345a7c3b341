/**
 * Fuzzing a live session: a raw TCP client reaches Established with our speaker, then
 * sends one random or mutated message followed by a ROUTE-REFRESH probe. For each case
 * the speaker must neither crash nor hang, and must either
 *   - send exactly the NOTIFICATION the message calls for (RFC 4271 §6, RFC 6608, RFC 7313),
 *   - or keep the session up (valid message, RFC 7606 treat-as-withdraw/attribute-discard),
 *     proven by the probe arriving,
 *   - or, for a NOTIFICATION from the client, close without answering.
 * The expected outcome comes from hand-written rules for header and FSM errors and from
 * the wire decoder for body errors (whose own vectors are tested in test/wire/).
 * Deterministic: a seeded PRNG; the seed is printed.
 */
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { leaseLoopbackBlock, freePort, waitFor } from '../../../../test/harness/index.js';
import { Speaker, type Peer } from '../../src/speaker.js';
import { Framer } from '../../src/wire/framer.js';
import { checkHeader, maxMessageLength } from '../../src/wire/header.js';
import { decodeMessage, encodeMessage, KEEPALIVE_BYTES } from '../../src/wire/message.js';
import { encodeOpen } from '../../src/wire/open.js';
import { encodeRouteRefresh, type RouteRefreshSubtypeName } from '../../src/wire/route-refresh.js';
import { encodeUpdate } from '../../src/wire/update-encode.js';
import { buildOpen } from '../../src/fsm/negotiate.js';
import { WireError } from '../../src/wire/errors.js';
import { parseIpv4 } from '../../src/wire/address.js';
import { ipv4Prefix } from '../../src/wire/prefix.js';
import { IPV4_UNICAST, MessageType, type CodecContext } from '../../src/wire/types.js';

const SEED = Number(process.env.BGP_RR_FUZZ_SEED ?? 20261125);
const CASES = Number(process.env.BGP_RR_FUZZ_CASES ?? 150);
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = { kind: 'sent'; code: number; subcode: number } | { kind: 'alive' } | { kind: 'closed' };
const fmt = (o: Outcome): string => (o.kind === 'sent' ? `NOTIFICATION ${o.code}/${o.subcode}` : o.kind);

const AS = 64512;
const PROBE = encodeRouteRefresh({ type: MessageType.ROUTE_REFRESH, afi: 1, subtype: 0, safi: 1 });

/** What the speaker must do with `frame` in Established (the oracle). */
function expected(frame: Uint8Array, ctx: CodecContext): Outcome {
  let decoded;
  try {
    checkHeader(frame, 0, maxMessageLength(ctx));
    // RFC 6608: an OPEN in Established is unexpected, whatever its body.
    if (frame[18] === MessageType.OPEN) return { kind: 'sent', code: 5, subcode: 3 };
    decoded = decodeMessage(frame, ctx);
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    return { kind: 'sent', code: err.code, subcode: err.subcode };
  }
  switch (decoded.message.type) {
    case MessageType.OPEN:
      return { kind: 'sent', code: 5, subcode: 3 }; // RFC 6608: unexpected in Established
    case MessageType.NOTIFICATION:
      return { kind: 'closed' };
    default:
      return { kind: 'alive' };
  }
}

function valid(rnd: () => number, ctx: CodecContext): Uint8Array {
  const pick = Math.floor(rnd() * 5);
  const addr = parseIpv4('172.16.0.0') + Math.floor(rnd() * 65536) * 256;
  const nlri = [{ prefix: ipv4Prefix(addr >>> 0, 24), pathId: 1 }];
  const attrs = { origin: 0 as const, asPath: [], nextHop: parseIpv4('10.0.0.2'), localPref: 100, originatorId: 1, clusterList: [2, 3], communities: [65000 << 16] };
  switch (pick) {
    case 0:
      return encodeUpdate({ type: 2, withdrawn: [], attributes: attrs, nlri }, ctx);
    case 1:
      return encodeUpdate({ type: 2, withdrawn: nlri, attributes: {}, nlri: [] }, ctx);
    case 2:
      return encodeOpen(buildOpen({ localAs: AS, routerId: 0x0a000002, holdTime: 90, families: [IPV4_UNICAST], addPath: [] }));
    case 3:
      return encodeMessage({ type: 3, code: 6, subcode: 2, data: new Uint8Array(0) }, ctx);
    default:
      return encodeRouteRefresh({ type: MessageType.ROUTE_REFRESH, afi: 1, subtype: 0, safi: 1 });
  }
}

/** A mutated valid message, a random body under a valid header, or random bytes under a random type. */
function fuzzFrame(rnd: () => number, ctx: CodecContext): Uint8Array {
  const mode = rnd();
  if (mode < 0.6) {
    const b = valid(rnd, ctx).slice();
    const flips = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < flips; i++) b[19 + Math.floor(rnd() * (b.length - 19))] = Math.floor(rnd() * 256);
    if (rnd() < 0.3) return fixLength(b.subarray(0, 19 + Math.floor(rnd() * (b.length - 18))));
    return b;
  }
  const len = 19 + Math.floor(rnd() * 80);
  const b = new Uint8Array(len);
  for (let i = 19; i < len; i++) b[i] = Math.floor(rnd() * 256);
  b.fill(0xff, 0, 16);
  b[18] = mode < 0.9 ? 1 + Math.floor(rnd() * 5) : Math.floor(rnd() * 256);
  return fixLength(b);
}
function fixLength(b: Uint8Array): Uint8Array {
  const out = b.slice();
  out[16] = out.length >>> 8;
  out[17] = out.length & 0xff;
  return out;
}

const HAND: { rule: string; frame: Uint8Array; want: Outcome }[] = [
  { rule: 'RFC 4271 §6.1: marker not all ones → 1/1', frame: (() => { const b = KEEPALIVE_BYTES.slice(); b[3] = 0; return b; })(), want: { kind: 'sent', code: 1, subcode: 1 } },
  { rule: 'RFC 4271 §6.1: length below 19 → 1/2', frame: (() => { const b = KEEPALIVE_BYTES.slice(); b[17] = 18; return b; })(), want: { kind: 'sent', code: 1, subcode: 2 } },
  { rule: 'RFC 4271 §6.1: length above 4096 → 1/2', frame: (() => { const b = new Uint8Array(19).fill(0xff, 0, 16); b[16] = 0x10; b[17] = 0x01; b[18] = 2; return b; })(), want: { kind: 'sent', code: 1, subcode: 2 } },
  { rule: 'RFC 4271 §6.1: KEEPALIVE longer than 19 → 1/2', frame: fixLength(Uint8Array.from([...KEEPALIVE_BYTES, 0])), want: { kind: 'sent', code: 1, subcode: 2 } },
  { rule: 'RFC 4271 §6.1: unknown type 9 → 1/3', frame: (() => { const b = KEEPALIVE_BYTES.slice(); b[18] = 9; return b; })(), want: { kind: 'sent', code: 1, subcode: 3 } },
  { rule: 'RFC 6608: a malformed OPEN in Established is still 5/3', frame: fixLength(Uint8Array.from([...new Uint8Array(16).fill(0xff), 0, 0, 1, 3, 0, 1, 0, 90, 10, 0, 0, 2, 0])), want: { kind: 'sent', code: 5, subcode: 3 } },
  { rule: 'RFC 6608: OPEN in Established → 5/3', frame: encodeOpen(buildOpen({ localAs: AS, routerId: 0x0a000002, holdTime: 90, families: [IPV4_UNICAST], addPath: [] })), want: { kind: 'sent', code: 5, subcode: 3 } },
  { rule: 'RFC 4271 §6.3: attribute list longer than the message → 3/1', frame: fixLength(Uint8Array.from([...new Uint8Array(16).fill(0xff), 0, 0, 2, 0, 0, 0, 40, 0x40, 1, 1, 0])), want: { kind: 'sent', code: 3, subcode: 1 } },
  { rule: 'RFC 7313 §5: BoRR of the wrong length → 7/1', frame: fixLength(Uint8Array.from([...new Uint8Array(16).fill(0xff), 0, 0, 5, 0, 1, 1, 1, 0])), want: { kind: 'sent', code: 7, subcode: 1 } },
  { rule: 'RFC 4271 §8.2.2: NOTIFICATION received → closed, no NOTIFICATION back', frame: encodeMessage({ type: 3, code: 6, subcode: 4, data: new Uint8Array(0) }, { fourOctetAs: true, extendedMessage: false, addPathSend: new Set(), addPathReceive: new Set() }), want: { kind: 'closed' } },
];

/** A client that speaks just enough BGP to reach Established. */
async function establish(speaker: Speaker, peer: Peer, from: string, to: string, port: number): Promise<Socket> {
  await waitFor(() => peer.state === 'Active', { what: `peer back in Active (is ${peer.state})`, timeoutMs: 10_000, intervalMs: 2 });
  const sock = connect({ host: to, port, localAddress: from });
  sock.on('error', () => {});
  const framer = new Framer();
  let seen = 0;
  sock.on('data', (d: Buffer) => {
    framer.push(d);
    while (framer.next()) seen++;
  });
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  sock.write(encodeOpen(buildOpen({ localAs: AS, routerId: 0x0a000002, holdTime: 90, families: [IPV4_UNICAST], addPath: [] })));
  await waitFor(() => seen >= 2, { what: 'OPEN and KEEPALIVE from the speaker', timeoutMs: 10_000, intervalMs: 2 });
  sock.write(KEEPALIVE_BYTES);
  await waitFor(() => peer.state === 'Established', { what: 'Established', timeoutMs: 10_000, intervalMs: 2 });
  void speaker;
  return sock;
}

function outcome(speaker: Speaker, peer: Peer): Promise<Outcome> {
  return new Promise((resolve) => {
    const done = (o: Outcome): void => {
      speaker.off('notification', onN);
      speaker.off('routeRefresh', onR);
      resolve(o);
    };
    const onN = (p: Peer, dir: string, n: { code: number; subcode: number }): void => {
      if (p !== peer) return;
      done(dir === 'sent' ? { kind: 'sent', code: n.code, subcode: n.subcode } : { kind: 'closed' });
    };
    const onR = (p: Peer, f: { afi: number; safi: number }, subtype: RouteRefreshSubtypeName): void => {
      if (p === peer && f.afi === 1 && f.safi === 1 && subtype === 'request') done({ kind: 'alive' });
    };
    speaker.on('notification', onN);
    speaker.on('routeRefresh', onR);
  });
}

t.test(`live session fuzz: ${CASES} random/mutated messages + ${HAND.length} hand-written (seed ${SEED})`, async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, them] = [block.addr(1), block.addr(2)];
  const port = await freePort(us);
  const speaker = new Speaker();
  t.teardown(() => speaker.stop());
  await speaker.listen([{ address: us, port }]);
  const peer = speaker.addPeer({ peerAddress: them, localAddress: us, localAs: AS, peerAs: AS, routerId: '10.0.0.1', passive: true, idleHoldSeconds: 0 });
  const rnd = prng(SEED);
  const cases = [...HAND.map((h) => ({ name: h.rule, frame: h.frame, want: h.want as Outcome | null })), ...Array.from({ length: CASES }, (_, i) => ({ name: `random case ${i}`, frame: null as Uint8Array | null, want: null as Outcome | null }))];
  let mismatches = 0;
  const tally: Record<string, number> = {};
  for (const c of cases) {
    const sock = await establish(speaker, peer, them, us, port);
    const ctx = peer.negotiated!.codec;
    const frame = c.frame ?? fuzzFrame(rnd, ctx);
    const want = c.want ?? expected(frame, ctx);
    const got = outcome(speaker, peer);
    sock.write(frame);
    sock.write(PROBE);
    const o = await Promise.race([got, new Promise<null>((r) => setTimeout(() => r(null), 10_000).unref())]);
    if (o === null) {
      t.fail(`${c.name}: no outcome (hang) for ${Buffer.from(frame).toString('hex')}`);
      mismatches++;
    } else if (fmt(o) !== fmt(want)) {
      t.fail(`${c.name}: got ${fmt(o)}, want ${fmt(want)} for ${Buffer.from(frame).toString('hex')}`);
      mismatches++;
    } else if (c.want !== null) {
      t.pass(`${c.name}: ${fmt(o)}`);
    }
    tally[fmt(o ?? { kind: 'alive' })] = (tally[fmt(o ?? { kind: 'alive' })] ?? 0) + 1;
    sock.destroy();
  }
  t.equal(mismatches, 0, `every case got the expected outcome; outcomes: ${JSON.stringify(tally)}`);
  t.ok(Object.keys(tally).length >= 4, 'the random cases reach several different outcomes');
  // Still serving: one more clean session.
  const sock = await establish(speaker, peer, them, us, port);
  t.equal(peer.state, 'Established', 'the speaker still accepts and establishes sessions');
  sock.destroy();
});

const openWith = (over: { as?: number; hold?: number; version?: number }): Uint8Array => {
  const b = encodeOpen(buildOpen({ localAs: over.as ?? AS, routerId: 0x0a000002, holdTime: over.hold ?? 90, families: [IPV4_UNICAST], addPath: [] })).slice();
  if (over.version !== undefined) b[19] = over.version;
  return b;
};
const OPENSENT: { rule: string; frame: Uint8Array; code: number; subcode: number }[] = [
  { rule: 'RFC 6608: KEEPALIVE before OPEN → 5/1', frame: KEEPALIVE_BYTES, code: 5, subcode: 1 },
  { rule: 'RFC 6608: UPDATE before OPEN → 5/1', frame: encodeUpdate({ type: 2, withdrawn: [], attributes: {}, nlri: [] }, { fourOctetAs: false, extendedMessage: false, addPathSend: new Set(), addPathReceive: new Set() }), code: 5, subcode: 1 },
  { rule: 'RFC 4271 §6.2: wrong peer AS → 2/2', frame: openWith({ as: 65099 }), code: 2, subcode: 2 },
  { rule: 'RFC 4271 §6.2: hold time 1 → 2/6', frame: openWith({ hold: 1 }), code: 2, subcode: 6 },
  { rule: 'RFC 4271 §6.2: version 3 → 2/1', frame: openWith({ version: 3 }), code: 2, subcode: 1 },
];

t.test('in OpenSent: the first message decides (OPEN errors and unexpected messages)', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, them] = [block.addr(1), block.addr(2)];
  const port = await freePort(us);
  const speaker = new Speaker();
  t.teardown(() => speaker.stop());
  await speaker.listen([{ address: us, port }]);
  const peer = speaker.addPeer({ peerAddress: them, localAddress: us, localAs: AS, peerAs: AS, routerId: '10.0.0.1', passive: true, idleHoldSeconds: 0 });
  for (const c of OPENSENT) {
    await waitFor(() => peer.state === 'Active', { what: 'Active', timeoutMs: 10_000, intervalMs: 2 });
    const got = outcome(speaker, peer);
    const sock = connect({ host: us, port, localAddress: them });
    sock.on('error', () => {});
    sock.write(c.frame);
    t.same(await got, { kind: 'sent', code: c.code, subcode: c.subcode }, c.rule);
    sock.destroy();
  }
});
