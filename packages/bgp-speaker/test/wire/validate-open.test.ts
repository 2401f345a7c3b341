import t from 'tap';
import { peerAsOf, validateOpen } from '../../src/wire/validate-open.js';
import type { Capability, OpenMessage } from '../../src/wire/types.js';

const open = (myAs: number, bgpId: number, caps: Capability[] = [], extra: Partial<OpenMessage> = {}): OpenMessage => ({ type: 1, version: 4, myAs, holdTime: 90, bgpId, capabilities: caps, ...extra });
const sub = (e: ReturnType<typeof validateOpen>) => (e === null ? null : [e.code, e.subcode]);

t.test('RFC 4271 §6.2 Bad Peer AS (2/2)', async (t) => {
  t.same(sub(validateOpen(open(64512, 2), { peerAs: 64512, localBgpId: 1 })), null);
  t.same(sub(validateOpen(open(64513, 2), { peerAs: 64512, localBgpId: 1 })), [2, 2]);
  t.same(sub(validateOpen(open(64513, 2), { peerAs: [64512, 64513], localBgpId: 1 })), null);
  t.same(sub(validateOpen(open(64513, 2), { localBgpId: 1 })), null, 'any AS accepted when none configured');
});

t.test('RFC 6793 §4.1 the real AS comes from the 4-octet AS capability', async (t) => {
  const o = open(23456, 2, [{ code: 65, asn: 4200000000 }]);
  t.equal(peerAsOf(o), 4200000000);
  t.same(sub(validateOpen(o, { peerAs: 4200000000, localBgpId: 1 })), null);
  t.same(sub(validateOpen(o, { peerAs: 23456, localBgpId: 1 })), [2, 2]);
  t.same(sub(validateOpen(open(64512, 2, [{ code: 65, asn: 64513 }]), { localBgpId: 1 })), [2, 2], 'My AS disagrees with the capability');
  t.same(sub(validateOpen(open(23456, 2), { localBgpId: 1 })), [2, 2], 'AS_TRANS without the capability');
});

t.test('RFC 6286 §2.2 Bad BGP Identifier (2/3)', async (t) => {
  t.same(sub(validateOpen(open(64512, 0), { localBgpId: 1 })), [2, 3], 'zero');
  t.same(sub(validateOpen(open(64512, 1), { localBgpId: 1, localAs: 64512 })), [2, 3], 'internal peer with our identifier');
  t.same(sub(validateOpen(open(64513, 1), { localBgpId: 1, localAs: 64512 })), null, 'external peer may share it');
});

t.test('RFC 5492 §5 other optional parameters: 2/4', async (t) => {
  t.same(sub(validateOpen(open(1, 2, [], { otherParams: [{ type: 1, value: new Uint8Array(1) }] }), { localBgpId: 1 })), [2, 4]);
});

t.test('RFC 4271 §6.2 hold time below the local minimum: 2/6', async (t) => {
  t.same(sub(validateOpen(open(1, 2, [], { holdTime: 5 }), { localBgpId: 1, minHoldTime: 10 })), [2, 6]);
  t.same(sub(validateOpen(open(1, 2, [], { holdTime: 0 }), { localBgpId: 1, minHoldTime: 10 })), null);
});
