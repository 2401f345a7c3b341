/**
 * Rolling restart of all three replicas (the upgrade procedure): each replica in
 * turn is stopped with SIGTERM (closing its sessions so that the nodes' graceful-
 * restart helpers keep its routes) and started again; the next one goes only when
 * every node again holds each block from all three on fresh paths (the restarted
 * replica's session Established and its End-of-RIB in: until then the node's paths
 * from it are the stale ones it kept, harness/bird-protocols.ts). No node may lose any
 * route at any moment (`ip monitor route` in every node namespace), the other
 * replicas' sessions never move (the same established-since at both ends), and each
 * restarted replica holds its table back until every node's End-of-RIB is in (RFC
 * 4724 §4.1).
 */
import t from 'tap';
import { Fabric } from './lib/fabric.js';
import { MeshWatch, describeLosses, meshProblems, waitForFullMesh, waitForPaths } from './lib/converge.js';
import { bouncedSessions, countEnds, nodeAddresses, sessionEnds, waitForSessions, type SessionEnd } from './lib/sessions.js';
import { acquireHeavySlot } from '../harness/index.js';

t.test('rolling restart of all three replicas: no route lost', async (t) => {
  await acquireHeavySlot(t);
  const fabric = await Fabric.start(t, { nodes: ['bird2', 'bird1', 'bird2', 'bird1'] });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric);
  await waitForPaths(fabric, 3);
  const watch = await MeshWatch.start(fabric);

  for (const r of fabric.replicas) {
    const before = await sessionEnds(fabric);
    const others = (e: SessionEnd): boolean => e.replica !== r.opts.name;
    t.same(countEnds(before, others), { replica: 8, node: 8 }, `both ends of the 8 sessions of the other replicas read before ${r.opts.name} restarts`);
    const exit = await r.proc!.kill('SIGTERM');
    t.equal(exit.signal === null ? exit.code : exit.signal, 0, `${r.opts.name} exits cleanly on SIGTERM`);
    await r.start();
    await waitForSessions(fabric, nodeAddresses(fabric));
    await waitForPaths(fabric, 3);
    // RFC 4724 §4.1: the restarted replica sent its table only once every node's
    // initial table was in (not on the deferral timer), so no node got a partial one.
    const st = (await r.json(['status'])) as { tablesReleased: boolean; tablesReleaseReason: string };
    t.same([st.tablesReleased, st.tablesReleaseReason], [true, 'End-of-RIB received from every configured peer'], `${r.opts.name}: table released on End-of-RIB from every node`);
    t.same(bouncedSessions(before, await sessionEnds(fabric), others), [], `the other replicas' sessions untouched through the restart of ${r.opts.name}`);
    const losses = watch.losses(fabric);
    t.equal(losses.length, 0, `no route removed through the restart of ${r.opts.name}`, { detail: describeLosses(losses) });
  }
  t.same(await meshProblems(fabric), [], 'every node holds every other block at the end');
  await watch.stop();
});
