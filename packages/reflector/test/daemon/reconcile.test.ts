import t from 'tap';
import type { DesiredPeer } from '@bgp-rr/etcd-store';
import { isEmptyPlan, peerSpecFor, reconcile, type LocalPeerDefaults, type PeerSpec } from '../../src/daemon/reconcile.js';

const defaults: LocalPeerDefaults = { routerId: '10.0.0.100', holdTime: 30, restartTime: 120, connectRetrySeconds: 5 };

function node(name: string, address: string, over: Partial<DesiredPeer> = {}): DesiredPeer {
  return {
    name,
    address,
    family: address.includes(':') ? 6 : 4,
    port: 179,
    localAddress: address.includes(':') ? 'fd00::100' : '10.0.0.100',
    asNumber: 64512,
    routeReflectorClient: true,
    bgpPeers: ['rr1'],
    ...over,
  } as DesiredPeer;
}

const spec = (p: DesiredPeer, as = 64512): PeerSpec => peerSpecFor(p, as, defaults);
const table = (...s: PeerSpec[]): Map<string, PeerSpec> => new Map(s.map((x) => [x.address, x]));
const addrs = (l: readonly PeerSpec[]): string[] => l.map((s) => s.address);

t.test('peerSpecFor: session settings from a DesiredPeer', async (t) => {
  const s = spec(node('n1', '10.0.0.1', { port: 1179, gracefulRestartTime: 300 }));
  t.equal(s.address, '10.0.0.1');
  t.equal(s.config.peerPort, 1179, 'dial the node on its listenPort (calico reference §4)');
  t.equal(s.config.localAddress, '10.0.0.100', 'source = the BGPPeer peerIP');
  t.equal(s.config.peerAs, 64512);
  t.equal(s.config.holdTime, 30);
  t.equal(s.config.passive, false, 'we dial nodes that do not dial us');
  t.equal(s.config.gracefulRestart?.restartTime, 300, 'BGPPeer maxRestartTime');
  t.equal(s.config.gracefulRestart?.restarting, true, 'RFC 4724 R-bit');
  t.same(s.config.families?.map((f) => f.afi), [1, 2], 'both unicast families offered');
  t.ok(s.config.addPath?.every((a) => a.send && a.receive), 'RFC 7911 send and receive');
  t.same(s.unsupported, []);
  const ipv6 = spec(node('n1', 'FD00:0::1'));
  t.equal(ipv6.address, 'fd00::1', 'address normalised (RFC 5952)');
  const pw = spec(node('n2', '10.0.0.2', { password: { name: 's', key: 'k' } }));
  t.equal(pw.unsupported.length, 1, 'TCP MD5 reported as unsupported');
});

const n1 = node('n1', '10.0.0.1');
const n2 = node('n2', '10.0.0.2');
const n3 = node('n3', '10.0.0.3');

const cases: { name: string; desired: DesiredPeer[]; current: DesiredPeer[]; add: string[]; update: string[]; relabel: string[]; remove: string[]; unchanged: number }[] = [
  { name: 'nothing to do when nothing changed', desired: [n1, n2], current: [n1, n2], add: [], update: [], relabel: [], remove: [], unchanged: 2 },
  { name: 'a new node is added', desired: [n1, n2, n3], current: [n1, n2], add: ['10.0.0.3'], update: [], relabel: [], remove: [], unchanged: 2 },
  { name: 'a deleted node is removed', desired: [n1], current: [n1, n2], add: [], update: [], relabel: [], remove: ['10.0.0.2'], unchanged: 1 },
  { name: 'start from empty: everything added', desired: [n1, n2], current: [], add: ['10.0.0.1', '10.0.0.2'], update: [], relabel: [], remove: [], unchanged: 0 },
  { name: 'etcd empty: everything removed', desired: [], current: [n1, n2], add: [], update: [], relabel: [], remove: ['10.0.0.1', '10.0.0.2'], unchanged: 0 },
  {
    name: 'a changed AS updates that peer only',
    desired: [node('n1', '10.0.0.1', { asNumber: 65001 }), n2],
    current: [n1, n2],
    add: [], update: ['10.0.0.1'], relabel: [], remove: [], unchanged: 1,
  },
  {
    name: 'a changed listenPort updates that peer only',
    desired: [n1, node('n2', '10.0.0.2', { port: 1179 })],
    current: [n1, n2],
    add: [], update: ['10.0.0.2'], relabel: [], remove: [], unchanged: 1,
  },
  {
    name: 'RFC 4456 §2: client status change is a session change',
    desired: [node('n1', '10.0.0.1', { routeReflectorClient: false }), n2],
    current: [n1, n2],
    add: [], update: ['10.0.0.1'], relabel: [], remove: [], unchanged: 1,
  },
  {
    name: 'a renamed node keeps its session (relabel)',
    desired: [node('n1-renamed', '10.0.0.1'), n2],
    current: [n1, n2],
    add: [], update: [], relabel: ['10.0.0.1'], remove: [], unchanged: 1,
  },
  {
    name: 'a second BGPPeer selecting the node keeps its session (relabel)',
    desired: [node('n1', '10.0.0.1', { bgpPeers: ['rr1', 'rr1-bis'] }), n2],
    current: [n1, n2],
    add: [], update: [], relabel: ['10.0.0.1'], remove: [], unchanged: 1,
  },
  {
    name: 'a node that moved address: old removed, new added',
    desired: [node('n1', '10.0.0.9'), n2],
    current: [n1, n2],
    add: ['10.0.0.9'], update: [], relabel: [], remove: ['10.0.0.1'], unchanged: 1,
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const plan = reconcile(c.desired.map((d) => spec(d)), table(...c.current.map((d) => spec(d))));
    t.same(addrs(plan.add), c.add, 'add');
    t.same(addrs(plan.update), c.update, 'update');
    t.same(addrs(plan.relabel), c.relabel, 'relabel');
    t.same([...plan.remove], c.remove, 'remove');
    t.equal(plan.unchanged, c.unchanged, 'unchanged');
    t.equal(isEmptyPlan(plan), c.add.length + c.update.length + c.relabel.length + c.remove.length === 0);
  });
}

t.test('every insertion order gives the same plan', async (t) => {
  const desired = [n3, node('n1', '10.0.0.1', { asNumber: 65001 }), node('n4', '10.0.0.4')];
  const current = [n1, n2, n3];
  const perms = <T>(l: T[]): T[][] => (l.length <= 1 ? [l] : l.flatMap((x, i) => perms([...l.slice(0, i), ...l.slice(i + 1)]).map((r) => [x, ...r])));
  for (const d of perms(desired)) {
    for (const c of perms(current)) {
      const plan = reconcile(d.map((x) => spec(x)), table(...c.map((x) => spec(x))));
      t.same(addrs(plan.add), ['10.0.0.4']);
      t.same(addrs(plan.update), ['10.0.0.1']);
      t.same([...plan.remove], ['10.0.0.2']);
      t.equal(plan.unchanged, 1);
    }
  }
});

t.test('a changed local AS (BGPPeer asNumber) updates every peer', async (t) => {
  const plan = reconcile([spec(n1, 65000), spec(n2, 65000)], table(spec(n1), spec(n2)));
  t.same(addrs(plan.update), ['10.0.0.1', '10.0.0.2']);
});
