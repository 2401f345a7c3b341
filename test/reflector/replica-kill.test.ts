/**
 * A replica dies (SIGKILL: no NOTIFICATION, no goodbye) and comes back. The nodes
 * peer with all three replicas, so no node may lose any route, not for an instant:
 * `ip monitor route` runs in every node's namespace throughout and no deletion of
 * another node's block may appear (BIRD 1.6's delete+add replacement excepted, see
 * lib/route-watch.ts). When the replica is back, its sessions return and every node
 * again holds each block from all three replicas, still without any loss.
 */
import t from 'tap';
import { Fabric } from './lib/fabric.js';
import { MeshWatch, describeLosses, meshProblems, waitForFullMesh, waitForPaths } from './lib/converge.js';
import { nodeAddresses, waitForSessions } from './lib/sessions.js';
import { waitFor } from '../harness/index.js';

t.test('one replica SIGKILLed, then restarted: no node loses any route', async (t) => {
  const fabric = await Fabric.start(t, { nodes: ['bird1', 'bird2', 'bird1', 'bird2'] });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric);
  await waitForPaths(fabric, 3);
  const watch = await MeshWatch.start(fabric);

  // rr-1 has the lowest address: its paths are the nodes' best paths (RFC 4271 §9.1.2.2 f).
  const victim = fabric.replicas[0]!;
  await victim.kill('SIGKILL');
  const victimAddress = fabric.hosts[0]!.ipv4;
  await waitFor(
    async () => {
      for (const n of fabric.nodes.values()) {
        const s = await n.bird.sessions();
        const name = [...s.keys()].find((k) => k.includes(victimAddress.replace(/\./g, '_')));
        if (name === undefined || s.get(name) === 'Established') return false;
      }
      return true;
    },
    { what: 'every node sees its session to the killed replica down', timeoutMs: 60_000 },
  );
  t.same(await meshProblems(fabric), [], 'with one replica dead, every node still holds every other block');
  let losses = watch.losses(fabric);
  t.equal(losses.length, 0, 'no route was removed while the replica died', { detail: describeLosses(losses) });

  await victim.start();
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForPaths(fabric, 3);
  const st = (await victim.json(['status'])) as { tablesReleased: boolean; tablesReleaseReason: string };
  t.same([st.tablesReleased, st.tablesReleaseReason], [true, 'End-of-RIB received from every configured peer'], 'the restarted replica sent its table once every node\'s End-of-RIB was in (RFC 4724 §4.1)');
  t.same(await meshProblems(fabric), [], 'after the restart every node holds every other block');
  losses = watch.losses(fabric);
  t.equal(losses.length, 0, 'no route was removed while the replica came back', { detail: describeLosses(losses) });
  const gaps = watch.replacements(fabric).map((r) => r.gapMs);
  t.comment(`BIRD 1.6 in-place replacements (delete+add): ${gaps.length}, longest gap ${Math.max(0, ...gaps).toFixed(3)} ms`);
  await watch.stop();
});
