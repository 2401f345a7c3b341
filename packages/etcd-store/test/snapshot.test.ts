import t from 'tap';
import fc from 'fast-check';
import { COLLECTIONS } from '../src/kinds.js';
import { applyEvents, fromList, isEmptyDiff, relist, type KeyValue, type Snapshot, type StoreEvent } from '../src/snapshot.js';
import { affinityKey, affinityValue, blockKey, blockValue, nodeKey, nodeValue, peerKey, peerValue, poolKey, poolValue } from './fixtures.js';

const kv = (key: string, value: string, modRevision = 1): KeyValue => ({ key, value, modRevision });
const put = (key: string, value: string, modRevision: number): StoreEvent => ({ type: 'put', key, value, modRevision });
const del = (key: string, modRevision: number): StoreEvent => ({ type: 'delete', key, modRevision });
const n1 = nodeValue('n1', { ipv4Address: '10.0.0.1/24' });

const base = (): Snapshot =>
  fromList(
    [
      kv(nodeKey('n1'), n1),
      kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250' })),
      kv(poolKey('p'), poolValue('p', { cidr: '10.65.0.0/16' })),
      kv(blockKey('10.65.0.0/26'), blockValue('10.65.0.0/26', 'n1')),
      kv(affinityKey('n1', '10.65.0.0/26'), affinityValue()),
      kv(nodeKey('bad'), '{not json'),
      kv('/calico/bgp/v1/global/as_num', '64512'),
    ],
    10,
  );

t.test('a list gives one snapshot at its revision; invalid values are reported, not stored', async (t) => {
  const s = base();
  t.equal(s.revision, 10);
  t.same(COLLECTIONS.map((c) => s[c].size), [1, 1, 0, 1, 1, 1]);
  t.same([...s.issues.keys()], [nodeKey('bad')]);
  t.equal(s.issues.get(nodeKey('bad'))?.[0]?.severity, 'error');
});

t.test('watch events fold into diffs', async (t) => {
  const s = base();
  const r1 = applyEvents(s, [put(nodeKey('n2'), nodeValue('n2', { ipv4Address: '10.0.0.2/24' }), 11)]);
  t.same(r1.diff.nodes.added.map((c) => c.name), ['n2'], 'put of a new key: added');
  t.equal(r1.snapshot.revision, 11, 'revision follows the events');
  t.equal(s.nodes.size, 1, 'the old snapshot is unchanged');
  t.equal(r1.snapshot.peers, s.peers, 'untouched collections are shared');

  const r2 = applyEvents(r1.snapshot, [put(nodeKey('n1'), n1, 12)]);
  t.ok(isEmptyDiff(r2.diff), 'rewriting the same value is not a change');

  const r3 = applyEvents(r2.snapshot, [put(nodeKey('n1'), nodeValue('n1', { ipv4Address: '10.0.0.9/24' }), 13)]);
  t.same(r3.diff.nodes.changed.map((c) => [c.name, c.before?.bgp?.ipv4Address?.address, c.after?.bgp?.ipv4Address?.address]), [['n1', '10.0.0.1', '10.0.0.9']], 'changed with before and after');

  const r4 = applyEvents(r3.snapshot, [put(nodeKey('n1'), nodeValue('n1', { ipv4Address: 'nope' }), 14)]);
  t.same(r4.diff.nodes.removed.map((c) => c.name), ['n1'], 'an invalid update: the resource is skipped (absent)');
  t.same(r4.diff.issues.added.map((i) => i.key), [nodeKey('n1')], '... and its issue is reported');
  t.equal(r4.snapshot.nodes.size, 1, 'nothing else is taken down');

  const r5 = applyEvents(r4.snapshot, [put(nodeKey('n1'), n1, 15)]);
  t.same([r5.diff.nodes.added.map((c) => c.name), r5.diff.issues.removed.map((i) => i.key)], [['n1'], [nodeKey('n1')]], 'fixed: back, issue gone');

  const r6 = applyEvents(r5.snapshot, [del(nodeKey('bad'), 16), del(peerKey('rr'), 16), del(blockKey('10.65.0.0/26'), 16)]);
  t.same([r6.diff.issues.removed.length, r6.diff.peers.removed.length, r6.diff.blocks.removed.length], [1, 1, 1], 'deletes in one transaction, one diff');

  const r7 = applyEvents(r6.snapshot, [put('/calico/bgp/v1/host/n1/ip_addr_v4', '10.0.0.1', 17), del('/calico/ipam/v2/handle/x', 17)]);
  t.ok(isEmptyDiff(r7.diff), 'keys we do not read change nothing');
  t.equal(r7.snapshot.revision, 17, '... but the revision advances');
});

