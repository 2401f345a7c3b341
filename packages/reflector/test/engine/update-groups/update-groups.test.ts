/**
 * Update groups (DESIGN.md §4), driven through the route engine's input vocabulary
 * (Adj-RIB-In -> Loc-RIB -> groups) and checked on the wire: every frame a member pulls
 * is decoded with the real codec into what that peer would hold.
 */
import t from 'tap';
import { IPV4_UNICAST, IPV6_UNICAST, parseIpv6, parsePrefix, type Nlri, type PeerInfo } from '@bgp-rr/bgp-speaker';
import { CHUNK_BYTES } from '../../../src/engine/update-groups/chunks.js';
import { Core, Holder, ID, V4, V6, ip, node, nodeAttrs, sendCtx, splitMessages } from './fixtures.js';

const ALL = 1 << 30;
const nl = (prefix: string, pathId = 0): Nlri[] => [{ prefix: parsePrefix(prefix), pathId }];

/** A replica core with `n` client nodes 10.0.0.1..n, each announcing 172.16.i.0/24. */
function cluster(n: number, o: { addPath?: boolean; announce?: boolean } = {}) {
  const rib = new Core();
  const ctx = sendCtx({ addPath: o.addPath });
  const nodes: PeerInfo[] = [];
  for (let i = 1; i <= n; i++) {
    const p = node(`10.0.0.${i}`);
    nodes.push(p);
    rib.up(p, [IPV4_UNICAST], ctx);
  }
  if (o.announce !== false) for (let i = 1; i <= n; i++) rib.announce(`10.0.0.${i}`, V4, nl(`172.16.${i}.0/24`), nodeAttrs(`10.0.0.${i}`));
  return { rib, ctx, nodes };
}

t.test('RFC 4724 §2: a new member gets the whole table, then End-of-RIB, once', async (t) => {
  const { rib, ctx } = cluster(5);
  const h = new Holder(ctx).apply(rib.pull('10.0.0.1', ALL));
  t.same(h.summary(), ['172.16.2.0/24 via 10.0.0.2', '172.16.3.0/24 via 10.0.0.3', '172.16.4.0/24 via 10.0.0.4', '172.16.5.0/24 via 10.0.0.5']);
  t.equal(h.endOfRib, 1);
  t.equal(rib.e.pending('10.0.0.1'), 0, 'in sync');
  t.same(rib.pull('10.0.0.1', ALL), [], 'nothing more, no second End-of-RIB');
  t.equal(rib.advertised('10.0.0.1'), 4);
});

t.test('RFC 4456 §8 on the wire: ORIGINATOR_ID is the node, CLUSTER_LIST is our cluster id, NEXT_HOP untouched', async (t) => {
  const { rib, ctx } = cluster(2);
  const h = new Holder(ctx).apply(rib.pull('10.0.0.1', ALL));
  const a = h.routes.get('172.16.2.0/24#0')!;
  t.equal(a.originatorId, ip('10.0.0.2'));
  t.same(a.clusterList, [ID.clusterId]);
  t.equal(a.nextHop, ip('10.0.0.2'));
  t.equal(a.localPref, 100);
});

t.test('DESIGN.md §4: one encoding, many sockets — members get the same Uint8Array objects', async (t) => {
  const { rib } = cluster(4);
  for (const id of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) rib.pull(id, ALL);
  rib.announce('10.0.0.4', V4, nl('172.16.40.0/24'), nodeAttrs('10.0.0.4', { med: 1 }));
  const a = rib.pull('10.0.0.1', ALL);
  const b = rib.pull('10.0.0.2', ALL);
  const c = rib.pull('10.0.0.3', ALL);
  t.equal(a.length, 1);
  t.equal(a[0], b[0], 'same object for member 2');
  t.equal(a[0], c[0], 'same object for member 3');
  t.same(rib.pull('10.0.0.4', ALL), [], 'split horizon: the source gets nothing');
  t.equal(rib.e.updateGroupStats().length, 1, 'one group');
});

t.test('joining members share the initial table bytes too (views of one buffer)', async (t) => {
  const { rib } = cluster(6);
  const a = rib.pull('10.0.0.5', ALL);
  const b = rib.pull('10.0.0.6', ALL);
  const routesA = a.slice(0, -1);
  const routesB = b.slice(0, -1);
  t.ok(routesA.length > 0 && routesB.length > 0);
  const buffers = new Set([...routesA, ...routesB].map((c) => c.buffer));
  t.equal(buffers.size, 1, 'every chunk of both members is a view of the same encoded table');
  t.equal(a.at(-1), b.at(-1), 'the same End-of-RIB object');
  t.equal(splitMessages(routesA).length, 5, 'node 5 gets the routes of nodes 1-4 and 6, not its own');
});

