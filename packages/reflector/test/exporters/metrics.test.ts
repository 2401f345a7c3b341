import t from 'tap';
import { request as httpGet } from 'node:http';
import { Metrics, parseHostPort, peerPrefixesText, type MetricsSource } from '../../src/exporters/metrics.js';

const counts = (received: number, accepted: number, rejected: number, advertised: number) => ({ received, accepted, rejected, advertised });
const source: MetricsSource = {
  peers: () => [
    { address: '10.0.0.1', node: 'n1', state: 'Established', prefixes: { ipv4: counts(3, 2, 1, 7), ipv6: counts(0, 0, 0, 0) } },
    { address: '10.0.0.2', node: 'n2', state: 'Active', prefixes: { ipv4: counts(0, 0, 0, 0), ipv6: counts(0, 0, 0, 0) } },
  ],
  locRib: () => ({ prefixes: { ipv4: 9, ipv6: 1 }, paths: 11, updateGroups: 2 }),
  etcd: () => ({ revision: 42, state: 'watching', latest: 45 }),
  tablesReleased: () => true,
};

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('GET /metrics: sessions by state, prefixes per peer and family, etcd, event-loop lag, RSS', async (t) => {
  const m = new Metrics(source);
  const { port } = await m.listen('127.0.0.1:0');
  t.teardown(() => m.close());
  m.updatesIn.inc(5);
  m.updatesOut.inc(2);
  const { status, body } = await get(port, '/metrics');
  t.equal(status, 200);
  const has = (line: string): void => void t.ok(body.split('\n').includes(line), line);
  has('bgp_rr_sessions{state="Established"} 1');
  has('bgp_rr_sessions{state="Active"} 1');
  has('bgp_rr_sessions{state="Idle"} 0');
  has('bgp_rr_peer_prefixes{peer="10.0.0.1",node="n1",family="ipv4",kind="received"} 3');
  has('bgp_rr_peer_prefixes{peer="10.0.0.1",node="n1",family="ipv4",kind="rejected"} 1');
  has('bgp_rr_peer_prefixes{peer="10.0.0.1",node="n1",family="ipv4",kind="advertised"} 7');
  has('bgp_rr_updates_received_total 5');
  has('bgp_rr_updates_sent_total 2');
  has('bgp_rr_loc_rib_prefixes{family="ipv4"} 9');
  has('bgp_rr_etcd_revision 42');
  has('bgp_rr_etcd_revision_lag 3');
  has('bgp_rr_etcd_connection_state{state="watching"} 1');
  has('bgp_rr_etcd_connection_state{state="disconnected"} 0');
  has('bgp_rr_tables_released 1');
  t.match(body, /^nodejs_eventloop_lag_seconds /m, 'event-loop lag');
  t.match(body, /^process_resident_memory_bytes /m, 'RSS');
  t.equal((await get(port, '/other')).status, 404);
});

t.test('bgp_rr_peer_prefixes: the text format, label values escaped', async (t) => {
  const text = peerPrefixesText([{ address: '10.0.0.9', node: 'a"b\\c\nd', state: 'Idle', prefixes: { ipv4: counts(1, 2, 3, 4), ipv6: counts(5, 6, 7, 8) } }]);
  const lines = text.split('\n');
  t.equal(lines[1], '# TYPE bgp_rr_peer_prefixes gauge');
  t.equal(lines.length, 2 + 8 + 1, 'HELP, TYPE, 8 series, final newline');
  t.equal(lines[2], 'bgp_rr_peer_prefixes{peer="10.0.0.9",node="a\\"b\\\\c\\nd",family="ipv4",kind="received"} 1');
  t.equal(lines[9], 'bgp_rr_peer_prefixes{peer="10.0.0.9",node="a\\"b\\\\c\\nd",family="ipv6",kind="advertised"} 8');
  t.equal(peerPrefixesText([]).split('\n').length, 3, 'no peers: HELP and TYPE only');
});

t.test('parseHostPort', async (t) => {
  const cases: [string, string, number][] = [
    ['127.0.0.1:9179', '127.0.0.1', 9179],
    ['127.0.0.1', '127.0.0.1', 9179],
    ['[::1]:9000', '::1', 9000],
    ['::1', '::1', 9179],
    ['localhost:80', 'localhost', 80],
  ];
  for (const [s, host, port] of cases) t.same(parseHostPort(s, 9179), { host, port }, s);
  t.throws(() => parseHostPort('1.2.3.4:99999', 1));
  t.throws(() => parseHostPort('1.2.3.4:x', 1));
});
