/**
 * RFC 7606 treat-as-withdraw from the wire to the other nodes. A node (n4, our Speaker
 * from its address, test/interop/node-probe.ts) announces three routes, which reach a
 * BIRD 1.6 node and a BIRD 2 node through `bgp-rr run`; then it sends UPDATEs, built
 * here byte by byte, that RFC 7606 says to treat as withdrawals of their NLRI:
 *
 *   - ORIGIN with the value 3 (RFC 4271 §4.3 defines 0-2; RFC 7606 §7.1:
 *     treat-as-withdraw) for 172.16.4.1/32;
 *   - no AS_PATH, a well-known mandatory attribute, with NLRI present (RFC 7606 §3 (d):
 *     treat-as-withdraw) for 172.16.4.2/32.
 *
 * Each time: no NOTIFICATION, the session stays up (same since at bgp-rr); the route
 * leaves both BIRD tables and `bgp-rr routes` while the node's other routes stay; bgp-rr
 * logs one "malformed UPDATE handled per RFC 7606 (treat-as-withdraw)" line naming the
 * error, and bgp_rr_paths_rejected_total{kind="treat-as-withdraw"} counts the path. In
 * between, a valid UPDATE brings 172.16.4.1/32 back: a withdrawal, not a ban.
 */
import t from 'tap';
import { waitFor } from '../harness/index.js';
import { startReflectorCluster } from '../harness/reflector-cluster.js';
import type { PeerDetail, RouteRow } from '../../packages/reflector/src/control/protocol.js';
import { NodeProbe } from '../interop/node-probe.js';

/** Path attribute: flags 0x40 (well-known, transitive), type code, one-octet length, value (RFC 4271 §4.3). */
const attr = (code: number, value: readonly number[]): number[] => [0x40, code, value.length, ...value];
const ORIGIN = (v: number): number[] => attr(1, [v]);
const AS_PATH_EMPTY = attr(2, []); // an internal peer's own route: no AS (RFC 4271 §5.1.2)
const NEXT_HOP = (ip: string): number[] => attr(3, ip.split('.').map(Number));
const LOCAL_PREF_100 = attr(5, [0, 0, 0, 100]);

/** An IPv4 UPDATE (RFC 4271 §4.3) for one host route with ADD-PATH path id 1 (RFC 7911 §3), from these attributes. */
function update(attributes: readonly number[][], host: string): Uint8Array {
  const attrs = attributes.flat();
  const nlri = [0, 0, 0, 1, 32, ...host.split('.').map(Number)];
  const body = [0, 0, attrs.length >> 8, attrs.length & 0xff, ...attrs, ...nlri];
  const length = 19 + body.length;
  return Uint8Array.from([...Array<number>(16).fill(0xff), length >> 8, length & 0xff, 2, ...body]);
}

const LOG_LINE = 'malformed UPDATE handled per RFC 7606 (treat-as-withdraw)';

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

t.test('malformed UPDATEs are withdrawals of their routes, at bgp-rr and at the other nodes; the session stays', async (t) => {
  const c = await startReflectorCluster(t, { nodes: [2, 3, 4] });
  const rr = c.startReflector();
  await c.reflectorReady();
  await c.startNode(2);
  await c.startNode(3, { flavor: 'bird2' });
  const n4 = new NodeProbe(t, c, 4);
  await n4.established();
  const mine = ['172.16.4.0/24', '172.16.4.1/32', '172.16.4.2/32'];
  n4.announce(mine);
  n4.endOfRib();
  await c.waitEstablished(['n2', 'n3', 'n4']);
  const at = { n2: ['172.16.3.0/24'], n3: ['172.16.2.0/24'] };
  const both = async (of4: readonly string[]): Promise<void> => {
    await c.waitRoutes('n2', [...at.n2, ...of4], 30_000);
    await c.waitRoutes('n3', [...at.n3, ...of4], 30_000);
  };
  await both(mine);
  const before = await c.json<PeerDetail>(['peer', 'n4']);
  const metrics = `http://${c.rrAddress}:9179/metrics`;
  const TAW = 'bgp_rr_paths_rejected_total{kind="treat-as-withdraw"}';
  t.equal(await metric(metrics, TAW), 0, 'no treat-as-withdraw counted yet');
  const logged = (): string[] => rr.output.split('\n').filter((l) => l.includes(LOG_LINE));
  const n4Paths = async (): Promise<string[]> => (await c.json<RouteRow[]>(['routes'])).filter((r) => r.paths.some((p) => p.node === 'n4')).map((r) => r.prefix).sort();

  const cases = [
    { what: 'ORIGIN 3 (RFC 7606 §7.1)', host: '172.16.4.1', attrs: [ORIGIN(3), AS_PATH_EMPTY, NEXT_HOP(n4.address), LOCAL_PREF_100], error: 'malformed ORIGIN' },
    { what: 'no AS_PATH with NLRI (RFC 7606 §3 (d))', host: '172.16.4.2', attrs: [ORIGIN(0), NEXT_HOP(n4.address), LOCAL_PREF_100], error: 'missing well-known attribute 2' },
  ];
  for (const [i, k] of cases.entries()) {
    const prefix = `${k.host}/32`;
    n4.sendRaw(update(k.attrs, k.host));
    const left = ['172.16.4.0/24', ...(i === 0 ? ['172.16.4.2/32'] : ['172.16.4.1/32'])];
    await both(left);
    t.pass(`${k.what}: ${prefix} left n2 (BIRD 1.6) and n3 (BIRD 2), n4's other routes stay`);
    t.same(await n4Paths(), left.sort(), `${k.what}: \`bgp-rr routes\` holds n4's other routes only`);
    t.same(await c.json<RouteRow[]>(['routes', '--rejected']), [], `${k.what}: nothing kept as a rejected path either`);
    const lines = await waitFor(() => (logged().length === i + 1 ? logged() : undefined), { what: `log line ${i + 1}: ${LOG_LINE}`, timeoutMs: 10_000 });
    const line = JSON.parse(lines[i]!) as { node: string; action: string; errors: string[] };
    t.same([line.node, line.action, line.errors], ['n4', 'treat-as-withdraw', [k.error]], `${k.what}: one log line naming the node and the error`);
    t.equal(await metric(metrics, TAW), i + 1, `${k.what}: counted in ${TAW}`);
    if (i === 0) {
      n4.announce([prefix]);
      await both(['172.16.4.0/24', '172.16.4.1/32', '172.16.4.2/32']);
      t.pass('a valid UPDATE brings 172.16.4.1/32 back');
    }
  }

  const after = await c.json<PeerDetail>(['peer', 'n4']);
  t.same([after.state, after.since, after.establishedTransitions], [before.state, before.since, before.establishedTransitions], 'n4\'s session stayed up at bgp-rr');
  t.same([after.messages.sent.notification, after.messages.received.notification], [0, 0], 'no NOTIFICATION either way (bgp-rr\'s count)');
  t.equal(n4.peer.state, 'Established', 'n4 (our Speaker) is still Established');
  t.same(n4.probe.notifications, [], 'no NOTIFICATION either way (n4\'s record)');
  t.equal(logged().length, cases.length, 'one log line per malformed UPDATE, no more');
});
