/**
 * The fault tests' world: one leased loopback block with a real etcd, the Calico
 * datastore as calicoctl/IPAM write it, BIRD 1.6 nodes configured as calico/node
 * configures them (test/harness/calico-node.ts), `bgp-speaker session` processes as
 * extra peers, and one `bgp-rr run` replica from source (fixtures/bgp-rr.ts).
 *
 *   127.N.0.1        the replica (router id, listen address)
 *   127.N.0.i        node n<i> (i >= 2), owning 172.16.<i>.0/24 unless told otherwise
 *   127.N.0.10..     etcd
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { leaseLoopbackBlock, REPO_ROOT, run, spawnProc, tmpDir, waitFor, type LoopbackBlock, type Proc, type RunResult } from '../harness/index.js';
import { startEtcd, type EtcdCluster } from '../harness/etcd.js';
import { CalicoDatastore, type NodeSpec } from '../harness/calico-cluster.js';
import { startCalicoNode, type CalicoNode } from '../harness/calico-node.js';
import type { PeerRow, RouteRow } from '../../packages/reflector/src/control/protocol.js';

export type { PeerRow, RouteRow };

type T = Parameters<typeof leaseLoopbackBlock>[0];

const ENTRY = fileURLToPath(new URL('./fixtures/bgp-rr.ts', import.meta.url));
const SPEAKER_ENTRY = join(REPO_ROOT, 'packages', 'bgp-speaker', 'test', 'cli', 'run-source.ts');
export const CLUSTER_ID = '244.0.0.1';
export const AS = 64512;

/** BIRD `show route where source = RTS_BGP`: prefix → next hops, from `show route all`. */
export function parseRoutes(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string | undefined;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f.:]+\/\d+)\s/i.exec(line);
    if (head) cur = head[1];
    const nh = /^\s+BGP\.next_hop:\s*(\S+)/.exec(line);
    if (nh && cur !== undefined) out.set(cur, [...(out.get(cur) ?? []), nh[1]!]);
    else if (head && cur !== undefined && !out.has(cur)) out.set(cur, []);
  }
  return out;
}

export class HardCluster {
  readonly nodes = new Map<string, CalicoNode>();
  rr: Proc | undefined;

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

  nodeSpec(i: number, blocks?: readonly string[]): NodeSpec {
    return { name: `n${i}`, ipv4: `${this.block.addr(i)}/16`, blocks: [...(blocks ?? [`172.16.${i}.0/24`])] };
  }

  /** `bgp-rr run`; `etcdEndpoints` replaces the etcd members' URLs (e.g. a proxy in front of them). */
  startReflector(extra: readonly string[] = [], etcdEndpoints: readonly string[] = this.etcd.endpoints): Proc {
    const a = this.rrAddress;
    this.rr = spawnProc(this.t, process.execPath, [
      '--conditions=bgp-rr-source', '--import', 'tsx', ENTRY, 'run',
      '--etcd-endpoints', etcdEndpoints.join(','),
      '--router-id', a,
      '--cluster-id', CLUSTER_ID,
      '--listen', a,
      '--name', `rr-${this.block.n}`,
      '--control-socket', this.socket,
      '--metrics-address', `${a}:9179`,
      '--selection-deferral', '5',
      ...extra,
    ], { name: 'bgp-rr', killTimeoutMs: 10_000 });
    return this.rr;
  }

  async reflectorReady(): Promise<void> {
    await waitFor(async () => {
      if (this.rr && !this.rr.running) throw new Error(`bgp-rr exited:\n${this.rr.output.slice(-3000)}`);
      return (await this.cli(['status', '--json'])).code === 0;
    }, { what: 'bgp-rr control socket', timeoutMs: 60_000, intervalMs: 300 });
  }

  /** Node i's BIRD 1.6; `announce` replaces the prefixes it announces (default: its blocks). */
  async startNode(i: number, announce?: readonly string[], name = `n${i}`): Promise<CalicoNode> {
    const blocks4 = announce ?? this.nodeSpec(i).blocks;
    const n = await startCalicoNode(this.t, { name, flavor: 'bird1', ipv4: this.block.addr(i), blocks4, reflectors4: [this.rrAddress], dir: this.dir, listenAddress: true });
    this.nodes.set(name, n);
    return n;
  }

