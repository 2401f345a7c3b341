/**
 * IPv6 blocks are reflected between nodes: BIRD 1.6 nodes run a second process,
 * bird6, with its own sessions over IPv6 to the replicas' IPv6 addresses (one BGPPeer
 * per replica address of each family); BIRD 2 nodes run one session per family.
 * Every node's kernel holds every other node's IPv6 block via that node's IPv6
 * address, and the IPv4 mesh is complete too.
 */
import t from 'tap';
import { Fabric } from './lib/fabric.js';
import { waitForFullMesh } from './lib/converge.js';
import { nodeAddresses, waitForSessions } from './lib/sessions.js';
import { acquireHeavySlot } from '../harness/index.js';

t.test('IPv6 blocks reflected between bird6 and BIRD 2 nodes', async (t) => {
  await acquireHeavySlot(t);
  const fabric = await Fabric.start(t, { nodes: ['bird1', 'bird2', 'bird1', 'bird2'], ipv6: true });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric, 6);
  t.pass('every node\'s kernel has every other node\'s IPv6 block via its IPv6 address');
  await waitForFullMesh(fabric, 4);
  t.pass('and the IPv4 blocks too');
  for (const r of fabric.replicas) {
    const rows = await r.peers();
    const v6 = rows.filter((row) => String(row.address).includes(':') && row.state === 'Established');
    t.equal(v6.length, 4, `${r.opts.name}: one IPv6 session per node`);
  }
});
