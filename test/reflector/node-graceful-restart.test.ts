/**
 * A node's BIRD restarts with graceful restart (calico/node restarting): BIRD is
 * killed (its sessions drop without NOTIFICATION) and started again with -R. The
 * replicas act as GR helpers (RFC 4724 §4.2): they keep the node's routes, stale,
 * reflected until its End-of-RIB, so no other node loses the restarting node's block
 * (nor any other) meanwhile.
 *
 * Afterwards the block must be there because the node announced it again, not
 * because a helper still holds the stale copy: every replica has it from the node
 * with nothing stale left (End-of-RIB in), every node holds every block from all
 * three replicas on fresh paths, and no session of the other nodes moved (the same
 * established-since at both ends).
 */
import t from 'tap';
import { Fabric } from './lib/fabric.js';
import { MeshWatch, describeLosses, meshProblems, waitForFullMesh, waitForPaths } from './lib/converge.js';
import { bouncedSessions, countEnds, nodeAddresses, sessionEnds, waitForSessions, type SessionEnd } from './lib/sessions.js';
import { acquireHeavySlot, waitFor } from '../harness/index.js';

for (const flavor of ['bird1', 'bird2'] as const) {
  t.test(`a ${flavor} node restarts with GR: no other node loses its route`, async (t) => {
    await acquireHeavySlot(t);
    const fabric = await Fabric.start(t, { nodes: [flavor, 'bird1', 'bird2', flavor === 'bird1' ? 'bird2' : 'bird1'] });
    await waitForSessions(fabric, nodeAddresses(fabric));
    await waitForFullMesh(fabric);
    await waitForPaths(fabric, 3);
    const watch = await MeshWatch.start(fabric);
    const restarting = fabric.nodes.get(1)!;
    const before = await sessionEnds(fabric);
    const others = (e: SessionEnd): boolean => e.node !== restarting.spec.name;
    t.same(countEnds(before, others), { replica: 9, node: 9 }, 'both ends of the 9 sessions of the other nodes read before');
    // Each replica's view of the restarting node's IPv4 paths: accepted, and how many of them stale.
    const held = (): Promise<string[]> =>
      Promise.all(
        fabric.replicas.map(async (r) => {
          const row = (await r.peers()).find((x) => x.address === restarting.ipv4);
          const v4 = (row?.prefixes as { ipv4?: { accepted: number; stale: number } } | undefined)?.ipv4;
          return `${r.opts.name}: ${String(row?.state)}, ${v4?.accepted ?? '?'} accepted, ${v4?.stale ?? '?'} stale`;
        }),
      );
    const fresh = fabric.replicas.map((r) => `${r.opts.name}: Established, 1 accepted, 0 stale`);

    await restarting.bird.gracefulRestart();
    await waitForSessions(fabric, nodeAddresses(fabric));
    let last: string[] = [];
    await waitFor(async () => (last = await held()).join() === fresh.join(), { what: `every replica holds ${restarting.spec.name}'s block again, nothing stale`, timeoutMs: 60_000, intervalMs: 500 }).catch(() => undefined);
    t.same(last, fresh, `every replica has ${restarting.spec.name}'s block from ${restarting.spec.name} again, with no stale copy left (its End-of-RIB is in)`);
    await waitForPaths(fabric, 3);
    t.pass('every node holds every other block from all three replicas on fresh paths');
    t.same(await meshProblems(fabric), [], 'every node\'s kernel holds every other block after the restart');
    t.same(bouncedSessions(before, await sessionEnds(fabric), others), [], 'the other nodes\' sessions untouched: the same established-since at both ends');
    const losses = watch.losses(fabric, [4], { notAt: [restarting] });
    t.equal(losses.length, 0, `no other node lost a route while ${restarting.spec.name} restarted`, { detail: describeLosses(losses) });
    await watch.stop();
  });
}
