/** CalicoWatcher against a real single-member etcd. */
import t from 'tap';
import { startEtcd } from '../../../test/harness/etcd.js';
import { waitFor } from '../../../test/harness/proc.js';
import { deriveConfig } from '../src/index.js';
import { affinityKey, affinityValue, blockKey, blockValue, nodeKey, nodeValue, peerKey, peerValue, poolKey, poolValue } from './fixtures.js';
import { record } from './recorder.js';
import { startProxy } from './tcp-proxy.js';

/** A short outage here; the three-member test takes the issue's 30 s (BGP_RR_ETCD_OUTAGE_S). */
const OUTAGE_S = 5;

t.test('one list at a revision, then every change to Node, BGPPeer, IPPool and block affinity reaches the subscriber', async (t) => {
  const etcd = await startEtcd(t);
  await etcd.put(nodeKey('n1'), nodeValue('n1', { ipv4Address: '10.0.0.1/24' }));
  await etcd.put(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250', asNumber: 64512 }));
  const listedAt = await etcd.put('/calico/bgp/v1/global/as_num', '65000');
  const r = record(t, { endpoints: etcd.endpoints, pageSize: 1 }); // one key per page: paging at one revision
  const first = await r.watcher.ready();
  t.same([first.revision, first.nodes.size, first.peers.size], [listedAt, 1, 1], 'snapshot at the list revision; legacy keys ignored');
  t.equal(r.updates[0]?.type, 'snapshot');

  await etcd.put(nodeKey('n2'), nodeValue('n2', { ipv4Address: '10.0.0.2/24' }, { rack: 'r1' }));
  await r.diff('Node added', (d) => d.nodes.added.some((c) => c.name === 'n2'));
  await etcd.put(nodeKey('n1'), nodeValue('n1', { ipv4Address: '10.0.0.1/24', asNumber: 65001 }));
  await r.diff('Node changed', (d) => d.nodes.changed.some((c) => c.after?.bgp?.asNumber === 65001));
  await etcd.put(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250', asNumber: 64512, nodeSelector: "rack == 'r1'" }));
  await r.diff('BGPPeer changed', (d) => d.peers.changed.length === 1);
  await etcd.put(poolKey('p'), poolValue('p', { cidr: '10.65.0.0/16' }));
  await r.diff('IPPool added', (d) => d.pools.added.some((c) => c.after?.cidr.cidr === '10.65.0.0/16'));
  await etcd.put(blockKey('10.65.0.0/26'), blockValue('10.65.0.0/26', 'n2'));
  await etcd.put(affinityKey('n2', '10.65.0.0/26'), affinityValue('pending'));
  await r.diff('affinity added', (d) => d.affinities.added.some((c) => c.after?.state === 'pending'));
  await etcd.put(affinityKey('n2', '10.65.0.0/26'), affinityValue('confirmed'));
  await r.diff('affinity confirmed', (d) => d.affinities.changed.some((c) => c.after?.state === 'confirmed'));
  const last = await etcd.del(nodeKey('n1'));
  await r.diff('Node removed', (d) => d.nodes.removed.some((c) => c.name === 'n1'));

  const s = r.watcher.current();
  t.equal(s?.revision, last, 'revision follows etcd');
  t.same(r.watcher.status().state, 'watching');
  t.same(r.watcher.status().endpoint, etcd.endpoints[0]);
  const cfg = deriveConfig(s!, [{ address: '10.0.0.250' }]);
  t.same(cfg.peers.map((p) => p.name), ['n2'], 'derived peers follow the changes');
  t.same([...cfg.blockOwners], [['10.65.0.0/26', 'n2']]);
});

t.test('malformed JSON, invalid CIDRs, bad selectors and unknown fields are reported by key and skipped', async (t) => {
  const etcd = await startEtcd(t);
  await etcd.put(nodeKey('good'), nodeValue('good', { ipv4Address: '10.0.0.1/24' }));
  await etcd.put(nodeKey('broken'), '{"kind":"Node",');
  const r = record(t, { endpoints: etcd.endpoints });
  await r.watcher.ready();
  await etcd.put(poolKey('badcidr'), poolValue('badcidr', { cidr: '10.65.0.0/33' }));
  await etcd.put(peerKey('badsel'), peerValue('badsel', { peerIP: '10.0.0.250', nodeSelector: "rack = 'r1'" }));
  await etcd.put(nodeKey('future'), nodeValue('future', { ipv4Address: '10.0.0.3/24', somethingNew: true }));
  await etcd.put(blockKey('10.65.1.0/26'), 'not json at all');
  const s = await r.until('four keys with issues', (s) => s.issues.size === 5);
  const reasons = Object.fromEntries([...s.issues].map(([k, v]) => [k, v.map((i) => `${i.severity}: ${i.reason}`)]));
  t.match(reasons[nodeKey('broken')]?.[0], /^error: malformed JSON/);
  t.match(reasons[poolKey('badcidr')]?.[0], /^error: spec.cidr: bad prefix length/);
  t.match(reasons[peerKey('badsel')]?.[0], /^error: spec.nodeSelector: bad selector .* at position 5/);
  t.match(reasons[nodeKey('future')]?.[0], /^warning: spec.bgp.somethingNew: unknown field, ignored/);
  t.match(reasons[blockKey('10.65.1.0/26')]?.[0], /^error: malformed JSON/);
  t.same([...s.nodes.keys()].sort(), ['future', 'good'], 'valid nodes (and one with an unknown field) are used; the broken one is skipped');
  t.equal(s.pools.size + s.peers.size + s.blocks.size, 0, 'invalid resources are absent');
  await etcd.put(nodeKey('broken'), nodeValue('broken', { ipv4Address: '10.0.0.2/24' }));
  const fixed = await r.until('fixed node', (s) => s.nodes.has('broken'));
  t.notOk(fixed.issues.has(nodeKey('broken')), 'fixing the value clears its issue');
});

t.test('compaction past the watched revision: re-list and emit the correct diff', async (t) => {
  const etcd = await startEtcd(t);
  const proxy = await startProxy(t, etcd.block.addr(100), { host: etcd.members[0]!.address, port: 2379 });
  await etcd.put(nodeKey('stay'), nodeValue('stay', { ipv4Address: '10.0.0.1/24' }));
  await etcd.put(nodeKey('change'), nodeValue('change', { ipv4Address: '10.0.0.2/24' }));
  await etcd.put(nodeKey('go'), nodeValue('go', { ipv4Address: '10.0.0.3/24' }));
  const r = record(t, { endpoints: [proxy.url] });
  await r.watcher.ready();
  await waitFor(() => r.watcher.status().state === 'watching', { what: 'watching' });

  proxy.cut();
  await waitFor(() => r.watcher.status().state === 'disconnected', { what: 'disconnected' });
  await etcd.put(nodeKey('change'), nodeValue('change', { ipv4Address: '10.0.0.22/24' }));
  await etcd.del(nodeKey('go'));
  await etcd.put(nodeKey('new'), nodeValue('new', { ipv4Address: '10.0.0.4/24' }));
  await etcd.put(nodeKey('temp'), nodeValue('temp', {}));
  await etcd.del(nodeKey('temp'));
  const compactedAt = await etcd.compact();
  const from = r.diffs.length;
  proxy.restore();

  const d = await r.diff('a re-list diff', (d) => d.relisted, from);
  t.same(d.nodes.added.map((c) => c.name), ['new']);
  t.same(d.nodes.changed.map((c) => [c.name, c.after?.bgp?.ipv4Address?.address]), [['change', '10.0.0.22']]);
  t.same(d.nodes.removed.map((c) => c.name), ['go']);
  t.equal(d.toRevision, compactedAt, 'the re-list is at the current revision');
  await waitFor(() => r.watcher.status().state === 'watching', { what: 'watching again' });
  await etcd.put(nodeKey('after'), nodeValue('after', {}));
  await r.until('watch works after the re-list', (s) => s.nodes.has('after'));
});

t.test('latestRevision: the newest change under the watched prefixes only, probed on the watch connection', async (t) => {
  const etcd = await startEtcd(t);
  const nodeAt = await etcd.put(nodeKey('n1'), nodeValue('n1', { ipv4Address: '10.0.0.1/24' }));
  const seen: number[] = [];
  const r = record(t, { endpoints: etcd.endpoints, revisionProbeMs: 50, onStatus: (st) => void (seen.at(-1) !== st.latestRevision && seen.push(st.latestRevision)) });
  const off = record(t, { endpoints: etcd.endpoints, revisionProbeMs: 0 });
  t.equal(r.watcher.status().latestRevision, 0, '0 until probed');
  await waitFor(() => r.watcher.status().latestRevision === nodeAt, { what: 'first probe' });
  await waitFor(() => off.watcher.status().state === 'watching', { what: 'the unprobed watcher watching' });

  // Writes outside the watched prefixes move the store revision, not latestRevision.
  await etcd.put('/calico/resources/v3/projectcalico.org/felixconfigurations/default', '{}');
  await etcd.put('/calico/ipam/v2/handle/k8s-pod-network.ab12', '{}');
  const outsideAt = await etcd.put('/bgp-rr/v1/replicas/rr-x', '{}');
  await new Promise((resolve) => setTimeout(resolve, 500)); // ten probe periods
  t.equal(r.watcher.status().latestRevision, nodeAt, 'unchanged by writes outside the watched prefixes');
  t.ok(outsideAt > nodeAt, 'the store revision moved');

  // A write under any watched prefix is the newest again.
  const blockAt = await etcd.put(blockKey('10.65.0.0/26'), blockValue('10.65.0.0/26', 'n1'));
  await waitFor(() => r.watcher.status().latestRevision === blockAt, { what: 'a watched write probed' });
  await etcd.put('/calico/felix/v2/no-region/host/n1/status', '{}');
  const poolAt = await etcd.put(poolKey('p'), poolValue('p', { cidr: '10.65.0.0/16' }));
  await waitFor(() => r.watcher.status().latestRevision === poolAt, { what: 'another watched write probed' });
  t.same(seen.filter((v) => v !== 0), [nodeAt, blockAt, poolAt], 'only watched revisions were ever reported');
  t.ok(r.watcher.status().revision >= poolAt, 'the watch applied it too');
  t.equal(off.watcher.status().latestRevision, 0, 'revisionProbeMs 0: never probed');
});

t.test('cut off from etcd: resumes from the last revision, every change made meanwhile delivered, no re-list', async (t) => {
  const etcd = await startEtcd(t);
  const proxy = await startProxy(t, etcd.block.addr(100), { host: etcd.members[0]!.address, port: 2379 });
  await etcd.put(nodeKey('gone'), nodeValue('gone', {}));
  const r = record(t, { endpoints: [proxy.url] });
  await r.watcher.ready();
  await waitFor(() => r.watcher.status().state === 'watching', { what: 'watching' });
  proxy.cut();
  await waitFor(() => r.watcher.status().state === 'disconnected', { what: 'disconnected' });
  for (let i = 0; i < 20; i++) await etcd.put(nodeKey(`n${i}`), nodeValue(`n${i}`, { ipv4Address: `10.0.1.${i + 1}/24` }));
  for (let i = 0; i < 10; i++) await etcd.put(nodeKey('flap'), nodeValue('flap', { asNumber: 65000 + i }));
  await etcd.del(nodeKey('gone'));
  const last = await etcd.put(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250' }));
  proxy.restore();
  const s = await r.until('all changes', (s) => s.revision === last);
  t.same([...s.nodes.keys()].sort(), [...Array.from({ length: 20 }, (_, i) => `n${i}`), 'flap'].sort(), 'every added node, the deleted one gone');
  t.equal(s.nodes.get('flap')?.value.bgp?.asNumber, 65009, 'a key changed many times ends at its last value (intermediate states may be coalesced)');
  t.ok(s.peers.has('rr'));
  t.notOk(r.diffs.some((d) => d.relisted), 'resumed, not re-listed');
});

t.test(`etcd entirely down for ${OUTAGE_S} s: no crash, last good state kept, then every change delivered`, async (t) => {
  const etcd = await startEtcd(t);
  const n1At = await etcd.put(nodeKey('n1'), nodeValue('n1', { ipv4Address: '10.0.0.1/24' }));
  const r = record(t, { endpoints: etcd.endpoints });
  await r.watcher.ready();
  await waitFor(() => r.watcher.status().state === 'watching', { what: 'watching' });
  await waitFor(() => r.watcher.status().latestRevision === n1At, { what: 'the newest watched revision probed' });
  await etcd.stopAll();
  await waitFor(() => r.watcher.status().state === 'disconnected', { what: 'disconnected' });
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_S * 1000));
  const during = r.watcher.status();
  t.equal(during.state, 'disconnected', 'still disconnected while etcd is down');
  t.match(during.lastError, /./, 'the last error is exposed');
  t.ok(r.watcher.current()?.nodes.has('n1'), 'the last good snapshot is kept');
  t.equal(during.latestRevision, n1At, 'the last probed revision is kept');
  await etcd.startAll();
  const n2At = await etcd.put(nodeKey('n2'), nodeValue('n2', { ipv4Address: '10.0.0.2/24' }));
  await etcd.del(nodeKey('n1'));
  await r.until('changes after the outage', (s) => s.nodes.has('n2') && !s.nodes.has('n1'));
  await waitFor(() => r.watcher.status().state === 'watching', { what: 'watching again' });
  await waitFor(() => r.watcher.status().latestRevision === n2At, { what: 'probed again after the outage' });
});

t.test('close() while etcd is unreachable returns promptly', async (t) => {
  const etcd = await startEtcd(t);
  await etcd.stopAll();
  const r = record(t, { endpoints: etcd.endpoints });
  await waitFor(() => r.watcher.status().state === 'disconnected', { what: 'disconnected' });
  t.equal(r.watcher.current(), undefined, 'no snapshot yet');
  await r.watcher.close();
  t.equal(r.watcher.status().state, 'closed');
});
