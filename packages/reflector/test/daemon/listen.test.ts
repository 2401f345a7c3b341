/**
 * A replica accepts BGP only once its first etcd snapshot is applied: before that it
 * knows no peer, and a node dialling in would only be refused (and logged as "no peer")
 * and back off. With etcd down at start the BGP port refuses at the TCP level; when etcd
 * comes, the replica binds, and the node's session comes up.
 */
import { connect } from 'node:net';
import t from 'tap';
import { waitFor } from '../../../../test/harness/index.js';
import type { PeerRow, StatusInfo } from '../../src/control/protocol.js';
import { startReflectorCluster } from '../../../../test/harness/reflector-cluster.js';

/** 'accepted' if a TCP connection to address:179 is set up, else the error code. */
function dial(address: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port: 179 });
    s.once('connect', () => {
      s.destroy();
      resolve('accepted');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

t.test('no BGP accepted before the first etcd snapshot; accepted, and the node up, once it is applied', async (t) => {
  const c = await startReflectorCluster(t, { nodes: [2] });
  await c.etcd.stopAll();
  c.startReflector();
  await c.reflectorReady();
  const before = await c.json<StatusInfo>(['status']);
  t.equal(before.health, 'starting', 'no snapshot yet');
  t.equal(before.accepting, false, 'status: BGP not accepted yet');
  t.same(before.listen, [`${c.rrAddress}:179`], 'the listen address was checked at start');
  t.equal(await dial(c.rrAddress), 'ECONNREFUSED', 'a node dialling now is refused by TCP, no connection is set up');
  const text = await c.cli(['status']);
  t.match(text.stdout, /^Listening:\s+\S+:179 \(not yet: BGP is accepted once the first etcd snapshot is applied\)$/m);

  await c.etcd.startAll();
  await waitFor(async () => (await c.json<StatusInfo>(['status'])).accepting, { what: 'BGP accepted after the first snapshot', timeoutMs: 60_000 });
  await c.startNode(2);
  await waitFor(async () => (await c.json<PeerRow[]>(['peers'])).find((p) => p.node === 'n2' && p.state === 'Established'), { what: 'n2 Established', timeoutMs: 60_000 });
  t.notMatch(c.rr!.output, /no peer refused/, 'no connection was refused as coming from no peer');
  t.match(c.rr!.output, /"msg":"BGP listening"/, 'listening logged once configured');
});
