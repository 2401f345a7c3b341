/** OPEN negotiation, one case per RFC rule. Peer OPENs are written as literal data. */
import t from 'tap';
import { buildOpen, localCapabilities, negotiate, type LocalSettings } from '../../src/fsm/negotiate.js';
import { AddPathMode, CapabilityCode, IPV4_UNICAST, IPV6_UNICAST, familyKey, type Capability, type OpenMessage } from '../../src/wire/types.js';

const ip = (s: string): number => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);
const local: LocalSettings = {
  localAs: 64512,
  routerId: ip('10.0.0.1'),
  holdTime: 90,
  families: [IPV4_UNICAST],
  addPath: [{ afi: 1, safi: 1, send: true, receive: true }],
  gracefulRestart: { restartTime: 120, restarting: false, families: [{ afi: 1, safi: 1, forwardingPreserved: false }] },
};
const MP4: Capability = { code: CapabilityCode.MULTIPROTOCOL, afi: 1, safi: 1 };
const MP6: Capability = { code: CapabilityCode.MULTIPROTOCOL, afi: 2, safi: 1 };
const AS4 = (asn: number): Capability => ({ code: CapabilityCode.FOUR_OCTET_AS, asn });
function open(over: Partial<OpenMessage> = {}): OpenMessage {
  return { type: 1, version: 4, myAs: 64512, holdTime: 240, bgpId: ip('10.0.0.2'), capabilities: [MP4, AS4(64512)], ...over };
}
function ok(o: OpenMessage, l: LocalSettings = local, peerAs = 64512) {
  const r = negotiate(l, peerAs, o);
  if (!r.ok) throw new Error(`unexpected error ${r.error.code}/${r.error.subcode}`);
  return r.negotiated;
}
function err(o: OpenMessage, peerAs = 64512): string {
  const r = negotiate(local, peerAs, o);
  return r.ok ? 'ok' : `${r.error.code}/${r.error.subcode}`;
}

