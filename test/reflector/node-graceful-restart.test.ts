/**
 * A node's BIRD restarts with graceful restart (calico/node restarting): BIRD is
 * killed (its sessions drop without NOTIFICATION) and started again with -R. The
 * replicas act as GR helpers (RFC 4724 §4.2): they keep the node's routes, stale,
 * reflected until its End-of-RIB, so no other node loses the restarting node's block
 * (nor any other) meanwhile.
 */
import t from 'tap';
import { Fabric } from './lib/fabric.js';
import { MeshWatch, describeLosses, meshProblems, waitForFullMesh, waitForPaths } from './lib/converge.js';
import { nodeAddresses, waitForSessions } from './lib/sessions.js';

for (const flavor of ['bird1', 'bird2'] as const) {
  t.test(`a ${flavor} node restarts with GR: no other node loses its route`, async (t) => {
    const fabric = await Fabric.start(t, { nodes: [flavor, 'bird1', 'bird2', flavor === 'bird1' ? 'bird2' : 'bird1'] });
    await waitForSessions(fabric, nodeAddresses(fabric));
    await waitForFullMesh(fabric);
    await waitForPaths(fabric, 3);
    const watch = await MeshWatch.start(fabric);

    const restarting = fabric.nodes.get(1)!;
    await restarting.bird.gracefulRestart();
    await waitForSessions(fabric, nodeAddresses(fabric));
    await waitForPaths(fabric, 3);
    t.same(await meshProblems(fabric), [], 'every node holds every other block after the restart');
    const losses = watch.losses(fabric, [4], { notAt: [restarting] });
    t.equal(losses.length, 0, `no other node lost a route while ${restarting.spec.name} restarted`, { detail: describeLosses(losses) });
    await watch.stop();
  });
}
