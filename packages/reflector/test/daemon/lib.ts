/**
 * For the daemon tests: a small Calico cluster on one leased loopback block — a real
 * etcd, the datastore written as calicoctl/IPAM write it, BIRD 1.6 nodes configured as
 * calico/node configures them — and `bgp-rr` run from source (src/cli/main.ts through tsx,
 * the same main() as bin/bgp-rr.js, without a build).
 */
import { join } from 'node:path';
import { leaseLoopbackBlock, run, spawnProc, tmpDir, waitFor, type LoopbackBlock, type Proc, type RunResult } from '../../../../test/harness/index.js';
import { startEtcd, type EtcdCluster } from '../../../../test/harness/etcd.js';
import { CalicoDatastore, type NodeSpec } from '../../../../test/harness/calico-cluster.js';
import { startCalicoNode, type CalicoNode } from '../../../../test/harness/calico-node.js';

type T = Parameters<typeof leaseLoopbackBlock>[0];

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).href;
/**
 * Node arguments that run `bgp-rr ARGS...` from source. An inline module rather than
 * an entry file under test/, which `tap packages/reflector/test` would run as a test.
 */
const BGP_RR = [
  '--conditions=bgp-rr-source', '--import', 'tsx', '--input-type=module', '-e',
  `const { main } = await import(${JSON.stringify(MAIN)});
   process.exitCode = await main(process.argv.slice(1), process.env, { stdout: process.stdout, stderr: process.stderr });`,
];
export const CLUSTER_ID = '244.0.0.1';

/** A route as BIRD holds it: `show route all` attributes. */
export interface BirdRoute {
  readonly prefix: string;
  readonly attrs: Readonly<Record<string, string>>;
}

/** BIRD 1.6 `show route all` → one entry per route (first path per prefix). */
export function parseShowRouteAll(text: string): Map<string, BirdRoute> {
  const out = new Map<string, BirdRoute>();
  let cur: { prefix: string; attrs: Record<string, string> } | undefined;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f.:]+\/\d+)\s/i.exec(line);
    if (head) {
      cur = out.has(head[1]!) ? undefined : { prefix: head[1]!, attrs: {} };
      if (cur) out.set(cur.prefix, cur);
      continue;
    }
    const a = /^\s+(BGP\.[a-z_]+):\s*(.*)$/.exec(line);
    if (a && cur) cur.attrs[a[1]!] = a[2]!.trim();
  }
  return out;
}

export class Cluster {
  readonly nodes = new Map<string, CalicoNode>();
  rr?: Proc;

  constructor(
    private readonly t: T,
    readonly block: LoopbackBlock,
    readonly etcd: EtcdCluster,
    readonly ds: CalicoDatastore,
    readonly dir: string,
  ) {}

  get rrAddress(): string {
    return this.block.addr(1);
  }

  get socket(): string {
    return join(this.dir, 'control.sock');
  }

  nodeSpec(i: number): NodeSpec {
    return { name: `n${i}`, ipv4: `${this.block.addr(i)}/16`, blocks: [`172.16.${i}.0/24`] };
  }

  /** `bgp-rr run` with this cluster's settings. */
  startReflector(extra: readonly string[] = []): Proc {
    const a = this.rrAddress;
    this.rr = spawnProc(this.t, process.execPath, [
      ...BGP_RR, 'run',
      '--etcd-endpoints', this.etcd.endpoints.join(','),
      '--router-id', a,
      '--cluster-id', CLUSTER_ID,
      '--listen', a,
      '--name', `rr-${this.block.n}`,
      '--control-socket', this.socket,
      '--metrics-address', `${a}:9179`,
      '--hold-time', '9',
      '--selection-deferral', '10',
      ...extra,
    ], { name: 'bgp-rr', killTimeoutMs: 10_000 });
    return this.rr;
  }

  /** Waits until `bgp-rr status` answers. */
  async reflectorReady(): Promise<void> {
    await waitFor(async () => {
      if (this.rr && !this.rr.running) throw new Error(`bgp-rr exited:\n${this.rr.output.slice(-3000)}`);
      return (await this.cli(['status', '--json'])).code === 0;
    }, { what: 'bgp-rr control socket', timeoutMs: 30_000, intervalMs: 300 });
  }

  /** Starts node i's BIRD; `alsoAnnounce`: prefixes it announces beyond its own blocks (a misbehaving node). */
  async startNode(i: number, alsoAnnounce: readonly string[] = []): Promise<CalicoNode> {
    const s = this.nodeSpec(i);
    const n = await startCalicoNode(this.t, { name: s.name, flavor: 'bird1', ipv4: this.block.addr(i), blocks4: [...s.blocks, ...alsoAnnounce], reflectors4: [this.rrAddress], dir: this.dir, listenAddress: true });
    this.nodes.set(s.name, n);
    return n;
  }

  /** bgp-rr CLI (from source) against this replica's socket. */
  cli(args: readonly string[]): Promise<RunResult> {
    return run(process.execPath, [...BGP_RR, ...args, '--control-socket', this.socket], { timeoutMs: 20_000 });
  }

  async json<R>(args: readonly string[]): Promise<R> {
    const r = await this.cli([...args, '--json']);
    if (r.code !== 0) throw new Error(`bgp-rr ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as R;
  }

  /** BGP routes a node holds, with their attributes. */
  async birdRoutes(name: string): Promise<Map<string, BirdRoute>> {
    const r = await this.nodes.get(name)!.birdc(['show', 'route', 'all', 'where', 'source', '=', 'RTS_BGP']);
    return parseShowRouteAll(r.stdout);
  }

  /** Waits until `name` holds exactly `prefixes` from BGP. */
  async waitRoutes(name: string, prefixes: readonly string[], timeoutMs = 60_000): Promise<Map<string, BirdRoute>> {
    const want = [...prefixes].sort().join(' ');
    let last = '';
    return waitFor(async () => {
      const r = await this.birdRoutes(name);
      last = [...r.keys()].sort().join(' ');
      return last === want ? r : undefined;
    }, { what: `${name} holds [${want}] (has [${last}])`, timeoutMs, intervalMs: 250 });
  }
}

/** etcd + datastore with nodes n2..n(1+count), pool 172.16.0.0/16, one BGPPeer for the replica. */
export async function cluster(t: T, nodeIds: readonly number[]): Promise<Cluster> {
  const block = await leaseLoopbackBlock(t);
  const etcd = await startEtcd(t, { block });
  const ds = new CalicoDatastore(etcd);
  const c = new Cluster(t, block, etcd, ds, tmpDir(t, 'rr-'));
  await ds.seed({
    pools: [{ name: 'pool4', cidr: '172.16.0.0/16', blockSize: 24 }],
    reflectors: [{ name: 'rr-1', peerIP: c.rrAddress }],
    nodes: nodeIds.map((i) => c.nodeSpec(i)),
  });
  return c;
}
