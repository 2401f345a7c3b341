/** The kinds table: every row round-trips through the key layout, the watch, the parser and the snapshot. */
import t from 'tap';
import { collectionsFeeding, COLLECTIONS, KINDS, parseKey, WATCHED_PREFIXES, type Collections, type Kind, type KeyName } from '../src/kinds.js';
import { feedChanged } from '../src/snapshot.js';
import type { BGPConfiguration, BlockAffinity, CalicoNode, IPAMBlock } from '../src/resources/index.js';
import { applyEvents, emptySnapshot, fromList } from '../src/snapshot.js';
import { affinityValue, blockValue, configValue, nodeValue, peerValue, poolValue } from './fixtures.js';

/** A named object and a valid value for it, per kind (a new row without a sample does not compile). */
const SAMPLES: Record<Kind, { readonly name: KeyName; readonly value: string }> = {
  Node: { name: { name: 'node-1' }, value: nodeValue('node-1', { ipv4Address: '10.0.0.1/24' }) },
  BGPPeer: { name: { name: 'rr-1' }, value: peerValue('rr-1', { peerIP: '10.0.0.250' }) },
  BGPConfiguration: { name: { name: 'node.node-1' }, value: configValue('node.node-1', { listenPort: 1790 }) },
  IPPool: { name: { name: 'default-ipv4-ippool' }, value: poolValue('default-ipv4-ippool', { cidr: '10.65.0.0/16' }) },
  IPAMBlock: { name: { name: 'fd00:10::/122', cidr: 'fd00:10::/122' }, value: blockValue('fd00:10::/122', 'node-1') },
  BlockAffinity: { name: { name: 'node-1/10.65.3.0/26', node: 'node-1', cidr: '10.65.3.0/26' }, value: affinityValue('pending') },
};

// Compile-time: the collections keep their parsers' types (a wrong one fails `npm run typecheck`).
const typed: [Collections['nodes'], Collections['configs'], Collections['blocks'], Collections['affinities']] extends [CalicoNode, BGPConfiguration, IPAMBlock, BlockAffinity] ? true : false = true;

t.test('every kind round-trips: key -> kind and name, watched prefix, parser, snapshot collection', async (t) => {
  t.ok(typed);
  const empty = emptySnapshot(7);
  t.equal(empty.revision, 7);
  for (const row of KINDS) {
    const sample = SAMPLES[row.kind];
    const key = row.keys.key(sample.name);
    t.same(parseKey(key), { kind: row.kind, ...sample.name }, `${row.kind}: ${key} parses back to it`);
    t.ok(key.startsWith(row.keys.prefix) && WATCHED_PREFIXES.includes(row.keys.prefix), `${row.kind}: its prefix is watched`);
    t.ok(COLLECTIONS.includes(row.collection), `${row.kind}: collection ${row.collection} listed`);
    t.equal(empty[row.collection].size, 0, `${row.kind}: collection ${row.collection} exists in emptySnapshot`);
    const s = fromList([{ key, value: sample.value, modRevision: 3 }], 3);
    t.same(s.issues.size, 0, `${row.kind}: the sample value is valid`);
    t.same(
      COLLECTIONS.filter((c) => s[c].size > 0),
      [row.collection],
      `${row.kind}: parsed into ${row.collection} and nowhere else`,
    );
    t.equal(s[row.collection].get(sample.name.name)?.key, key, `${row.kind}: held under its name`);
    const gone = applyEvents(s, [{ type: 'delete', key, modRevision: 4 }]);
    t.equal(gone.snapshot[row.collection].size, 0, `${row.kind}: a delete of its key removes it`);
  }
});

t.test('the table is consistent: one row per kind and per collection, disjoint prefixes', async (t) => {
  const kinds = KINDS.map((r) => r.kind);
  t.equal(new Set(kinds).size, kinds.length, 'kinds are unique');
  t.equal(new Set(COLLECTIONS).size, COLLECTIONS.length, 'collections are unique');
  t.same(COLLECTIONS, KINDS.map((r) => r.collection));
  t.same(WATCHED_PREFIXES, KINDS.map((r) => r.keys.prefix));
  for (const a of WATCHED_PREFIXES) for (const b of WATCHED_PREFIXES) if (a !== b) t.notOk(b.startsWith(a), `${a} does not cover ${b}`);
  for (const p of WATCHED_PREFIXES) t.ok(p.endsWith('/'), `${p}: a directory, not a name prefix`);
  t.same(Object.keys(SAMPLES).sort(), [...kinds].sort(), 'a sample per kind');
});

t.test('a key under a watched prefix but of no known form is not read', async (t) => {
  for (const key of [
    '/calico/resources/v3/projectcalico.org/nodes/',
    '/calico/resources/v3/projectcalico.org/nodes/a/b',
    '/calico/ipam/v2/assignment/ipv4/block/10.65.3.0-26/x',
    '/calico/ipam/v2/assignment/ipv5/block/10.65.3.0-26',
    '/calico/ipam/v2/assignment/ipv4/notblock/10.65.3.0-26',
    '/calico/ipam/v2/assignment/ipv4/block/nodash',
    '/calico/ipam/v2/host//ipv4/block/10.65.3.0-26',
    '/calico/ipam/v2/host/n1/ipv4/block',
  ]) {
    t.equal(parseKey(key), undefined, key);
  }
});

t.test('feeds: what the reflector derives from each collection', async (t) => {
  t.same(collectionsFeeding('peers'), ['nodes', 'peers', 'configs'], 'sessions: Nodes, BGPPeers, BGPConfigurations');
  t.same(collectionsFeeding('policy'), ['configs', 'pools', 'blocks', 'affinities'], 'import policy: service CIDRs, pools, block owners');
  for (const row of KINDS) t.ok(row.feeds.length > 0, `${row.kind} feeds something (else why watch it)`);

  const key = (kind: Kind): string => KINDS.find((r) => r.kind === kind)!.keys.key(SAMPLES[kind].name);
  const put = (kind: Kind, rev: number) => ({ type: 'put' as const, key: key(kind), value: SAMPLES[kind].value, modRevision: rev });
  const base = fromList([], 1);
  const cases: [Kind, boolean, boolean][] = [
    ['Node', true, false],
    ['BGPPeer', true, false],
    ['BGPConfiguration', true, true],
    ['IPPool', false, true],
    ['IPAMBlock', false, true],
    ['BlockAffinity', false, true],
  ];
  for (const [kind, peers, policy] of cases) {
    const next = applyEvents(base, [put(kind, 2)]).snapshot;
    t.same([feedChanged('peers', base, next), feedChanged('policy', base, next)], [peers, policy], `${kind} changed: peers ${peers}, policy ${policy}`);
  }
  const unread = applyEvents(base, [{ type: 'put', key: '/calico/resources/v3/projectcalico.org/felixconfigurations/default', value: '{}', modRevision: 2 }]).snapshot;
  t.same([feedChanged('peers', base, unread), feedChanged('policy', base, unread)], [false, false], 'a key of no kind feeds nothing');
});
