/** The JSON lines of `bgp-speaker session`, in the exact shapes the README documents. */
import t from 'tap';
import { updateEvents, eorEvent, stateEvent, notificationJson, establishedEvent, routeRefreshEvent, inputErrorEvent } from '../../src/cli/render.js';
import { parseSessionCommand } from '../../src/cli/session-input.js';
import type { Negotiated } from '../../src/fsm/negotiate.js';
import { parseAnnouncements, peerConfigFor } from '../../src/cli/session-command.js';
import type { DecodedUpdate } from '../../src/wire/update.js';

const ip = (s: string): number => s.split('.').reduce((a, b) => a * 256 + Number(b), 0) >>> 0;

t.test('update: one object per prefix with next hop, AS path, LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST, communities, path id', async (t) => {
  const d: DecodedUpdate = {
    action: 'none',
    errors: [],
    update: {
      type: 2,
      withdrawn: [{ prefix: { afi: 1, addr: ip('172.17.9.0'), len: 24 }, pathId: 0 }],
      attributes: { origin: 0, asPath: [], nextHop: ip('10.0.0.5'), localPref: 100, originatorId: ip('10.0.0.5'), clusterList: [ip('244.0.0.1')], communities: [(65000 << 16) | 100] },
      nlri: [{ prefix: { afi: 1, addr: ip('172.17.5.0'), len: 24 }, pathId: 0 }],
    },
  };
  t.same(updateEvents(d).map((e) => JSON.stringify(e)), [
    '{"event":"withdraw","prefix":"172.17.9.0/24","pathId":0}',
    '{"event":"update","prefix":"172.17.5.0/24","nextHop":"10.0.0.5","asPath":[],"localPref":100,"originatorId":"10.0.0.5","clusterList":["244.0.0.1"],"communities":["65000:100"],"pathId":0}',
  ]);
});

t.test('RFC 7606 treat-as-withdraw: announcements print as withdrawals', async (t) => {
  const d: DecodedUpdate = { action: 'treat-as-withdraw', errors: [], update: { type: 2, withdrawn: [], attributes: {}, nlri: [{ prefix: { afi: 1, addr: ip('10.1.0.0'), len: 16 }, pathId: 3 }] } };
  t.same(updateEvents(d), [{ event: 'withdraw', prefix: '10.1.0.0/16', pathId: 3 }]);
});

t.test('IPv6: MP_REACH_NLRI next hop and AS_SET as a nested list', async (t) => {
  const nh = new Uint8Array(16);
  nh[0] = 0xfd;
  nh[15] = 2;
  const d: DecodedUpdate = {
    action: 'none',
    errors: [],
    update: { type: 2, withdrawn: [], nlri: [], attributes: { asPath: [{ type: 2, asns: [65001, 65002] }, { type: 1, asns: [7, 8] }], mpReach: { afi: 2, safi: 1, nextHop: nh, nlri: [{ prefix: { afi: 2, addr: new Uint8Array(16).fill(0, 0).map((_, i) => (i === 0 ? 0xfd : 0)), len: 48 }, pathId: 0 }] } } },
  };
  t.match(updateEvents(d)[0], { prefix: 'fd00::/48', nextHop: 'fd00::2', asPath: [65001, 65002, [7, 8]], localPref: null, originatorId: null });
});

t.test('state, eor and notification lines', async (t) => {
  t.same(stateEvent('Established', 'KEEPALIVE received'), { event: 'state', state: 'Established', reason: 'KEEPALIVE received' });
  t.same(eorEvent({ afi: 2, safi: 1 }), { event: 'eor', afi: 'ipv6' });
  t.same(notificationJson('sent', { code: 2, subcode: 2, data: new Uint8Array(0), text: 'OPEN Message Error / Bad Peer AS (2/2)' }), {
    event: 'notification',
    direction: 'sent',
    code: 2,
    subcode: 2,
    message: 'OPEN Message Error / Bad Peer AS (2/2)',
  });
});