t.test('split horizon, single path: when the best becomes the member\'s own path it gets a withdrawal', async (t) => {
  const { rib, ctx } = cluster(3, { announce: false });
  const svc = nl('10.96.0.0/12');
  rib.announce('10.0.0.2', V4, svc, nodeAttrs('10.0.0.2'));
  const h1 = new Holder(ctx).apply(rib.pull('10.0.0.1', ALL));
  t.same(h1.summary(), ['10.96.0.0/12 via 10.0.0.2']);
  rib.announce('10.0.0.1', V4, svc, nodeAttrs('10.0.0.1', { localPref: 200 }));
  h1.apply(rib.pull('10.0.0.1', ALL));
  t.same(h1.summary(), [], 'node 1 holds nothing from us for its own best route');
  const h3 = new Holder(ctx).apply(rib.pull('10.0.0.3', ALL));
  t.same(h3.summary(), ['10.96.0.0/12 via 10.0.0.1'], 'the others get node 1\'s path');
});

t.test('RFC 7911 ADD-PATH: all paths per prefix, own path left out, withdrawals by path id', async (t) => {
  const { rib, ctx } = cluster(4, { addPath: true, announce: false });
  const svc = nl('10.96.0.0/12');
  for (const i of [1, 2, 3]) rib.announce(`10.0.0.${i}`, V4, svc, nodeAttrs(`10.0.0.${i}`));
  const h4 = new Holder(ctx).apply(rib.pull('10.0.0.4', ALL));
  t.same(h4.summary(), ['10.96.0.0/12 via 10.0.0.1', '10.96.0.0/12 via 10.0.0.2', '10.96.0.0/12 via 10.0.0.3']);
  t.equal(new Set([...h4.routes.keys()]).size, 3, 'three distinct path ids');
  const h1 = new Holder(ctx).apply(rib.pull('10.0.0.1', ALL));
  t.same(h1.summary(), ['10.96.0.0/12 via 10.0.0.2', '10.96.0.0/12 via 10.0.0.3'], 'node 1 does not get its own path');
  rib.withdraw('10.0.0.2', V4, svc);
  h4.apply(rib.pull('10.0.0.4', ALL));
  t.same(h4.summary(), ['10.96.0.0/12 via 10.0.0.1', '10.96.0.0/12 via 10.0.0.3'], 'only the withdrawn path went');
  rib.announce('10.0.0.3', V4, svc, nodeAttrs('10.0.0.3', { med: 9 }));
  h4.apply(rib.pull('10.0.0.4', ALL));
  t.equal(h4.routes.size, 2, 'a changed path replaces itself (stable path id)');
});

t.test('ADD-PATH and single-path peers are in different groups', async (t) => {
  const rib = new Core();
  const ap = sendCtx({ addPath: true });
  const single = sendCtx();
  rib.up(node('10.0.0.1'), [IPV4_UNICAST], ap);
  rib.up(node('10.0.0.2'), [IPV4_UNICAST], single);
  rib.up(node('10.0.0.3'), [IPV4_UNICAST], single);
  rib.up(node('10.0.0.4'), [IPV4_UNICAST], single);
  rib.announce('10.0.0.3', V4, nl('10.96.0.0/12'), nodeAttrs('10.0.0.3'));
  rib.announce('10.0.0.4', V4, nl('10.96.0.0/12'), nodeAttrs('10.0.0.4'));
  t.equal(rib.e.updateGroupStats().length, 2);
  t.equal(new Holder(ap).apply(rib.pull('10.0.0.1', ALL)).routes.size, 2, 'ADD-PATH: both paths');
  t.same(new Holder(single).apply(rib.pull('10.0.0.2', ALL)).summary(), ['10.96.0.0/12 via 10.0.0.3'], 'single path: the best (lower router id)');
});

t.test('RFC 4456 §6 through the groups: a non-client\'s route goes to clients only', async (t) => {
  const rib = new Core();
  const ctx = sendCtx();
  rib.up(node('10.0.0.1'), [IPV4_UNICAST], ctx);
  rib.up(node('10.1.0.1', { client: false }), [IPV4_UNICAST], ctx);
  rib.up(node('10.1.0.2', { client: false }), [IPV4_UNICAST], ctx);
  rib.announce('10.1.0.1', V4, nl('192.168.0.0/16'), nodeAttrs('10.1.0.1'));
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  t.same(new Holder(ctx).apply(rib.pull('10.0.0.1', ALL)).summary(), ['192.168.0.0/16 via 10.1.0.1'], 'client gets the non-client route');
  t.same(new Holder(ctx).apply(rib.pull('10.1.0.2', ALL)).summary(), ['172.16.1.0/24 via 10.0.0.1'], 'non-client gets the client route only');
});