t.test('RFC 4271 §4.2: the smaller hold time wins; keepalive is a third', async (t) => {
  const n = ok(open({ holdTime: 240 }));
  t.equal(n.holdTime, 90);
  t.equal(n.keepaliveTime, 30);
  t.equal(ok(open({ holdTime: 6 })).holdTime, 6);
  t.equal(ok(open({ holdTime: 6 })).keepaliveTime, 2);
});
t.test('RFC 4271 §4.2: hold time 0 on either side means no keepalives', async (t) => {
  t.equal(ok(open({ holdTime: 0 })).holdTime, 0);
  t.equal(ok(open({ holdTime: 0 })).keepaliveTime, 0);
  t.equal(ok(open(), { ...local, holdTime: 0 }).holdTime, 0);
});
t.test('RFC 4271 §6.2: hold time 1 or 2 is refused with 2/6', async (t) => {
  t.equal(err(open({ holdTime: 1 })), '2/6');
  t.equal(err(open({ holdTime: 2 })), '2/6');
  t.equal(err(open({ holdTime: 3 })), 'ok');
});
t.test('RFC 4271 §6.2: a peer AS other than configured is refused with 2/2', async (t) => {
  t.equal(err(open(), 65000), '2/2');
  t.equal(err(open({ myAs: 65001, capabilities: [MP4] }), 65001), 'ok', 'a 2-octet speaker: My AS');
});
t.test('RFC 6793 §4.1: the 4-octet AS capability gives the real AS', async (t) => {
  const n = ok(open({ myAs: 23456, capabilities: [MP4, AS4(4200000001)] }), local, 4200000001);
  t.equal(n.peerAs, 4200000001);
  t.equal(n.fourOctetAs, true);
  t.equal(n.codec.fourOctetAs, true);
  t.equal(ok(open({ myAs: 64512, capabilities: [MP4] })).codec.fourOctetAs, false, 'only when both advertise it');
});
t.test('RFC 6286 §2.2: BGP Identifier 0, or ours within the AS, is refused with 2/3', async (t) => {
  t.equal(err(open({ bgpId: 0 })), '2/3');
  t.equal(err(open({ bgpId: ip('10.0.0.1') })), '2/3');
});
t.test('RFC 4760 §8: families are the intersection; no MP capability means IPv4 unicast', async (t) => {
  t.same(ok(open({ capabilities: [MP4, MP6, AS4(64512)] })).families, [IPV4_UNICAST]);
  t.same(ok(open({ capabilities: [AS4(64512)] })).families, [IPV4_UNICAST]);
  const dual = { ...local, families: [IPV4_UNICAST, IPV6_UNICAST] };
  t.same(ok(open({ capabilities: [MP6, AS4(64512)] }), dual).families, [IPV6_UNICAST]);
});
t.test('RFC 7911 §5: ADD-PATH per family and direction', async (t) => {
  const ap = (mode: AddPathMode): Capability => ({ code: CapabilityCode.ADD_PATH, families: [{ afi: 1, safi: 1, mode }] });
  const k = familyKey(1, 1);
  const both = ok(open({ capabilities: [MP4, AS4(64512), ap(AddPathMode.BOTH)] }));
  t.same(both.addPath, [{ afi: 1, safi: 1, send: true, receive: true }]);
  t.ok(both.codec.addPathSend.has(k) && both.codec.addPathReceive.has(k));
  const peerSends = ok(open({ capabilities: [MP4, AS4(64512), ap(AddPathMode.SEND)] }));
  t.same(peerSends.addPath, [{ afi: 1, safi: 1, send: false, receive: true }], 'peer Send → we receive path ids only');
  const peerReceives = ok(open({ capabilities: [MP4, AS4(64512), ap(AddPathMode.RECEIVE)] }));
  t.same(peerReceives.addPath, [{ afi: 1, safi: 1, send: true, receive: false }], 'peer Receive → we send path ids only');
  t.same(ok(open()).addPath, [], 'no capability from the peer: off');
  const sendOnly = { ...local, addPath: [{ afi: 1, safi: 1, send: true, receive: false }] };
  t.same(ok(open({ capabilities: [MP4, AS4(64512), ap(AddPathMode.BOTH)] }), sendOnly).addPath, [{ afi: 1, safi: 1, send: true, receive: false }]);
  const v6 = { code: CapabilityCode.ADD_PATH, families: [{ afi: 2, safi: 1, mode: AddPathMode.BOTH }] } as Capability;
  t.same(ok(open({ capabilities: [MP4, AS4(64512), v6] })).addPath, [], 'a family the peer did not ask ADD-PATH for stays off');
});
t.test('RFC 4724 §3: the peer graceful restart capability is kept; negotiated when both send it', async (t) => {
  const gr: Capability = { code: CapabilityCode.GRACEFUL_RESTART, restarting: true, notification: false, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] };
  const n = ok(open({ capabilities: [MP4, AS4(64512), gr] }));
  t.equal(n.gracefulRestart, true);
  t.same(n.peerGracefulRestart, { restartTime: 120, restarting: true, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] });
  t.equal(ok(open({ capabilities: [MP4, AS4(64512), gr] }), { ...local, gracefulRestart: undefined }).gracefulRestart, false);
  t.equal(ok(open()).peerGracefulRestart, null);
});
t.test('RFC 8654 §3 / RFC 2918: extended message only when both; route refresh when the peer sends it', async (t) => {
  const em: Capability = { code: CapabilityCode.EXTENDED_MESSAGE };
  t.equal(ok(open({ capabilities: [MP4, AS4(64512), em] })).extendedMessage, false, 'we did not advertise it');
  t.equal(ok(open({ capabilities: [MP4, AS4(64512), em] }), { ...local, extendedMessage: true }).codec.extendedMessage, true);
  t.equal(ok(open({ capabilities: [MP4, AS4(64512), { code: CapabilityCode.ROUTE_REFRESH }] })).routeRefresh, true);
  t.equal(ok(open()).routeRefresh, false);
});
t.test('our OPEN: AS_TRANS above 65535 (RFC 6793 §4.2.1) and the capabilities we advertise', async (t) => {
  const o = buildOpen({ ...local, localAs: 4200000001 });
  t.equal(o.myAs, 23456);
  t.equal(o.bgpId, ip('10.0.0.1'));
  const codes = localCapabilities(local).map((c) => c.code);
  t.same(codes, [1, 2, 70, 64, 65, 69]);
  t.same(localCapabilities({ ...local, addPath: [] }).map((c) => c.code), [1, 2, 70, 64, 65], 'no ADD-PATH capability without a wish');
});
