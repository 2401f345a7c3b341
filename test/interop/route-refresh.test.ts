/**
 * Route refresh (RFC 2918) and enhanced route refresh (RFC 7313) between `bgp-rr run`
 * and real nodes, without a session reset.
 *
 * What BIRD does (found here, BIRD 1.6.8 and BIRD 2.0.12 configured as calico/node):
 *   - both advertise Route Refresh and Enhanced Route Refresh; with bgp-rr's both, the
 *     session negotiates enhanced route refresh (`bgp-rr peer NODE --json`:
 *     routeRefresh.enhanced true; BIRD 1.6 `show protocols all`: "Neighbor caps:
 *     refresh enhanced-refresh ..."), so bgp-rr answers between a BoRR and an EoRR;
 *   - `birdc reload in <protocol>` sends one ROUTE-REFRESH per channel of the session:
 *     BIRD 1.6 (one family per daemon) for IPv4 here; BIRD 2 for every channel: BIRD
 *     2.0.12's CLI has no channel argument (`reload in <protocol> ipv4` is a syntax
 *     error);
 *   - BIRD 2 asks for one channel alone when that channel's import filter changes on
 *     `birdc configure` (what calico/node's confd runs after rewriting the config).
 * BIRD counts every route the peer sent in `show protocols all`, "Route change stats:
 * Import updates: received", and those equal to what it held under "ignored".
 *
 *   1. BIRD 1.6 (n2), BIRD 2 with IPv4 and IPv6 channels on one session (n3), and a node
 *      that is our Speaker (n4, IPv4 and IPv6 routes). `birdc reload in` on n2, then on
 *      n3, then an import filter change on n3's IPv4 channel: each family asked for is
 *      sent again, all of it (the received count grows by exactly the routes bgp-rr
 *      advertises to the node in that family, all "ignored": nothing changed), the
 *      other family not at all, no withdrawal, and both ends keep the session (same
 *      since at bgp-rr; at BIRD, which zeroes these counts when a session goes down,
 *      they went on).
 *   2. `bgp-speaker session` as a node with both families: `refresh ipv4` on its stdin
 *      gets a BoRR, the IPv4 table and an EoRR, nothing of IPv6 and no End-of-RIB. Then
 *      bgp-rr as the receiver: our node sends a BoRR, only part of its IPv4 routes and
 *      an EoRR: the routes not sent again leave bgp-rr and the other nodes, the rest
 *      and its IPv6 routes stay, the session too.
 * A barrier ends each step: a new route from n4, sent by bgp-rr after the refresh: once
 * a node holds it, it has read everything bgp-rr sent before, so its counts are final.
 */
import t, { type Test } from 'tap';
import { poolValue, resourceKey } from '../harness/calico-cluster.js';
import type { CalicoNode } from '../harness/calico-node.js';
import { parseBirdProtocols, type BirdChannelStats, type BirdProtocol } from '../harness/bird-protocols.js';
import { waitFor } from '../harness/index.js';
import { nodeBlock, startReflectorCluster, type ReflectorCluster } from '../harness/reflector-cluster.js';
import { IPV4_UNICAST } from '../../packages/bgp-speaker/src/wire/types.js';
import type { FamilyName, PeerDetail, RouteRow } from '../../packages/reflector/src/control/protocol.js';
import { NodeProbe } from './node-probe.js';

const POOL6 = { name: 'pool6', cidr: 'fd00:10::/48', blockSize: 122 };
const block6 = (i: number): string => `fd00:10:0:${i}::/122`;

/** etcd, the datastore with an IPv6 pool too (nodes in `dual` own an IPv6 block), bgp-rr. */
async function cluster(t: Test, nodes: readonly number[], dual: readonly number[]): Promise<ReflectorCluster> {
  const c = await startReflectorCluster(t, {
    nodes: (c) => nodes.map((i) => (dual.includes(i) ? { ...c.nodeSpec(i, [nodeBlock(i), block6(i)]), ipv6: `fd00::${i}/64` } : c.nodeSpec(i))),
  });
  await c.etcd.put(resourceKey('ippools', POOL6.name), poolValue(POOL6));
  c.startReflector();
  await c.reflectorReady();
  return c;
}

const protoName = (c: ReflectorCluster): string => `Global_${c.rrAddress.replace(/\./g, '_')}`;

async function birdProtocol(c: ReflectorCluster, node: CalicoNode): Promise<BirdProtocol> {
  const r = await node.birdc(['show', 'protocols', 'all', protoName(c)]);
  const p = parseBirdProtocols(r.stdout).get(protoName(c));
  if (p === undefined) throw new Error(`${node.name}: no protocol ${protoName(c)} in ${r.stdout}${r.stderr}`);
  return p;
}