t.test('coalescing: 1000 flaps of one prefix give a slow member exactly one final state', async (t) => {
  const { rib, ctx } = cluster(3);
  const slow = new Holder(ctx).apply(rib.pull('10.0.0.3', ALL));
  const fast = new Holder(ctx).apply(rib.pull('10.0.0.2', ALL));
  for (let i = 1; i <= 1000; i++) {
    if (i % 2 === 1) rib.withdraw('10.0.0.1', V4, nl('172.16.1.0/24'));
    else rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1', { med: i }));
    fast.apply(rib.pull('10.0.0.2', ALL)); // a fast member keeps sealing blocks
  }
  t.equal(fast.touched.get('172.16.1.0/24'), 1 + 1000, 'the fast member saw every state');
  const before = slow.touched.get('172.16.1.0/24');
  slow.apply(rib.pull('10.0.0.3', ALL));
  t.equal(slow.touched.get('172.16.1.0/24')! - before!, 1, 'the slow member: one message for the prefix');
  t.equal(slow.routes.get('172.16.1.0/24#0')?.med, 1000, 'in its final state');
  const [g] = rib.e.updateGroupStats();
  t.ok(g!.logLength <= 2 * 3 + 64, `log bounded by the table (${g!.logLength})`);
  t.ok(g!.blocks <= 2 * 3 + 256 + 1, `blocks bounded by the table (${g!.blocks})`);
});

t.test('coalescing without any other member pulling: one final state too', async (t) => {
  const { rib, ctx } = cluster(2);
  const slow = new Holder(ctx).apply(rib.pull('10.0.0.2', ALL));
  for (let i = 1; i <= 1000; i++) rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1', { med: i }));
  slow.apply(rib.pull('10.0.0.2', ALL));
  t.equal(slow.touched.get('172.16.1.0/24'), 2, 'initial table + one final state');
  t.equal(slow.routes.get('172.16.1.0/24#0')?.med, 1000);
});

t.test('memory is bounded by the table, not by churn with a stalled member', async (t) => {
  const { rib } = cluster(10);
  rib.pull('10.0.0.2', ALL); // 10.0.0.1 never pulls
  for (let i = 0; i < 20000; i++) {
    const n = (i % 10) + 1;
    rib.announce(`10.0.0.${n}`, V4, nl(`172.16.${n}.0/24`), nodeAttrs(`10.0.0.${n}`, { med: i }));
    if (i % 7 === 0) rib.pull('10.0.0.2', ALL);
  }
  const [g] = rib.e.updateGroupStats();
  t.ok(g!.logLength <= 2 * g!.paths + 64, `log ${g!.logLength} for ${g!.paths} paths`);
  t.ok(g!.blocks <= 2 * g!.paths + 256 + 1, `blocks ${g!.blocks}`);
  t.ok(rib.e.tableSizes().exportedAttributeSets <= 2 * 10 + 10, `outbound attribute sets ${rib.e.tableSizes().exportedAttributeSets}`);
  t.ok(rib.e.tableSizes().attributeSets <= 10, `inbound attribute sets ${rib.e.tableSizes().attributeSets}`);
});

t.test('packing: prefixes sharing one attribute set travel in one UPDATE', async (t) => {
  const { rib, ctx } = cluster(2, { announce: false });
  const many: Nlri[] = [];
  for (let i = 0; i < 200; i++) many.push({ prefix: parsePrefix(`172.16.1.${i}/32`), pathId: 0 });
  rib.announce('10.0.0.1', V4, many, nodeAttrs('10.0.0.1'));
  const frames = rib.pull('10.0.0.2', ALL);
  const h = new Holder(ctx).apply(frames);
  t.equal(h.routes.size, 200);
  t.equal(h.updates, 1, 'one UPDATE for 200 /32s');
  t.equal(splitMessages(frames).length, 2, 'plus End-of-RIB');
});

t.test('batch writes and backpressure: chunks of whole messages, about maxBytes per pull', async (t) => {
  const { rib, ctx } = cluster(2, { announce: false });
  for (let i = 0; i < 3000; i++) rib.announce('10.0.0.1', V4, [{ prefix: { afi: 1, addr: (0xac100000 + i) >>> 0, len: 32 }, pathId: 0 }], nodeAttrs('10.0.0.1', { med: i }));
  const h = new Holder(ctx);
  let rounds = 0;
  while (rib.e.pending('10.0.0.2') > 0) {
    const chunks = rib.pull('10.0.0.2', 1);
    t.equal(chunks.length, 1, 'one chunk per pull when maxBytes is tiny');
    t.ok(chunks[0]!.length <= CHUNK_BYTES, 'a chunk stays within CHUNK_BYTES');
    h.apply(chunks);
    rounds++;
  }
  t.ok(rounds >= 3, `3000 UPDATEs in ${rounds} writes`);
  t.equal(h.routes.size, 3000);
  t.equal(h.updates, 3000, 'one UPDATE per distinct attribute set');
  t.equal(h.endOfRib, 1);
  t.equal(rib.messagesOut('10.0.0.2'), 3001, 'messages counted for the updates-sent metric');
});

