/** RFC 4456: the §6 advertisement rules, the §8 loop checks and attribute handling. */
import t from 'tap';
import {
  AttributeTable,
  AttrFlag,
  decodeUpdate,
  encodeAttributes,
  makePath,
  parsePrefix,
  type PathAttributes,
} from '@bgp-rr/bgp-speaker';
import { exportAttributes, mayAdvertise, peerClass, reflectionLoop, type PeerClass } from '../../src/engine/reflection.js';
import { ID, ip, node, nodeAttrs } from './update-groups/fixtures.js';

t.test('RFC 4456 §6: what goes where', async (t) => {
  const rules: [string, PeerClass, PeerClass, boolean][] = [
    ['(a) from a non-client: reflected to clients', 'nonClient', 'client', true],
    ['(a) from a non-client: not to other non-clients', 'nonClient', 'nonClient', false],
    ['(b) from a client: reflected to the other clients', 'client', 'client', true],
    ['(b) from a client: reflected to non-clients', 'client', 'nonClient', true],
    ['(c) from an EBGP peer: to clients', 'external', 'client', true],
    ['(c) from an EBGP peer: to non-clients', 'external', 'nonClient', true],
    ['no advertisement to external peers (out of scope)', 'client', 'external', false],
  ];
  for (const [name, from, to, want] of rules) t.equal(mayAdvertise(from, to), want, name);
});

t.test('RFC 4456 §6: never back to the peer the route came from', async (t) => {
  t.equal(mayAdvertise('client', 'client', '10.0.0.1', '10.0.0.1'), false, 'same client');
  t.equal(mayAdvertise('client', 'client', '10.0.0.1', '10.0.0.2'), true, 'another client');
});

t.test('peer class from session facts', async (t) => {
  t.equal(peerClass({ isIbgp: true, isClient: true }), 'client');
  t.equal(peerClass({ isIbgp: true, isClient: false }), 'nonClient');
  t.equal(peerClass({ isIbgp: false, isClient: true }), 'external');
});

t.test('RFC 4456 §8: loop checks on import', async (t) => {
  const cases: [string, PathAttributes, RegExp | null][] = [
    ['ORIGINATOR_ID equal to our router id: ignored', { originatorId: ID.routerId }, /ORIGINATOR_ID is our own router id/],
    ['our CLUSTER_ID anywhere in CLUSTER_LIST: ignored', { clusterList: [ip('1.1.1.1'), ID.clusterId] }, /CLUSTER_ID is in the CLUSTER_LIST/],
    ['another ORIGINATOR_ID and other clusters: accepted', { originatorId: ip('10.0.0.7'), clusterList: [ip('1.1.1.1')] }, null],
    ['neither attribute: accepted', {}, null],
  ];
  for (const [name, a, want] of cases) {
    const got = reflectionLoop(a, ID);
    if (want === null) t.equal(got, null, name);
    else t.match(got, { kind: 'loop', text: want }, name);
  }
});

const table = new AttributeTable();
const P = parsePrefix('172.16.1.0/24');
const unknown = { flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE, code: 99, value: Uint8Array.of(1, 2, 3) };
const rich = nodeAttrs('10.0.0.1', {
  med: 7,
  localPref: 150,
  communities: [0xfde80001],
  largeCommunities: [[64512, 1, 2]],
  extCommunities: [Uint8Array.of(0, 2, 0, 1, 0, 0, 0, 9)],
  unknown: [unknown],
});

t.test('RFC 4456 §8: reflecting sets ORIGINATOR_ID when absent and prepends our CLUSTER_ID', async (t) => {
  const from = node('10.0.0.1');
  const out = exportAttributes(makePath(P, 0, table.intern(rich), from), ID);
  t.equal(out.originatorId, from.routerId, 'ORIGINATOR_ID = BGP Identifier of the peer we learned it from');
  t.same(out.clusterList, [ID.clusterId], 'CLUSTER_LIST created with our CLUSTER_ID');
  const { originatorId: _o, clusterList: _c, ...rest } = out;
  t.same(rest, rich, 'NEXT_HOP, LOCAL_PREF, MED, communities and unknown attributes untouched');
});

t.test('RFC 4456 §8: an existing ORIGINATOR_ID is kept, the CLUSTER_LIST grows at the front', async (t) => {
  const from = node('10.0.0.50', { client: false });
  const a = nodeAttrs('10.0.0.1', { originatorId: ip('10.0.0.1'), clusterList: [ip('244.0.0.9')] });
  const out = exportAttributes(makePath(P, 0, table.intern(a), from), ID);
  t.equal(out.originatorId, ip('10.0.0.1'));
  t.same(out.clusterList, [ID.clusterId, ip('244.0.0.9')]);
});

t.test('a route from an EBGP peer is advertised, not reflected: no ORIGINATOR_ID/CLUSTER_LIST, LOCAL_PREF set', async (t) => {
  const from = node('192.0.2.1', { ibgp: false });
  const a: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65099] }], nextHop: ip('192.0.2.1') };
  const out = exportAttributes(makePath(P, 0, table.intern(a), from), ID);
  t.equal(out.originatorId, undefined);
  t.equal(out.clusterList, undefined);
  t.equal(out.localPref, 100);
});

t.test('RFC 4271 §5: unknown optional transitive attributes are re-sent with the Partial bit', async (t) => {
  const out = exportAttributes(makePath(P, 0, table.intern(rich), node('10.0.0.1')), ID);
  const bytes = encodeAttributes(out, { fourOctetAs: true, extendedMessage: false, addPathReceive: new Set(), addPathSend: new Set() });
  const body = new Uint8Array(4 + bytes.length + 4);
  body[2] = bytes.length >>> 8;
  body[3] = bytes.length & 255;
  body.set(bytes, 4);
  body.set([24, 172, 16, 1], 4 + bytes.length);
  const d = decodeUpdate(body, { fourOctetAs: true, extendedMessage: false, addPathReceive: new Set(), addPathSend: new Set() });
  const u = d.update.attributes.unknown?.[0];
  t.equal(u?.code, 99);
  t.ok(((u?.flags ?? 0) & AttrFlag.PARTIAL) !== 0, 'Partial bit set');
  t.same(u?.value, unknown.value);
  t.equal(d.update.attributes.originatorId, ip('10.0.0.1'));
});
