/**
 * Property: whatever the order of announcements, withdrawals, session resets (graceful or
 * not), route refreshes (RFC 2918, and RFC 7313 for the peers that negotiated it: the
 * holder applies BoRR/EoRR as a receiver does), import policy changes and partial pulls
 * (backpressure), once every member has pulled until `pending` is 0 it holds exactly what
 * RFC 4456 says it should: the best path (or every path with ADD-PATH) of each prefix it
 * may receive, never its own, with End-of-RIB sent once per session. Driven through the
 * route engine's input vocabulary.
 */
import t from 'tap';
import fc from 'fast-check';
import { formatIpv4, IPV4_UNICAST, parsePrefix, type CodecContext, type PeerInfo, type Prefix } from '@bgp-rr/bgp-speaker';
import { mayAdvertise, peerClass } from '../../../src/engine/reflection.js';
import { Core, Holder, V4, node, nodeAttrs, sendCtx } from './fixtures.js';

const PEERS: { info: PeerInfo; ctx: CodecContext; enhanced: boolean }[] = [
  { info: node('10.0.0.1'), ctx: sendCtx({ addPath: true }), enhanced: true },
  { info: node('10.0.0.2'), ctx: sendCtx({ addPath: true }), enhanced: false },
  { info: node('10.0.0.3'), ctx: sendCtx(), enhanced: true },
  { info: node('10.0.0.4'), ctx: sendCtx({ fourOctetAs: false }), enhanced: false },
  { info: node('10.1.0.1', { client: false }), ctx: sendCtx(), enhanced: true },
  { info: node('10.1.0.2', { client: false }), ctx: sendCtx({ addPath: true }), enhanced: false },
];
const PREFIXES = ['172.16.0.0/24', '172.16.1.0/24', '10.96.0.0/12', '172.16.2.5/32', '172.16.2.6/32'];

type Op =
  | { op: 'announce'; peer: number; prefix: number; med: number; lp: number }
  | { op: 'withdraw'; peer: number; prefix: number }
  | { op: 'pull'; peer: number; bytes: number }
  | { op: 'reset'; peer: number; graceful: boolean }
  | { op: 'refresh'; peer: number }
  | { op: 'policy'; prefix: number };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('announce' as const), peer: fc.nat(5), prefix: fc.nat(4), med: fc.nat(3), lp: fc.constantFrom(100, 200) }),
  fc.record({ op: fc.constant('withdraw' as const), peer: fc.nat(5), prefix: fc.nat(4) }),
  fc.record({ op: fc.constant('pull' as const), peer: fc.nat(5), bytes: fc.constantFrom(1, 60, 500, 1 << 30) }),
  fc.record({ op: fc.constant('reset' as const), peer: fc.nat(5), graceful: fc.boolean() }),
  fc.record({ op: fc.constant('refresh' as const), peer: fc.nat(5) }),
  fc.record({ op: fc.constant('policy' as const), prefix: fc.nat(4) }),
);

function expected(rib: Core, member: PeerInfo, addPath: boolean): string[] {
  const out: string[] = [];
  for (const e of rib.e.routes(V4)) {
    const paths = addPath ? e.paths.filter((p) => p.rejected === null) : e.best ? [e.best] : [];
    for (const p of paths) {
      if (p.peer.id === member.id || !mayAdvertise(peerClass(p.peer), peerClass(member))) continue;
      out.push(`${e.prefix.afi === 1 ? formatIpv4(e.prefix.addr as number) : '?'}/${e.prefix.len} nh=${formatIpv4(p.attrs.attrs.nextHop!)} med=${p.attrs.attrs.med}`);
    }
  }
  return out.sort();
}

function held(h: Holder): string[] {
  return [...h.routes.entries()].map(([k, a]) => `${k.split('#')[0]} nh=${formatIpv4(a.nextHop!)} med=${a.med}`).sort();
}

const runs: [string, number, number][] = [
  ['short histories', 150, 300],
  ['long histories (log compaction, tombstone collection, block retention)', 1000, 30],
];
for (const [what, maxLength, numRuns] of runs) t.test(`property: every member converges to exactly its RFC 4456 view — ${what}`, async (t) => {
  fc.assert(
    fc.property(fc.array(arbOp, { minLength: 10, maxLength, size: 'max' }), (ops) => {
      // Import policy: prefixes in `banned` are rejected; 'policy' toggles one and re-applies.
      const banned = new Set<string>();
      const isBanned = (prefix: Prefix): string | null => (banned.has(`${formatIpv4(prefix.addr as number)}/${prefix.len}`) ? 'banned' : null);
      const rib = new Core({ policy: isBanned });
      const up = (p: (typeof PEERS)[number]): void => void rib.up(p.info, [IPV4_UNICAST], p.ctx, { enhanced: p.enhanced });
      const holders = PEERS.map((p) => {
        up(p);
        return new Holder(p.ctx);
      });
      for (const o of ops) {
        if (o.op === 'policy') {
          const text = PREFIXES[o.prefix]!;
          if (!banned.delete(text)) banned.add(text);
          rib.setPolicy(isBanned);
          continue;
        }
        const p = PEERS[o.peer]!;
        const id = p.info.id;
        if (o.op === 'announce') rib.announce(id, V4, [{ prefix: parsePrefix(PREFIXES[o.prefix]!), pathId: 0 }], nodeAttrs(id, { med: o.med, localPref: o.lp }));
        else if (o.op === 'withdraw') rib.withdraw(id, V4, [{ prefix: parsePrefix(PREFIXES[o.prefix]!), pathId: 0 }]);
        else if (o.op === 'pull') holders[o.peer]!.apply(rib.pull(id, o.bytes));
        else if (o.op === 'refresh') rib.refresh(id, IPV4_UNICAST); // RFC 2918 / RFC 7313
        else {
          rib.down(id, o.graceful);
          up(p);
          holders[o.peer] = new Holder(p.ctx); // a new session: the peer starts empty
          if (o.graceful) rib.endOfRib(id, IPV4_UNICAST); // it came back with nothing to refresh
        }
      }
      PEERS.forEach((p, i) => {
        let guard = 0;
        while (rib.e.pending(p.info.id) > 0 && guard++ < 10000) holders[i]!.apply(rib.pull(p.info.id, 300));
      });
      PEERS.forEach((p, i) => {
        const h = holders[i]!;
        const want = expected(rib, p.info, p.ctx.addPathSend.size > 0);
        const got = held(h);
        if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${p.info.id} holds ${JSON.stringify(got)}, should hold ${JSON.stringify(want)}`);
        if (h.endOfRib !== 1) throw new Error(`${p.info.id} got ${h.endOfRib} End-of-RIB`);
        if (h.borr !== h.eorr || (!p.enhanced && h.borr > 0)) throw new Error(`${p.info.id} got ${h.borr} BoRR and ${h.eorr} EoRR (enhanced: ${p.enhanced})`);
        if (rib.advertised(p.info.id) !== want.length) throw new Error(`${p.info.id} advertised count ${rib.advertised(p.info.id)}`);
      });
    }),
    { numRuns },
  );
  t.pass('held for every sequence');
});