t.test('IPv6: MP_REACH_NLRI with the node\'s next hop, End-of-RIB per family', async (t) => {
  const rib = new Core();
  const ctx = sendCtx();
  const a = node('fd00::1', { routerId: ip('10.0.0.1') });
  const b = node('fd00::2', { routerId: ip('10.0.0.2') });
  rib.up(a, [IPV4_UNICAST, IPV6_UNICAST], ctx);
  rib.up(b, [IPV4_UNICAST, IPV6_UNICAST], ctx);
  const nh = parseIpv6('fd00::1');
  rib.announce('fd00::1', V6, [{ prefix: parsePrefix('fd00:10::/122'), pathId: 0 }], { origin: 0, asPath: [], localPref: 100, mpReach: { afi: 2, safi: 1, nextHop: nh, nlri: [] } });
  const h = new Holder(ctx).apply(rib.pull('fd00::2', ALL));
  t.same([...h.routes.keys()], ['fd00:10::/122#0']);
  t.same(h.routes.get('fd00:10::/122#0')?.mpReach?.nextHop, nh);
  t.equal(h.endOfRib, 2, 'one End-of-RIB for IPv4, one for IPv6');
});

t.test('last member leaving drops the group and its attribute references', async (t) => {
  const { rib } = cluster(3);
  t.ok(rib.e.tableSizes().exportedAttributeSets > 0);
  for (const id of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) rib.down(id, false);
  t.equal(rib.e.updateGroupStats().length, 0);
  t.equal(rib.e.tableSizes().exportedAttributeSets, 0);
  t.equal(rib.e.tableSizes().attributeSets, 0);
  t.equal(rib.e.tableSizes().prefixes, 0);
});

t.test('a withdrawal forgotten once every member saw it is not lost for a later joiner', async (t) => {
  const { rib, ctx } = cluster(4, { announce: false });
  for (let i = 0; i < 10; i++) rib.announce('10.0.0.2', V4, nl(`172.16.2.${i}/32`), nodeAttrs('10.0.0.2', { med: i }));
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  rib.announce('10.0.0.3', V4, nl('172.16.3.0/24'), nodeAttrs('10.0.0.3'));
  const members = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'];
  for (const id of members) rib.pull(id, ALL); // the initial table is encoded and shared
  rib.withdraw('10.0.0.1', V4, nl('172.16.1.0/24'));
  for (let i = 0; i < 300; i++) {
    rib.announce('10.0.0.3', V4, nl('172.16.3.0/24'), nodeAttrs('10.0.0.3', { med: i }));
    for (const id of members) rib.pull(id, ALL);
  }
  rib.up(node('10.0.0.5'), [IPV4_UNICAST], ctx); // joins after the tombstone was collected
  const h = new Holder(ctx).apply(rib.pull('10.0.0.5', ALL));
  t.notOk(h.routes.has('172.16.1.0/24#0'), 'the withdrawn prefix is not in the new member\'s table');
  t.equal(h.routes.size, 11);
});

t.test('takeMembersWithWork: new members, then the members of changed groups only', async (t) => {
  const rib = new Core();
  const single = sendCtx();
  const ap = sendCtx({ addPath: true });
  rib.up(node('10.0.0.1'), [IPV4_UNICAST], single);
  rib.up(node('10.0.0.2'), [IPV4_UNICAST], single);
  rib.up(node('10.0.0.3'), [IPV4_UNICAST], ap);
  t.same([...rib.e.takePeersWithWork()].sort(), ['10.0.0.1', '10.0.0.2', '10.0.0.3'], 'new members owe End-of-RIB');
  t.same([...rib.e.takePeersWithWork()], [], 'taken');
  rib.announce('10.0.0.1', V4, nl('10.96.0.0/12'), nodeAttrs('10.0.0.1'));
  rib.announce('10.0.0.3', V4, nl('10.96.0.0/12'), nodeAttrs('10.0.0.3', { localPref: 50 }));
  t.same([...rib.e.takePeersWithWork()].sort(), ['10.0.0.1', '10.0.0.2', '10.0.0.3'], 'both groups changed');
  rib.announce('10.0.0.3', V4, nl('10.96.0.0/12'), nodeAttrs('10.0.0.3', { localPref: 60 }));
  t.same([...rib.e.takePeersWithWork()], ['10.0.0.3'], 'a non-best path changed: only the ADD-PATH group');
});