/** A family's statistics: BIRD 2's channel, or BIRD 1.6's protocol (one family per daemon). */
function channel(p: BirdProtocol, family: FamilyName): BirdChannelStats | undefined {
  return p.channels.get(family) ?? (family === 'ipv4' ? p.channels.get('') : undefined);
}

t.test('BIRD 1.6 and BIRD 2 ask with `birdc reload in` or a filter change: that family again, all of it, the session kept', async (t) => {
  const c = await cluster(t, [2, 3, 4], [4]);
  const n2 = await c.startNode(2);
  const n3 = await c.startNode(3, { flavor: 'bird2', multiprotocol: true });
  const n4 = new NodeProbe(t, c, 4);
  await n4.established();
  n4.announce(['172.16.4.0/24', '172.16.4.1/32', block6(4), 'fd00:10:0:4::1/128']);
  n4.endOfRib();
  await c.waitEstablished(['n2', 'n3', 'n4']);
  const held = {
    n2: ['172.16.3.0/24', '172.16.4.0/24', '172.16.4.1/32'],
    n3: ['172.16.2.0/24', '172.16.4.0/24', '172.16.4.1/32', block6(4), 'fd00:10:0:4::1/128'],
  };
  await c.waitRoutes('n2', held.n2);
  await c.waitRoutes('n3', held.n3);

  for (const name of ['n2', 'n3']) {
    const d = await c.json<PeerDetail>(['peer', name]);
    t.same(d.routeRefresh, { negotiated: true, enhanced: true, receiving: [] }, `${name} (${name === 'n2' ? 'BIRD 1.6' : 'BIRD 2'}) negotiated enhanced route refresh`);
  }
  t.equal((await birdProtocol(c, n3)).channels.size, 2, 'n3: one BIRD 2 session with an IPv4 and an IPv6 channel');

  let barriers = 1;
  /** A new route from n4 in each family; returns once n2 and n3 hold it. */
  const barrier = async (): Promise<void> => {
    barriers++;
    const p4 = `172.16.4.${barriers}/32`;
    const p6 = `fd00:10:0:4::${barriers}/128`;
    n4.announce([p4, p6]);
    held.n2.push(p4);
    held.n3.push(p4, p6);
    await c.waitRoutes('n2', held.n2, 30_000);
    await c.waitRoutes('n3', held.n3, 30_000);
  };

  /** `trigger` makes `node` ask for `asked`; checks what it got and that the session stayed. */
  const refresh = async (what: string, name: 'n2' | 'n3', node: CalicoNode, families: readonly FamilyName[], asked: readonly FamilyName[], trigger: () => Promise<void>): Promise<void> => {
    const before = { rr: await c.json<PeerDetail>(['peer', name]), bird: await birdProtocol(c, node) };
    await trigger();
    const rr = await waitFor(async () => {
      const d = await c.json<PeerDetail>(['peer', name]);
      const m = d.messages;
      const b = before.rr.messages;
      // One request per family asked; our answer to each is bracketed by a BoRR and an EoRR.
      return m.received.routeRefresh === b.received.routeRefresh + asked.length && m.sent.routeRefresh === b.sent.routeRefresh + 2 * asked.length ? d : undefined;
    }, { what: `${name}: ${asked.length} ROUTE-REFRESH request(s) answered with BoRR and EoRR`, timeoutMs: 30_000, intervalMs: 200 });
    await barrier();
    const bird = await birdProtocol(c, node);
    for (const f of families) {
      const was = channel(before.bird, f)!;
      const now = channel(bird, f)!;
      const n = before.rr.prefixes[f].advertised;
      t.equal(was.imported, n, `${what}: ${name} held the ${n} ${f} routes bgp-rr advertises to it`);
      const again = asked.includes(f) ? n : 0;
      t.same(
        [now.importUpdates.received - was.importUpdates.received, now.importUpdates.ignored - was.importUpdates.ignored, now.importUpdates.accepted - was.importUpdates.accepted],
        [again + 1, again, 1],
        `${what}: ${f} ${asked.includes(f) ? `sent again, all ${n} routes, each equal to what ${name} held` : 'not sent again'} (+1: the barrier route)`,
      );
      t.same(now.importWithdraws, was.importWithdraws, `${what}: no ${f} withdrawal`);
      t.equal(now.imported, was.imported + 1, `${what}: ${name} holds every ${f} route it held, and the barrier route`);
    }
    // Not BIRD's since column: BIRD turns its monotonic clock into wall time at each
    // listing, and BIRD 1.6's seconds move by one between two listings with no state
    // change. A reset would have zeroed the route change stats, which went on above.
    t.same([bird.state, bird.info, bird.bgpState], ['up', 'Established', 'Established'], `${what}: BIRD's session stayed up (its statistics went on counting)`);
    t.same([rr.state, rr.since, rr.establishedTransitions], [before.rr.state, before.rr.since, before.rr.establishedTransitions], `${what}: bgp-rr's session stayed up (same since)`);
  };

  await refresh('BIRD 1.6 `birdc reload in`', 'n2', n2, ['ipv4'], ['ipv4'], async () => {
    const r = await n2.birdc(['reload', 'in', protoName(c)]);
    t.match(r.stdout, /reloading/, `birdc reload in ${protoName(c)}: ${r.stdout.trim().split('\n').pop()}`);
  });
  t.match(c.rr!.output, /"node":"n2","family":"ipv4-unicast","subtype":"request".*"msg":"route refresh requested: sending the ipv4-unicast table again \(RFC 7313, between BoRR and EoRR\)"/, 'bgp-rr logs the request and its answer');

  await refresh('BIRD 2 `birdc reload in`', 'n3', n3, ['ipv4', 'ipv6'], ['ipv4', 'ipv6'], async () => {
    const r = await n3.birdc(['reload', 'in', protoName(c)]);
    t.match(r.stdout, /reloading/, `birdc reload in ${protoName(c)}: both channels`);
  });

  await refresh('BIRD 2 IPv4 import filter changed', 'n3', n3, ['ipv4', 'ipv6'], ['ipv4'], async () => {
    const r = await n3.reconfigure((conf) => {
      const next = conf.replace('  ipv4 { import all;', '  ipv4 { import filter { accept; };');
      if (next === conf) throw new Error(`n3: no IPv4 channel with "import all" in\n${conf}`);
      return next;
    });
    t.match(r.stdout, /Reconfigur/, 'birdc configure with the new IPv4 import filter');
  });
});