t.test('--announce PREFIX[@NEXTHOP]: next hop defaults to the local address; families follow prefixes and addresses', async (t) => {
  const a = parseAnnouncements(['10.1.0.0/16', '10.2.0.0/16@10.9.9.9', 'fd00:1::/48@fd00::1'], '127.0.0.1');
  t.same(a.map((x) => x.nextHop), ['127.0.0.1', '10.9.9.9', 'fd00::1']);
  t.throws(() => parseAnnouncements(['fd00:1::/48'], '127.0.0.1'), /not of the prefix's family/, 'an IPv6 prefix needs an IPv6 next hop');
  t.throws(() => parseAnnouncements(['10.1.0.1/16'], '127.0.0.1'), /host bits/);
  const cfg = peerConfigFor({ localAddress: '127.0.0.1', peerAddress: '127.0.0.2', peerPort: 179, passive: false, localAs: 1, peerAs: 1, routerId: '1.1.1.1', holdTime: 90, announce: [], addPath: true, gracefulRestart: 120 }, a);
  t.same(cfg.families, [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }]);
  t.equal(cfg.addPath?.length, 2);
  t.equal(cfg.gracefulRestart?.restartTime, 120);
});

t.test('established line: what the OPEN exchange gave, route refresh capabilities included', async (t) => {
  const n = {
    peerAs: 65000,
    peerId: ip('10.0.0.5'),
    holdTime: 90,
    keepaliveTime: 30,
    families: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }],
    fourOctetAs: true,
    extendedMessage: false,
    routeRefresh: true,
    enhancedRouteRefresh: false,
    gracefulRestart: true,
    addPath: [{ afi: 1, safi: 1, send: true, receive: false }],
  } as unknown as Negotiated;
  t.equal(
    JSON.stringify(establishedEvent(n)),
    '{"event":"established","peerAs":65000,"peerId":"10.0.0.5","holdTime":90,"keepaliveTime":30,"families":["ipv4","ipv6"],"fourOctetAs":true,"extendedMessage":false,"routeRefresh":true,"enhancedRouteRefresh":false,"gracefulRestart":true,"addPath":[{"afi":"ipv4","send":true,"receive":false}]}',
  );
});

t.test('route-refresh and error lines', async (t) => {
  t.equal(JSON.stringify(routeRefreshEvent('received', { afi: 2, safi: 1 }, 'borr')), '{"event":"route-refresh","direction":"received","afi":"ipv6","safi":1,"subtype":"borr"}');
  t.same(routeRefreshEvent('sent', { afi: 1, safi: 1 }, 'request'), { event: 'route-refresh', direction: 'sent', afi: 'ipv4', safi: 1, subtype: 'request' });
  t.same(inputErrorEvent('x', 'why'), { event: 'error', input: 'x', message: 'why' });
});

t.test('stdin commands: refresh/borr/eorr [ipv4|ipv6]; blank and # lines skipped; anything else a precise error', async (t) => {
  t.same(parseSessionCommand('refresh ipv4'), { kind: 'route-refresh', subtype: 'request', family: { afi: 1, safi: 1 } });
  t.same(parseSessionCommand('  borr   ipv6 '), { kind: 'route-refresh', subtype: 'borr', family: { afi: 2, safi: 1 } });
  t.same(parseSessionCommand('eorr'), { kind: 'route-refresh', subtype: 'eorr', family: null }, 'no family: every negotiated one');
  t.same(parseSessionCommand(''), { kind: 'none' });
  t.same(parseSessionCommand('# refresh ipv4'), { kind: 'none' });
  t.match(parseSessionCommand('refresh ipv5'), { kind: 'error', message: /unknown family "ipv5"/ });
  t.match(parseSessionCommand('refresh ipv4 ipv6'), { kind: 'error', message: /one family at most/ });
  t.match(parseSessionCommand('toString'), { kind: 'error', message: /unknown command "toString"/ }, 'no prototype lookups');
  t.match(parseSessionCommand('refresh constructor'), { kind: 'error', message: /unknown family/ });
});
