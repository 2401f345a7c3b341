/**
 * A peer that stops reading its socket and a peer flapping many prefixes:
 * `bgp-speaker session` peer n5 is frozen (SIGSTOP: its kernel buffers fill, it reads
 * nothing) while n3 flaps its 200 blocks on and off; n2 (BIRD) must see each latest
 * state. When n5 is thawed it must reach the latest state too (coalesced or not), and
 * nobody's session drops. The replica's resident memory is printed, not asserted.
 */
import t from 'tap';
import { waitFor } from '../harness/index.js';
import { startReflectorCluster } from '../harness/reflector-cluster.js';

const FLAPPED = Array.from({ length: 200 }, (_, i) => `172.16.${10 + i}.0/24`);

/** Follows `bgp-speaker session` JSON events (one per line) into prefix#pathId → next hop. */
function follow(rib: Map<string, string>, line: string): void {
  let e: { event?: string; prefix?: string; pathId?: number; nextHop?: string };
  try {
    e = JSON.parse(line) as typeof e;
  } catch {
    return;
  }
  if (e.event === 'update') rib.set(`${e.prefix}#${e.pathId}`, e.nextHop ?? '');
  else if (e.event === 'withdraw') rib.delete(`${e.prefix}#${e.pathId}`);
}
const prefixesOf = (rib: Map<string, string>): string[] => [...new Set([...rib.keys()].map((k) => k.split('#')[0]!))].sort();

t.test('a frozen peer and a flapping peer: every other peer keeps the latest state', async (t) => {
  const c = await startReflectorCluster(t, { nodes: (c) => [c.nodeSpec(2), c.nodeSpec(3, ['172.16.3.0/24', ...FLAPPED]), c.nodeSpec(5)] });
  c.startReflector(['--hold-time', '240']);
  await c.reflectorReady();
  await c.startNode(2);
  const n3 = await c.startNode(3, { announce: ['172.16.3.0/24', ...FLAPPED] });
  const n5 = c.startSpeaker(5, { announce: ['172.16.5.0/24'] });
  const rib5 = new Map<string, string>();
  n5.onLine((l) => follow(rib5, l));
  t.teardown(() => n5.signal('SIGCONT'));
  const all = ['172.16.3.0/24', '172.16.5.0/24', ...FLAPPED].sort();
  await c.waitRoutes('n2', all);
  await waitFor(() => prefixesOf(rib5).join(' ') === ['172.16.2.0/24', '172.16.3.0/24', ...FLAPPED].sort().join(' '), { what: 'n5 has the full table', timeoutMs: 90_000 });
  const before = (await c.peers()).map((p) => `${p.node}@${p.since}`).sort();
  const rss0 = c.rssKb();

  n5.signal('SIGSTOP');
  const flap = async (times: number, end: 'enable' | 'disable'): Promise<void> => {
    for (let i = 0; i < times; i++) {
      const first = i % 2 === 0 ? 'disable' : 'enable';
      const r = await n3.birdc([first, 'static1']);
      if (r.code !== 0) throw new Error(`birdc ${first}: ${r.stdout}${r.stderr}`);
    }
    await n3.birdc([end, 'static1']);
  };
  await flap(30, 'enable');
  await c.waitRoutes('n2', all);
  t.pass('n2 has every flapped prefix after the last flap (enabled) while n5 is frozen');
  await flap(31, 'disable');
  await c.waitRoutes('n2', ['172.16.5.0/24']);
  t.pass('n2 has none of them after the last flap (disabled) while n5 is frozen');
  const rss1 = c.rssKb();
  t.comment(`replica RSS: ${Math.round(rss0 / 1024)} MB before, ${Math.round(rss1 / 1024)} MB after ${61 * 2 * FLAPPED.length} route changes with n5 frozen`);

  n5.signal('SIGCONT');
  await waitFor(() => prefixesOf(rib5).join(' ') === '172.16.2.0/24', { what: 'n5 back to the latest state (only n2\'s block)', timeoutMs: 90_000 });
  t.pass('n5, thawed, reaches the latest state');
  await n3.birdc(['enable', 'static1']);
  await c.waitRoutes('n2', all);
  await waitFor(() => prefixesOf(rib5).length === 2 + FLAPPED.length, { what: 'n5 follows the next change', timeoutMs: 90_000 });
  t.same((await c.peers()).map((p) => `${p.node}@${p.since}`).sort(), before, 'no session went down');
  t.ok(c.rr?.running, 'the replica still runs');
});
