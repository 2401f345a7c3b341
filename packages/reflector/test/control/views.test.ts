/**
 * Peer rows for `bgp-rr peers`: FAMILIES negotiated (RFC 4760 §8) while Established,
 * configured otherwise, with which; the last error with its time.
 */
import t from 'tap';
import { IPV4_UNICAST, IPV6_UNICAST, type Negotiated, type Peer } from '@bgp-rr/bgp-speaker';
import { peerFamilies, peerRow } from '../../src/control/views.js';
import { engine } from '../engine/fixtures.js';

const counts = { open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0 };

function peer(state: string, o: { families?: Peer['config']['families']; negotiated?: readonly (typeof IPV4_UNICAST)[]; lastError?: string | null; lastErrorAt?: number | null; address?: string } = {}): Peer {
  const address = o.address ?? '10.0.0.1';
  return {
    address,
    config: { peerAddress: address, peerAs: 64512, localAs: 64512, routerId: '10.255.0.1', ...(o.families !== undefined ? { families: o.families } : {}) },
    state,
    negotiated: o.negotiated !== undefined ? ({ peerAs: 64512, families: o.negotiated } as unknown as Negotiated) : null,
    localEndpoint: null,
    remoteEndpoint: null,
    stats: { received: counts, sent: counts, since: Date.parse('2026-01-01T00:00:00Z'), lastError: o.lastError ?? null, lastErrorAt: o.lastErrorAt ?? null, establishedTransitions: 1 },
    fsm: {},
    needsDrain: false,
  } as unknown as Peer;
}

t.test('FAMILIES: negotiated while Established, configured otherwise, and which', async (t) => {
  const both = [IPV4_UNICAST, IPV6_UNICAST];
  t.same(peerFamilies(peer('Established', { families: both, negotiated: [IPV4_UNICAST] })), { families: ['ipv4'], familiesNegotiated: true, familiesConfigured: ['ipv4', 'ipv6'] }, 'Established: the intersection of both OPENs');
  t.same(peerFamilies(peer('Idle', { families: both })), { families: ['ipv4', 'ipv6'], familiesNegotiated: false, familiesConfigured: ['ipv4', 'ipv6'] }, 'Idle (after a drain): configured');
  t.same(peerFamilies(peer('OpenConfirm', { families: both, negotiated: [IPV4_UNICAST] })), { families: ['ipv4', 'ipv6'], familiesNegotiated: false, familiesConfigured: ['ipv4', 'ipv6'] }, 'OpenConfirm: not yet negotiated for the session');
  t.same(peerFamilies(peer('Active', { address: 'fd00::1' })).families, ['ipv6'], 'no families configured: the speaker default, the peer address family');
});

t.test('peer row: the last error, kept while Established, with the time the speaker set it (wall clock)', async (t) => {
  const { engine: e } = engine();
  const err = 'TCP connection failed: connection refused (ECONNREFUSED)';
  const at = Date.parse('2026-01-01T00:00:03Z');
  const row = peerRow(e, peer('Established', { families: [IPV4_UNICAST], negotiated: [IPV4_UNICAST], lastError: err, lastErrorAt: at }), undefined);
  t.equal(row.lastError, err, 'JSON lastError: unchanged meaning (why it last went down)');
  t.equal(row.lastErrorAt, '2026-01-01T00:00:03.000Z');
  t.equal(row.familiesNegotiated, true);
  const none = peerRow(e, peer('Idle', { lastError: null, lastErrorAt: at }), undefined);
  t.equal(none.lastError, null);
  t.equal(none.lastErrorAt, null, 'no error, no time');
  t.equal(peerRow(e, peer('Idle', { lastError: err, lastErrorAt: null }), undefined).lastErrorAt, null, 'time not known');
  t.equal(peerRow(e, peer('Idle', { lastError: err, lastErrorAt: at }), undefined).since, '2026-01-01T00:00:00.000Z', 'since: wall clock, as the speaker gives it');
});