interface SpeakerEvent {
  event: string;
  direction?: string;
  afi?: string;
  subtype?: string;
  prefix?: string;
  pathId?: number;
}

t.test('bgp-speaker as the node: `refresh ipv4` gets BoRR, the IPv4 table, EoRR; our BoRR, part of the routes, EoRR: the rest leave', async (t) => {
  const c = await cluster(t, [2, 4, 5], [4, 5]);
  await c.startNode(2);
  const n4 = new NodeProbe(t, c, 4);
  await n4.established();
  const v4of4 = ['172.16.4.0/24', '172.16.4.1/32', '172.16.4.2/32'];
  n4.announce([...v4of4, block6(4)]);
  n4.endOfRib();
  const sp = c.startSpeaker(5, { announce: ['172.16.5.0/24', `${block6(5)}@fd00::5`], stdin: true });
  await c.waitEstablished(['n2', 'n4', 'n5']);
  await c.waitRoutes('n2', [...v4of4, '172.16.5.0/24']);

  const events = (from = 0): SpeakerEvent[] => sp.lines().slice(from - (sp.lineCount - sp.lines().length)).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as SpeakerEvent);
  const key = (e: SpeakerEvent): string => `${e.prefix}#${e.pathId}`;
  const initialV4 = ['172.16.2.0/24#1', ...v4of4.map((p) => `${p}#1`)].sort();
  await waitFor(() => {
    const ev = events();
    const v4 = ev.filter((e) => e.event === 'update' && !e.prefix!.includes(':')).map(key).sort();
    const v6 = ev.filter((e) => e.event === 'update' && e.prefix!.includes(':')).map(key);
    const eors = ev.filter((e) => e.event === 'eor').map((e) => e.afi).sort();
    return JSON.stringify([v4, v6, eors]) === JSON.stringify([initialV4, [`${block6(4)}#1`], ['ipv4', 'ipv6']]);
  }, { what: 'n5 (bgp-speaker) to hold its initial IPv4 and IPv6 tables with their End-of-RIBs', timeoutMs: 60_000 });
  const n5 = (await c.json<PeerDetail>(['peer', 'n5']));
  t.same([n5.families, n5.routeRefresh.enhanced], [['ipv4', 'ipv6'], true], 'n5: IPv4 and IPv6, enhanced route refresh');

  // 1. n5 asks for IPv4.
  const mark = sp.lineCount;
  sp.stdin!.write('refresh ipv4\n');
  await sp.waitForLine((l) => l.includes('"subtype":"eorr"'), { from: mark, timeoutMs: 30_000 });
  n4.announce(['172.16.4.3/32', 'fd00:10:0:4::3/128']); // the barrier, sent by bgp-rr after the EoRR
  const answer = await waitFor(() => {
    const ev = events(mark);
    return ev.filter((e) => e.event === 'update' && ['172.16.4.3/32', 'fd00:10:0:4::3/128'].includes(e.prefix!)).length === 2 ? ev : undefined;
  }, { what: 'n5 to receive the barrier routes', timeoutMs: 30_000 });
  const shape = answer.map((e) => (e.event === 'update' ? `update ${e.prefix!.includes(':') ? 'ipv6' : 'ipv4'}` : `${e.event} ${e.direction ?? ''} ${e.afi ?? ''} ${e.subtype ?? ''}`.replace(/\s+/g, ' ').trim()));
  const n = initialV4.length;
  t.same(shape.slice(0, n + 3), ['route-refresh sent ipv4 request', 'route-refresh received ipv4 borr', ...Array<string>(n).fill('update ipv4'), 'route-refresh received ipv4 eorr'], 'BoRR, the IPv4 updates, EoRR');
  t.same(answer.slice(2, n + 2).map(key).sort(), initialV4, 'between them exactly the IPv4 table n5 holds');
  t.same(shape.slice(n + 3).sort(), ['update ipv4', 'update ipv6'], 'then only the barrier routes: no IPv6 table, no End-of-RIB');

  // 2. n4 sends a BoRR, part of its IPv4 routes, an EoRR.
  const before4 = await c.json<PeerDetail>(['peer', 'n4']);
  const mark2 = sp.lineCount;
  t.ok(n4.probe.speaker.sendRouteRefresh(n4.peer, IPV4_UNICAST, 'borr'), 'n4 sends a BoRR for IPv4');
  const open = await waitFor(async () => {
    const d = await c.json<PeerDetail>(['peer', 'n4']);
    return d.routeRefresh.receiving.includes('ipv4') ? d : undefined;
  }, { what: 'bgp-rr to open the refresh of n4\'s IPv4 routes', timeoutMs: 30_000, intervalMs: 200 });
  t.same(open.routeRefresh.receiving, ['ipv4'], 'bgp-rr: n4 is re-sending IPv4 (`bgp-rr peer`: routeRefresh.receiving)');
  t.same([open.prefixes.ipv4.stale, open.prefixes.ipv6.stale], [4, 0], 'its 4 IPv4 paths are stale, its 2 IPv6 paths not');
  const row = (await c.json<RouteRow[]>(['routes', '172.16.4.2/32'])).find((r) => r.prefix === '172.16.4.2/32');
  t.same(row?.paths.map((p) => [p.node, p.stale]), [['n4', true]], 'a stale path is still in the Loc-RIB until the EoRR');
  n4.announce(['172.16.4.0/24', '172.16.4.1/32']);
  t.ok(n4.probe.speaker.sendRouteRefresh(n4.peer, IPV4_UNICAST, 'eorr'), 'n4 sends an EoRR for IPv4 after two of its four IPv4 routes');

  await c.waitRoutes('n2', ['172.16.4.0/24', '172.16.4.1/32', '172.16.5.0/24'], 30_000);
  t.pass('n2 (BIRD 1.6): 172.16.4.2/32 and 172.16.4.3/32 are gone, the routes sent again stay');
  const rows = await c.json<RouteRow[]>(['routes']);
  t.same(
    rows.filter((r) => r.paths.some((p) => p.node === 'n4')).map((r) => r.prefix).sort(),
    ['172.16.4.0/24', '172.16.4.1/32', block6(4), 'fd00:10:0:4::3/128'].sort(),
    '`bgp-rr routes`: n4 keeps the IPv4 routes it sent again and its IPv6 routes',
  );
  await waitFor(() => events(mark2).filter((e) => e.event === 'withdraw').length >= 2, { what: 'n5 to see two withdrawals', timeoutMs: 30_000 });
  t.same(events(mark2).filter((e) => e.event === 'withdraw').map(key).sort(), ['172.16.4.2/32#1', '172.16.4.3/32#1'], 'n5 (bgp-speaker): exactly the two routes not sent again withdrawn');
  const after4 = await c.json<PeerDetail>(['peer', 'n4']);
  t.same([after4.routeRefresh.receiving, after4.prefixes.ipv4.stale, after4.prefixes.ipv4.received, after4.prefixes.ipv6.received], [[], 0, 2, 2], 'n4: refresh closed, nothing stale, 2 IPv4 and 2 IPv6 paths');
  t.same([after4.state, after4.since, after4.establishedTransitions], [before4.state, before4.since, before4.establishedTransitions], 'n4\'s session stayed up');
  t.equal(n4.peer.state, 'Established', 'n4 (our Speaker) is still Established');
  t.same(n4.probe.notifications, [], 'no NOTIFICATION either way');
});
