/**
 * A replica dies (SIGKILL: no NOTIFICATION, no goodbye) and comes back. The nodes
 * peer with all three replicas, so no node may lose any route, not for an instant:
 * `ip monitor route` runs in every node's namespace throughout and no deletion of
 * another node's block may appear (BIRD 1.6's delete+add replacement excepted, see
 * lib/route-watch.ts).
 *
 * While the replica is dead the nodes keep its paths, stale (they are its graceful-
 * restart helpers, RFC 4724 §4.2), and install them like any other: the kernel table
 * alone would look complete even if the surviving replicas reflected nothing. So the
 * test asserts that every node holds every other node's block through a fresh path
 * of rr-2 or rr-3 (a session Established with no restart pending,
 * harness/bird-protocols.ts), and that those sessions never moved (the same
 * established-since at both ends). When the replica is back, its sessions return and
 * every node again holds each block from all three replicas on fresh paths, still
 * without any loss.
 */
import t from 'tap';
import { Fabric } from './lib/fabric.js';
import { MeshWatch, describeLosses, freshPathProblems, meshProblems, waitForFullMesh, waitForPaths } from './lib/converge.js';
import { birdSessions, bouncedSessions, countEnds, nodeAddresses, sessionEnds, waitForSessions, type SessionEnd } from './lib/sessions.js';
import { acquireHeavySlot, waitFor } from '../harness/index.js';

t.test('one replica SIGKILLed, then restarted: no node loses any route', async (t) => {
  await acquireHeavySlot(t);
  const fabric = await Fabric.start(t, { nodes: ['bird1', 'bird2', 'bird1', 'bird2'] });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric);
  await waitForPaths(fabric, 3);
  const watch = await MeshWatch.start(fabric);
  const before = await sessionEnds(fabric);
  const survivors = (e: SessionEnd): boolean => e.replica !== 'rr-1';
  t.same(countEnds(before, survivors), { replica: 8, node: 8 }, 'both ends of the 8 sessions of rr-2 and rr-3 read before');

  // rr-1 has the lowest address: its paths are the nodes' best paths (RFC 4271 §9.1.2.2 f).
  const victim = fabric.replicas[0]!;
  await victim.kill('SIGKILL');
  const victimAddress = fabric.hosts[0]!.ipv4;
  await waitFor(
    async () => {
      for (const n of fabric.nodes.values()) {
        const s = (await birdSessions(n, false)).find((x) => x.neighbor === victimAddress);
        if (s === undefined || s.established) return false;
      }
      return true;
    },
    { what: 'every node sees its session to the killed replica down', timeoutMs: 60_000 },
  );
  t.same(bouncedSessions(before, await sessionEnds(fabric), survivors), [], 'the sessions of rr-2 and rr-3 untouched: the same established-since at both ends');
  t.same(await meshProblems(fabric), [], 'with one replica dead, every node\'s kernel still holds every other block');
  t.same(await freshPathProblems(fabric, { via: ['rr-2', 'rr-3'] }), [], 'through fresh paths from rr-2 or rr-3, not rr-1\'s stale ones');
  let losses = watch.losses(fabric);
  t.equal(losses.length, 0, 'no route was removed while the replica died', { detail: describeLosses(losses) });

  await victim.start();
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForPaths(fabric, 3);
  t.pass('rr-1 back: every node holds each block from all three replicas, on fresh paths (End-of-RIB in)');
  const st = (await victim.json(['status'])) as { tablesReleased: boolean; tablesReleaseReason: string };
  t.same([st.tablesReleased, st.tablesReleaseReason], [true, 'End-of-RIB received from every configured peer'], 'the restarted replica sent its table once every node\'s End-of-RIB was in (RFC 4724 §4.1)');
  t.same(await meshProblems(fabric), [], 'after the restart every node holds every other block');
  t.same(bouncedSessions(before, await sessionEnds(fabric), survivors), [], 'the sessions of rr-2 and rr-3 still untouched');
  losses = watch.losses(fabric);
  t.equal(losses.length, 0, 'no route was removed while the replica came back', { detail: describeLosses(losses) });
  const gaps = watch.replacements(fabric).map((r) => r.gapMs);
  t.comment(`BIRD 1.6 in-place replacements (delete+add): ${gaps.length}, longest gap ${Math.max(0, ...gaps).toFixed(3)} ms`);
  await watch.stop();
});