  /** A `bgp-speaker session` peer dialling the replica from address i (JSON events on stdout). */
  startSpeaker(i: number, opts: { announce?: readonly string[]; holdTime?: number; name?: string } = {}): Proc {
    const a = this.block.addr(i);
    const args = [
      '--conditions=bgp-rr-source', '--import', 'tsx', SPEAKER_ENTRY, 'session',
      '--local-address', a, '--peer-address', this.rrAddress,
      '--local-as', String(AS), '--peer-as', String(AS), '--router-id', a,
      '--hold-time', String(opts.holdTime ?? 240), '--add-path',
      ...(opts.announce ?? []).flatMap((p) => ['--announce', p]),
    ];
    return spawnProc(this.t, process.execPath, args, { name: opts.name ?? `speaker-${i}` });
  }

  cli(args: readonly string[]): Promise<RunResult> {
    return run(process.execPath, ['--conditions=bgp-rr-source', '--import', 'tsx', ENTRY, ...args, '--control-socket', this.socket], { timeoutMs: 30_000 });
  }

  async json<R>(args: readonly string[]): Promise<R> {
    const r = await this.cli([...args, '--json']);
    if (r.code !== 0) throw new Error(`bgp-rr ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as R;
  }

  async birdRoutes(name: string): Promise<Map<string, string[]>> {
    const r = await this.nodes.get(name)!.birdc(['show', 'route', 'all', 'where', 'source', '=', 'RTS_BGP']);
    if (r.code !== 0) throw new Error(`${name}: birdc: ${r.stderr || r.stdout}`);
    return parseRoutes(r.stdout);
  }

  /** Waits until `name` holds exactly `prefixes` from BGP; returns them with next hops. */
  async waitRoutes(name: string, prefixes: readonly string[], timeoutMs = 90_000): Promise<Map<string, string[]>> {
    const want = [...prefixes].sort().join(' ');
    let last = '';
    return waitFor(async () => {
      const r = await this.birdRoutes(name);
      last = [...r.keys()].sort().join(' ');
      return last === want ? r : undefined;
    }, { what: `${name} holds [${want.slice(0, 300)}] (has [${last.slice(0, 300)}])`, timeoutMs, intervalMs: 300 });
  }

  async peers(): Promise<PeerRow[]> {
    return this.json<PeerRow[]>(['peers']);
  }

  async waitEstablished(names: readonly string[], timeoutMs = 90_000): Promise<PeerRow[]> {
    return waitFor(async () => {
      const rows = await this.peers();
      return names.every((n) => rows.some((r) => r.node === n && r.state === 'Established')) ? rows : undefined;
    }, { what: `sessions Established: ${names.join(', ')}`, timeoutMs, intervalMs: 300 });
  }

  /** Resident memory of the replica process (kB), from /proc. */
  rssKb(): number {
    const pid = this.rr?.pid;
    if (pid === undefined) return 0;
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0);
  }
}

/** etcd + datastore: pool 172.16.0.0/16 (blocks /24), one BGPPeer for the replica, the nodes. */
export async function hardCluster(t: T, nodes: readonly NodeSpec[] | ((c: HardCluster) => readonly NodeSpec[])): Promise<HardCluster> {
  const block = await leaseLoopbackBlock(t);
  const etcd = await startEtcd(t, { block });
  const ds = new CalicoDatastore(etcd);
  const c = new HardCluster(t, block, etcd, ds, tmpDir(t, 'hard-'));
  await ds.seed({
    pools: [{ name: 'pool4', cidr: '172.16.0.0/16', blockSize: 24 }],
    reflectors: [{ name: 'rr-1', peerIP: c.rrAddress }],
    nodes: typeof nodes === 'function' ? nodes(c) : nodes,
  });
  return c;
}
