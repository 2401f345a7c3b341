// The demo cluster on a leased loopback block 127.N.0.0/16:
//   etcd            127.N.0.10:2379 (single member)
//   replica rr-i    127.N.0.i:179   (i = 1..3), metrics 127.N.0.i:9179
//   node-k          127.N.1.k (k = 1..N; more than 250 nodes continue at 127.N.2.x)
//   blocks          pool 172.16.0.0/16, node-k owns 172.16.k.0/24
import { join } from 'node:path';
import { startEtcd } from '../../test/harness/etcd.js';
import { CalicoDatastore } from '../../test/harness/calico-cluster.js';
import { CalicoNode } from '../../test/harness/calico-node.js';
import { REPO_ROOT, findTool, leaseLoopbackBlock, run, spawnProc, tmpDir } from '../../test/harness/index.js';

export const BGP_RR = join(REPO_ROOT, 'packages', 'reflector', 'bin', 'bgp-rr.js');
export const CLUSTER_ID = '244.0.0.1';
export const POOL = { name: 'default-ipv4-ippool', cidr: '172.16.0.0/16', blockSize: 24 };

export const blockOf = (k) => `172.16.${k}.0/24`;

/** The node implementation: the one asked for, else BIRD 1.6 (as calico/node), else BIRD 2, else the speaker. */
export function pickFlavor(asked) {
  if (asked !== undefined) return asked;
  if (findTool('bird') && findTool('birdc')) return 'bird1';
  if (findTool('bird2') && findTool('birdc2')) return 'bird2';
  return 'speaker';
}

/** Runs fns with at most `limit` at a time. */
export async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

export class Replica {
  constructor(t, { name, address, etcd, dir }) {
    Object.assign(this, { t, name, address, etcd });
    this.socket = join(dir, `${name}.sock`);
  }

  start() {
    this.proc = spawnProc(this.t, process.execPath, [
      BGP_RR, 'run',
      '--etcd-endpoints', this.etcd,
      '--router-id', this.address,
      '--cluster-id', CLUSTER_ID,
      '--listen', this.address,
      '--name', this.name,
      '--control-socket', this.socket,
      '--metrics-address', `${this.address}:9179`,
      '--hold-time', '30',
      '--log-level', 'warn',
    ], { name: this.name, killTimeoutMs: 10_000 });
  }

  /** Resolves once the control socket answers; throws (with the replica's output) if it exits first. */
  async ready(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.proc.running) throw new Error(`${this.name} exited:\n${this.proc.output.slice(-2000)}`);
      if ((await this.cli(['status', '--json'])).code === 0) return;
      if (Date.now() > deadline) throw new Error(`${this.name}: no answer on ${this.socket} after ${timeoutMs} ms:\n${this.proc.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  cli(args) {
    return run(process.execPath, [BGP_RR, ...args, '--control-socket', this.socket], { timeoutMs: 10_000 });
  }
}

/** Starts etcd, seeds the datastore, starts the replicas and the nodes. */
export async function startCluster(t, { nodes: count, flavor, log }) {
  const block = await leaseLoopbackBlock(t);
  const dir = tmpDir(t, 'demo-');
  log(`loopback block ${block.cidr}; files in ${dir}`);

  const etcd = await startEtcd(t, { block, members: 1 });
  log(`etcd ready at ${etcd.endpoints.join(',')}`);

  const replicas = [1, 2, 3].map((i) => new Replica(t, { name: `rr-${i}`, address: block.addr(i), etcd: etcd.endpoints.join(','), dir }));
  const nodes = Array.from({ length: count }, (_, i) => {
    const k = i + 1;
    return { k, name: `node-${k}`, address: block.addr(256 + k), block: blockOf(k) };
  });

  // What calicoctl and calico/node write: mesh off, AS 64512, one BGPPeer per replica, the nodes and their blocks.
  const ds = new CalicoDatastore(etcd);
  await ds.seed({
    pools: [POOL],
    reflectors: replicas.map((r) => ({ name: r.name, peerIP: r.address })),
    nodes: nodes.map((n) => ({ name: n.name, ipv4: `${n.address}/16`, blocks: [n.block] })),
  });
  log(`datastore seeded: ${count} nodes, ${replicas.length} BGPPeers, pool ${POOL.cidr}`);

  for (const r of replicas) r.start();
  await Promise.all(replicas.map((r) => r.ready()));
  log(`replicas started: ${replicas.map((r) => `${r.name} ${r.address}`).join(', ')}`);

  if (flavor === 'speaker') {
    const { startSpeakerNodes } = await import('./speaker-nodes.mjs');
    const speakers = await startSpeakerNodes(t, { nodes, replicas, log });
    return { block, etcd, replicas, nodes, speakers };
  }
  await pool(nodes, 8, async (n) => {
    n.bird = new CalicoNode(t, {
      name: n.name,
      flavor,
      ipv4: n.address,
      blocks4: [n.block],
      reflectors4: replicas.map((r) => r.address),
      dir,
      listenAddress: true,
      kernel: false,
      deviceRoutes: [{ prefix: block.cidr, iface: 'lo' }],
    });
    await n.bird.start();
  });
  log(`${count} nodes started (${flavor === 'bird1' ? 'BIRD 1.6' : 'BIRD 2'}, one process per node, 3 sessions each)`);
  return { block, etcd, replicas, nodes };
}