t.test('re-list after compaction emits the difference', async (t) => {
  const s = base();
  const { snapshot, diff } = relist(
    s,
    [
      kv(nodeKey('n1'), nodeValue('n1', { ipv4Address: '10.0.0.1/24', asNumber: 65001 }), 20),
      kv(nodeKey('n3'), nodeValue('n3', { ipv4Address: '10.0.0.3/24' }), 21),
      kv(poolKey('p'), poolValue('p', { cidr: '10.65.0.0/16' })),
      kv(blockKey('10.65.0.0/26'), blockValue('10.65.0.0/26', 'n1')),
      kv(affinityKey('n1', '10.65.0.0/26'), affinityValue()),
    ],
    30,
  );
  t.ok(diff.relisted);
  t.same([diff.fromRevision, diff.toRevision, snapshot.revision], [10, 30, 30]);
  t.same(diff.nodes.added.map((c) => c.name), ['n3']);
  t.same(diff.nodes.changed.map((c) => c.name), ['n1']);
  t.same(diff.peers.removed.map((c) => c.name), ['rr']);
  t.same([diff.pools, diff.blocks, diff.affinities].map((d) => d.added.length + d.changed.length + d.removed.length), [0, 0, 0], 'unchanged values are not in the diff');
  t.same(diff.issues.removed.map((i) => i.key), [nodeKey('bad')], 'issues of vanished keys are removed');
});

t.test('property: folding any event sequence equals listing the final state', async () => {
  const keys = [nodeKey('a'), nodeKey('b'), peerKey('p'), poolKey('q'), blockKey('10.65.1.0/26'), affinityKey('a', '10.65.1.0/26')];
  const values: Record<string, string[]> = {
    [keys[0] as string]: [nodeValue('a', { ipv4Address: '10.0.0.1/24' }), nodeValue('a', { ipv4Address: '10.0.0.2/24' }), '{bad'],
    [keys[1] as string]: [nodeValue('b', {}, { x: 'y' }), nodeValue('b', { asNumber: 'bad' })],
    [keys[2] as string]: [peerValue('p', { peerIP: '10.0.0.250' }), peerValue('p', { peerIP: '10.0.0.250', nodeSelector: '((' })],
    [keys[3] as string]: [poolValue('q', { cidr: '10.65.0.0/16' }), poolValue('q', { cidr: '10.65.0.0/16', disabled: true })],
    [keys[4] as string]: [blockValue('10.65.1.0/26', 'a'), blockValue('10.65.1.0/26', 'b')],
    [keys[5] as string]: [affinityValue(), affinityValue('pending'), ''],
  };
  const op = fc.record({ key: fc.constantFrom(...keys), del: fc.boolean(), v: fc.nat(2) });
  fc.assert(
    fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { maxLength: 20 }), (batches) => {
      let s = fromList([], 1);
      const state = new Map<string, KeyValue>();
      let rev = 1;
      for (const batch of batches) {
        rev++;
        const evs = batch.map((o): StoreEvent => {
          const vs = values[o.key] ?? [];
          const value = vs[o.v % vs.length] ?? '';
          if (o.del) state.delete(o.key);
          else state.set(o.key, kv(o.key, value, rev));
          return o.del ? del(o.key, rev) : put(o.key, value, rev);
        });
        s = applyEvents(s, evs).snapshot;
      }
      const listed = fromList(state.values(), rev);
      const { diff } = relist(s, state.values(), rev);
      return isEmptyDiff(diff) && COLLECTIONS.every((c) => s[c].size === listed[c].size) && s.issues.size === listed.issues.size;
    }),
  );
});
