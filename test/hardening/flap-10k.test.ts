/**
 * A peer flapping 10,000 prefixes per second: node n3 (a Speaker in this
 * process, owning 200 blocks by IPAM) announces and withdraws its 200 blocks 50 times a
 * second for BGP_RR_FLAP_SECONDS (default 10) while BIRD nodes n2 and n4 are peers of
 * the replica. Then n3 settles on a final state (the even-numbered blocks only): n2 and
 * n4 must converge on exactly that, no session may have dropped (n3's included).
 * Figures printed, not asserted: prefix changes per second sent, the replica's
 * event-loop lag (p99, max) and resident memory before, during and after.
 */
import t from 'tap';
import { once } from 'node:events';
import { waitFor } from '../harness/index.js';
import { Speaker } from '../../packages/bgp-speaker/src/speaker.js';
import { parseIpv4 } from '../../packages/bgp-speaker/src/wire/address.js';
import { parsePrefix } from '../../packages/bgp-speaker/src/wire/prefix.js';
import { IPV4_UNICAST, type Nlri } from '../../packages/bgp-speaker/src/wire/types.js';
import { AS, startReflectorCluster } from '../harness/reflector-cluster.js';

const SECONDS = Number(process.env.BGP_RR_FLAP_SECONDS ?? 10);
const FLAPPED = Array.from({ length: 200 }, (_, i) => `172.16.${10 + i}.0/24`);
const RATE = 10_000; // prefix changes per second: the 200 blocks toggled 50 times a second
const TICK_MS = 20;

async function scrape(url: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await (await fetch(url)).text()).split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

t.test(`a peer flapping 10,000 prefixes per second for ${SECONDS} s: the others converge on its latest state`, async (t) => {
  const c = await startReflectorCluster(t, { nodes: (c) => [c.nodeSpec(2), c.nodeSpec(3, ['172.16.3.0/24', ...FLAPPED]), c.nodeSpec(4)] });
  c.startReflector(['--hold-time', '30']);
  await c.reflectorReady();
  await c.startNode(2);
  await c.startNode(4);
  const metrics = `http://${c.rrAddress}:9179/metrics`;

  const a3 = c.block.addr(3);
  const speaker = new Speaker();
  t.teardown(() => speaker.stop());
  const drops: string[] = [];
  speaker.on('state', (_p, from, to, reason) => {
    if (from === 'Established') drops.push(`${to}: ${reason}`);
  });
  const peer = speaker.addPeer({ peerAddress: c.rrAddress, localAddress: a3, localAs: AS, peerAs: AS, routerId: a3, holdTime: 90 });
  await once(speaker, 'established');
  const nlri = (p: string): Nlri => ({ prefix: parsePrefix(p), pathId: 0 });
  const flapped = FLAPPED.map(nlri);
  const attrs = { origin: 0 as const, asPath: [], nextHop: parseIpv4(a3), localPref: 100 };
  speaker.sendUpdate(peer, IPV4_UNICAST, attrs, [nlri('172.16.3.0/24'), ...flapped]);
  const everything = ['172.16.3.0/24', ...FLAPPED];
  await c.waitRoutes('n2', [...everything, '172.16.4.0/24']);
  await c.waitRoutes('n4', [...everything, '172.16.2.0/24']);
  const sessions = async (): Promise<string[]> => (await c.peers()).map((p) => `${p.node}@${p.since}`).sort();
  const before = await sessions();
  const m0 = await scrape(metrics);

  // Flap: all 200 withdrawn, then all 200 announced, every TICK_MS; wait for 'drain' when the socket is full.
  const sendWhenWritable = async (send: () => boolean): Promise<void> => {
    if (!send()) await once(speaker, 'drain');
  };
  let changes = 0;
  let lagMax = 0;
  let lagP99Max = 0;
  let rssMax = 0;
  const sampler = setInterval(() => {
    void scrape(metrics).then((m) => {
      lagMax = Math.max(lagMax, m.get('nodejs_eventloop_lag_max_seconds') ?? 0);
      lagP99Max = Math.max(lagP99Max, m.get('nodejs_eventloop_lag_p99_seconds') ?? 0);
      rssMax = Math.max(rssMax, m.get('process_resident_memory_bytes') ?? 0);
    }, () => undefined);
  }, 1000);
  const t0 = performance.now();
  let announced = true;
  while (performance.now() - t0 < SECONDS * 1000) {
    // Keep up with RATE changes per second since t0 (timers are coarse: catch up in bursts).
    while (changes < ((performance.now() - t0) / 1000) * RATE + flapped.length) {
      announced = !announced;
      const up = announced;
      await sendWhenWritable(() => (up ? speaker.sendUpdate(peer, IPV4_UNICAST, attrs, flapped) : speaker.sendWithdrawals(peer, IPV4_UNICAST, flapped)));
      changes += flapped.length;
    }
    await new Promise((r) => setTimeout(r, TICK_MS / 4));
  }
  const seconds = (performance.now() - t0) / 1000;
  // The latest state: only the even-numbered flapped blocks.
  const even = FLAPPED.filter((_, i) => i % 2 === 0);
  speaker.sendWithdrawals(peer, IPV4_UNICAST, flapped);
  speaker.sendUpdate(peer, IPV4_UNICAST, attrs, even.map(nlri));
  const t1 = performance.now();
  await c.waitRoutes('n2', ['172.16.3.0/24', ...even, '172.16.4.0/24'], 120_000);
  await c.waitRoutes('n4', ['172.16.3.0/24', ...even, '172.16.2.0/24'], 120_000);
  const settle = (performance.now() - t1) / 1000;
  clearInterval(sampler);
  t.pass('n2 and n4 hold exactly n3\'s latest state (its stable block and the 100 even-numbered blocks)');
  t.same(drops, [], 'the flapping peer\'s own session never dropped');
  t.same(await sessions(), before, 'no session dropped at the replica (n2, n3, n4)');
  const m1 = await scrape(metrics);
  t.comment(`sent ${changes} prefix changes in ${seconds.toFixed(1)} s = ${Math.round(changes / seconds)}/s; others converged ${settle.toFixed(1)} s after the last`);
  t.comment(`replica event-loop lag: p99 max ${(lagP99Max * 1000).toFixed(1)} ms, max ${(lagMax * 1000).toFixed(1)} ms while flapping`);
  t.comment(`replica RSS: ${Math.round((m0.get('process_resident_memory_bytes') ?? 0) / 2 ** 20)} MB before, max ${Math.round(rssMax / 2 ** 20)} MB during, ${Math.round((m1.get('process_resident_memory_bytes') ?? 0) / 2 ** 20)} MB after`);
  t.ok(changes >= 1000, `the flap really happened (${changes} prefix changes sent)`);
  await waitFor(() => peer.state === 'Established', { what: 'n3 still Established', timeoutMs: 5000 });
});
