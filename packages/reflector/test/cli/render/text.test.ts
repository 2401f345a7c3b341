import t from 'tap';
import { CapabilityCode } from '@bgp-rr/bgp-speaker';
import { duration, peerText, peersText, replicasText, routesText, table } from '../../../src/cli/render/text.js';
import { renderJson } from '../../../src/cli/render/json.js';
import { capabilityText } from '../../../src/control/views.js';
import type { PeerRow, RouteRow } from '../../../src/control/protocol.js';

t.test('table: columns padded to the widest cell', async (t) => {
  t.equal(table(['A', 'BB'], [['xxx', 'y'], ['z', '']]), 'A    BB\nxxx  y\nz\n');
});

t.test('duration', async (t) => {
  const cases: [number, string][] = [[0, '0s'], [59, '59s'], [61, '1m1s'], [3600, '1h0m'], [90061, '1d1h'], [-5, '0s']];
  for (const [s, want] of cases) t.equal(duration(s), want, `${s} s`);
});

const counts = { received: 1, accepted: 1, rejected: 0, stale: 0, advertised: 2 };
const row: PeerRow = {
  node: 'n1', address: '10.0.0.1', as: 64512, client: true, families: ['ipv4'], familiesNegotiated: true, familiesConfigured: ['ipv4', 'ipv6'], state: 'Established', since: '2026-01-01T00:00:00.000Z',
  prefixes: { ipv4: counts, ipv6: { ...counts, received: 0, accepted: 0, advertised: 0 } }, received: 1, accepted: 1, advertised: 2, lastError: null, lastErrorAt: null, establishedTransitions: 1,
};

t.test('peers: one row per peer, like birdc show protocols', async (t) => {
  const text = peersText([row], Date.parse('2026-01-01T00:01:05.000Z'));
  t.match(text, /^NODE\s+ADDRESS\s+AS\s+FAMILIES\s+STATE\s+SINCE\s+RECEIVED\s+ACCEPTED\s+ADVERTISED\s+LAST ERROR$/m);
  t.match(text, /^n1\s+10\.0\.0\.1\s+64512\s+ipv4\s+Established\s+1m5s\s+1\s+1\s+2$/m);
  t.match(peersText([]), /no peers/);
});

t.test('peers: LAST ERROR only while the session is not Established (as BIRD shows it)', async (t) => {
  const now = Date.parse('2026-01-01T00:01:05.000Z');
  const up: PeerRow = { ...row, lastError: 'TCP connection failed: connection refused (ECONNREFUSED)', lastErrorAt: '2026-01-01T00:00:00.000Z' };
  const down: PeerRow = { ...up, address: '10.0.0.2', node: 'n2', state: 'Active', families: ['ipv4', 'ipv6'], familiesNegotiated: false };
  const text = peersText([up, down], now);
  t.match(text, /^n1\s+10\.0\.0\.1\s+64512\s+ipv4\s+Established\s+1m5s\s+1\s+1\s+2$/m, 'Established: the old error is not shown');
  t.match(text, /^n2\s+10\.0\.0\.2\s+.*Active\s+.*connection refused \(ECONNREFUSED\)$/m, 'not Established: the error is shown');
});

t.test('peers: FAMILIES say whether they are negotiated or configured', async (t) => {
  const idle: PeerRow = { ...row, state: 'Idle', families: ['ipv4', 'ipv6'], familiesNegotiated: false };
  const text = peersText([row, idle]);
  t.match(text, /^n1\s+10\.0\.0\.1\s+64512\s+ipv4\s+Established/m, 'negotiated: as is');
  t.match(text, /^n1\s+10\.0\.0\.1\s+64512\s+\[ipv4,ipv6\]\s+Idle/m, 'configured: in brackets');
  t.match(text, /negotiated when Established, \[configured\] otherwise/, 'with a legend');
});

