import t from 'tap';
import { CapabilityCode } from '@bgp-rr/bgp-speaker';
import { duration, peersText, replicasText, routesText, table } from '../../src/cli/render-text.js';
import { renderJson } from '../../src/cli/render-json.js';
import { capabilityText } from '../../src/control/views.js';
import type { PeerRow, RouteRow } from '../../src/control/protocol.js';

t.test('table: columns padded to the widest cell', async (t) => {
  t.equal(table(['A', 'BB'], [['xxx', 'y'], ['z', '']]), 'A    BB\nxxx  y\nz\n');
});

t.test('duration', async (t) => {
  const cases: [number, string][] = [[0, '0s'], [59, '59s'], [61, '1m1s'], [3600, '1h0m'], [90061, '1d1h'], [-5, '0s']];
  for (const [s, want] of cases) t.equal(duration(s), want, `${s} s`);
});

const counts = { received: 1, accepted: 1, rejected: 0, stale: 0, advertised: 2 };
const row: PeerRow = {
  node: 'n1', address: '10.0.0.1', as: 64512, client: true, families: ['ipv4'], state: 'Established', since: '2026-01-01T00:00:00.000Z',
  prefixes: { ipv4: counts, ipv6: { ...counts, received: 0, accepted: 0, advertised: 0 } }, received: 1, accepted: 1, advertised: 2, lastError: null, establishedTransitions: 1,
};

t.test('peers: one row per peer, like birdc show protocols', async (t) => {
  const text = peersText([row], Date.parse('2026-01-01T00:01:05.000Z'));
  t.match(text, /^NODE\s+ADDRESS\s+AS\s+FAMILIES\s+STATE\s+SINCE\s+RECEIVED\s+ACCEPTED\s+ADVERTISED\s+LAST ERROR$/m);
  t.match(text, /^n1\s+10\.0\.0\.1\s+64512\s+ipv4\s+Established\s+1m5s\s+1\s+1\s+2$/m);
  t.match(peersText([]), /no peers/);
});

t.test('routes: flags for best, stale, rejected', async (t) => {
  const path = { from: '10.0.0.1', node: 'n1', pathId: 0, best: true, nextHop: '10.0.0.1', originatorId: null, clusterList: [], localPref: 100, asPath: '', communities: [], stale: true, rejected: null };
  const rows: RouteRow[] = [{ prefix: '172.16.1.0/24', family: 'ipv4', paths: [path, { ...path, best: false, stale: false, rejected: 'block 172.16.1.0/24 is owned by n2', from: '10.0.0.2', node: 'n2' }] }];
  const text = routesText(rows);
  t.match(text, /^\*S\s+172\.16\.1\.0\/24\s+10\.0\.0\.1\s+n1 \(10\.0\.0\.1\)/m);
  t.match(text, /^ {2}R\s+172\.16\.1\.0\/24 .*block 172\.16\.1\.0\/24 is owned by n2$/m);
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
