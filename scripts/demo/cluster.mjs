// The demo cluster on a leased loopback block 127.N.0.0/16:
//   etcd            127.N.0.10:2379 (single member)
//   replica rr-i    127.N.0.i:179 (i = 1..3), metrics 127.N.0.i:9179, configured by an
//                   environment file like /etc/bgp-rr/bgp-rr.env (systemd/bgp-rr.env)
//   node-k          127.N.1.k (k = 1..N, N <= 250)
//   blocks          pool 172.16.0.0/16 (blockSize 24), node-k owns 172.16.k.0/24
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEtcd } from '../../test/harness/etcd.js';
import { CalicoDatastore } from '../../test/harness/calico-cluster.js';
import { CalicoNode } from '../../test/harness/calico-node.js';
import { BGP_RR_BIN, runBgpRr, spawnBgpRr } from '../../test/harness/bgp-rr.js';
import { findTool, leaseLoopbackBlock, tmpDir } from '../../test/harness/index.js';

export const CLUSTER_ID = '244.0.0.1';
export const AS = 64512;
export const POOL = { name: 'default-ipv4-ippool', cidr: '172.16.0.0/16', blockSize: 24 };

/** node-k's block (k = 1..250, the pool has 256 /24 blocks). */
export const blockOf = (k) => `172.16.${k}.0/24`;

/** The node implementation: the one asked for, else BIRD 1.6 (as calico/node), else BIRD 2, else the speaker. */
export function pickFlavor(asked) {
  if (asked !== undefined) return asked;
  if (findTool('bird') && findTool('birdc')) return 'bird1';
  if (findTool('bird2') && findTool('birdc2')) return 'bird2';
  return 'speaker';
}

export const FLAVOR_NAMES = { bird1: 'BIRD 1.6, as calico/node', bird2: 'BIRD 2', speaker: 'bgp-speaker library' };

/** Runs fn over items with at most `limit` at a time. */
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

/**
 * Our environment without inherited bgp-rr/etcd settings: each replica gets only its
 * own file. The test harness's own variables (BGP_RR_TEST_*) stay.
 */
function cleanEnv() {
  const setting = (k) => (k.startsWith('BGP_RR_') && !k.startsWith('BGP_RR_TEST_')) || k.startsWith('ETCD_');
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !setting(k)));
}

/**
 * One `bgp-rr run`, started as systemd/bgp-rr.service starts it (the bin, its shebang's
 * Node flags; test/harness/bgp-rr.ts) and configured the same way: an environment file.
 */
export class Replica {
  constructor(t, { name, address, etcd, dir }) {
    Object.assign(this, { t, name, address, etcd });
    this.socket = join(dir, `${name}.sock`);
    this.envFile = join(dir, `${name}.env`);
    this.env = {
      ETCD_ENDPOINTS: etcd,
      BGP_RR_NAME: name,
      BGP_RR_ROUTER_ID: address,
      BGP_RR_CLUSTER_ID: CLUSTER_ID,
      BGP_RR_LISTEN: `${address}:179`,
      BGP_RR_CONTROL_SOCKET: this.socket,
      BGP_RR_METRICS_ADDRESS: `${address}:9179`,
      BGP_RR_LOG_LEVEL: 'info',
    };
    writeFileSync(this.envFile, `# ${name}: as /etc/bgp-rr/bgp-rr.env on a reflector host\n${Object.entries(this.env).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  }

  start() {
    this.proc = spawnBgpRr(this.t, ['run'], { name: this.name, env: { ...cleanEnv(), ...this.env } });
  }

  /** Resolves once the control socket answers; throws (with the replica's output) if it exits first. */
  async ready(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.proc.running) throw new Error(`${this.name} exited (${JSON.stringify(this.proc.exitInfo)}):\n${this.proc.output.slice(-2000)}`);
      if ((await this.cli(['status', '--json'])).code === 0) return;
      if (Date.now() > deadline) throw new Error(`${this.name}: no answer on ${this.socket} after ${timeoutMs} ms:\n${this.proc.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The bgp-rr CLI with this replica's environment file, as an operator runs it on the host. */
  cli(args) {
    return runBgpRr(args, { env: { ...cleanEnv(), ...this.env }, timeoutMs: 10_000 });
  }

  /** The same as a shell command line, for the operator to copy. */
  shell(args) {
    return `(set -a; . ${this.envFile}; ${BGP_RR_BIN} ${args})`;
  }
}

/** Starts etcd, seeds the datastore, starts the nodes and the replicas. */
export async function startCluster(t, { nodes: count, flavor, log }) {
  const block = await leaseLoopbackBlock(t);
  const dir = tmpDir(t, 'demo-');
  log(`loopback block ${block.cidr}; configs, sockets and etcd data in ${dir}`);

  const etcd = await startEtcd(t, { block, members: 1 });
  log(`etcd ready at ${etcd.endpoints.join(',')}`);

  const replicas = [1, 2, 3].map((i) => new Replica(t, { name: `rr-${i}`, address: block.addr(i), etcd: etcd.endpoints.join(','), dir }));
  const nodes = Array.from({ length: count }, (_, i) => {
    const k = i + 1;
    return { k, name: `node-${k}`, address: block.addr(256 + k), block: blockOf(k) };
  });

  // What calicoctl and calico/node write: BGPConfiguration default (mesh off, AS 64512),
  // one BGPPeer per replica (peerIP, no selector: every node), the IPPool, each Node
  // with its BGP address, each node's IPAM block with its confirmed host affinity.
  const ds = new CalicoDatastore(etcd);
  await ds.seed({
    asNumber: AS,
    pools: [POOL],
    reflectors: replicas.map((r) => ({ name: r.name, peerIP: r.address })),
    nodes: nodes.map((n) => ({ name: n.name, ipv4: `${n.address}/16`, blocks: [n.block] })),
  });
  log(`datastore seeded: ${count} Nodes, BGPConfiguration (nodeToNodeMeshEnabled: false), ${replicas.length} BGPPeers, IPPool ${POOL.cidr}, ${count} IPAM blocks + affinities`);

  const cluster = { block, dir, etcd, replicas, nodes, flavor };
  if (flavor === 'speaker') {
    // The speakers dial the replicas (they do not listen): replicas first.
    await startReplicas(replicas, log);
    const { startSpeakerNodes } = await import('./speaker-nodes.mjs');
    cluster.speakers = await startSpeakerNodes(t, { nodes, replicas, log });
    return cluster;
  }
  // As in a running cluster that moves from the mesh to reflectors: the nodes are
  // up first, then the replicas come and every node's sessions come up.
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
      // Other nodes' addresses (BGP next hops) are on lo: a device route makes them known.
      deviceRoutes: [{ prefix: block.cidr, iface: 'lo' }],
    });
    await n.bird.start();
  });
  log(`${count} nodes started (${FLAVOR_NAMES[flavor]}: one process per node, 3 sessions each)`);
  await startReplicas(replicas, log);
  return cluster;
}

async function startReplicas(replicas, log) {
  for (const r of replicas) r.start();
  await Promise.all(replicas.map((r) => r.ready()));
  log(`replicas running (bgp-rr run): ${replicas.map((r) => `${r.name} ${r.address}`).join(', ')}`);
}