t.test('peer: the last error with its time, marked as history once Established', async (t) => {
  const now = Date.parse('2026-01-01T00:10:00.000Z');
  const p = {
    ...row, lastError: 'connection collision resolution (RFC 4271 §6.8): ours kept', lastErrorAt: '2026-01-01T00:05:00.000Z',
    bgpPeers: ['rr'], routerId: '10.0.0.1', localAddress: null, localEndpoint: null, remoteEndpoint: null, port: 179,
    timers: { holdTimeOffered: 240, holdTime: 240, keepaliveTime: 80, connectRetry: 5 },
    capabilities: { local: [], peer: [] }, addPath: [], gracefulRestart: { negotiated: false, peerRestartTime: null, helper: null },
    routeRefresh: { negotiated: true, enhanced: true, receiving: ['ipv4' as const] }, prefixLimitBackoffSeconds: 0,
    messages: { received: { open: 1, update: 0, notification: 0, keepalive: 1, routeRefresh: 0 }, sent: { open: 1, update: 0, notification: 0, keepalive: 1, routeRefresh: 0 } },
    updatesIn: 0, withdrawalsIn: 0, updateGroups: [], pendingOut: 0,
  };
  const text = peerText(p, now);
  t.match(text, /^Last error:\s+connection collision resolution \(RFC 4271 §6\.8\): ours kept \(5m0s ago, at 2026-01-01T00:05:00\.000Z; before the session came up\)$/m);
  t.match(text, /^Families:\s+ipv4 \(negotiated; configured ipv4, ipv6\)$/m);
  t.match(text, /^Route refresh:\s+enhanced \(RFC 7313\); re-advertising to us: ipv4$/m);
  t.match(text, /^Prefix limit:\s+ok$/m);
  t.match(peerText({ ...p, prefixLimitBackoffSeconds: 60, routeRefresh: { negotiated: false, enhanced: false, receiving: [] } }, now), /^Route refresh:\s+not negotiated\nPrefix limit:\s+exceeded: kept down for 60 s more$/m);
  t.match(peerText({ ...p, state: 'Active', lastErrorAt: null }, now), /^Last error:\s+connection collision resolution \(RFC 4271 §6\.8\): ours kept \(time not known\)$/m);
  t.match(peerText({ ...p, lastError: null, lastErrorAt: null }, now), /^Last error:\s+-$/m);
});

t.test('routes: flags for best, stale, rejected', async (t) => {
  const path = { from: '10.0.0.1', node: 'n1', pathId: 0, best: true, nextHop: '10.0.0.1', originatorId: null, clusterList: [], localPref: 100, asPath: '', communities: [], stale: true, rejected: null };
  const rows: RouteRow[] = [{ prefix: '172.16.1.0/24', family: 'ipv4', paths: [path, { ...path, best: false, stale: false, rejected: { kind: 'policy' as const, reason: 'block 172.16.1.0/24 is owned by n2' }, from: '10.0.0.2', node: 'n2' }] }];
  const text = routesText(rows);
  t.match(text, /^\*S\s+172\.16\.1\.0\/24\s+10\.0\.0\.1\s+n1 \(10\.0\.0\.1\)/m);
  t.match(text, /^ {2}R\s+172\.16\.1\.0\/24 .*policy: block 172\.16\.1\.0\/24 is owned by n2$/m, 'the kind, then why');
  t.match(routesText([]), /no routes/);
});

t.test('replicas', async (t) => {
  const text = replicasText([{ name: 'rr-1', routerId: '10.0.0.100', clusterId: '244.0.0.1', addresses: ['10.0.0.100'], version: '0.1.0', startTime: '2026-01-01T00:00:00.000Z', peers: { configured: 3, established: 2 } }], Date.parse('2026-01-01T00:00:30.000Z'));
  t.match(text, /^rr-1\s+10\.0\.0\.100\s+244\.0\.0\.1\s+10\.0\.0\.100\s+0\.1\.0\s+30s\s+2\/3$/m);
});

t.test('capabilities as text (RFC 5492 codes)', async (t) => {
  t.equal(capabilityText({ code: CapabilityCode.MULTIPROTOCOL, afi: 2, safi: 1 }), 'multiprotocol ipv6-unicast');
  t.equal(capabilityText({ code: CapabilityCode.ADD_PATH, families: [{ afi: 1, safi: 1, mode: 3 }] }), 'add-path ipv4-unicast:send/receive');
  t.equal(
    capabilityText({ code: CapabilityCode.GRACEFUL_RESTART, restarting: true, notification: false, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] }),
    'graceful-restart time=120 R ipv4-unicast(F)',
  );
  t.equal(capabilityText({ code: 200, raw: new Uint8Array(0), unknown: true }), 'unknown capability 200');
});

t.test('JSON printer: the result itself', async (t) => {
  t.same(JSON.parse(renderJson([row])), [row]);
});
