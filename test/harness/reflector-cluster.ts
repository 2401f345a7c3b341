/**
 * One bgp-rr replica in a small Calico cluster on one leased loopback block, for the
 * daemon tests (packages/reflector/test/daemon) and the fault tests (test/hardening):
 * a real etcd (one member, or three), the Calico datastore as calicoctl and IPAM write
 * it, BIRD nodes configured as calico/node configures them (calico-node.ts),
 * `bgp-speaker session` processes as extra peers, and `bgp-rr run` from its bin
 * (bgp-rr.ts), with its CLI on the control socket.
 *
 *   127.N.0.1        the replica (router id, listen address, metrics :9179)
 *   127.N.0.i        node n<i> (i >= 2), owning 172.16.<i>.0/24 unless told otherwise
 *   127.N.0.10..     etcd
 *
 * ```ts
 * const c = await startReflectorCluster(t, { nodes: [2, 3] });   // n2, n3 in the datastore
 * c.startReflector(['--max-prefixes', '20']);
 * await c.reflectorReady();
 * await c.startNode(2); await c.startNode(3);
 * const routes = await c.waitRoutes('n2', ['172.16.3.0/24']);    // prefix -> BIRD paths
 * ```
 * The three-replica world in network namespaces is test/reflector/lib (Fabric); it
 * starts replicas, runs the CLI and reads BIRD with the same pieces.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { leaseLoopbackBlock, type LoopbackBlock } from './addresses.js';
import { BgpRrCli, spawnBgpRr } from './bgp-rr.js';
import { parseBirdRoutes, type BirdRoutes } from './bird-routes.js';
import { CalicoDatastore, type NodeSpec } from './calico-cluster.js';
import { startCalicoNode, type BirdFlavor, type CalicoNode } from './calico-node.js';
import type { Teardown } from './cleanup.js';
import { startEtcd, type EtcdCluster } from './etcd.js';
import { spawnProc, tmpDir, waitFor, type Proc, type RunResult } from './proc.js';
import { REPO_ROOT } from './tools.js';
import type { PeerRow } from '../../packages/reflector/src/control/protocol.js';

export const CLUSTER_ID = '244.0.0.1';
export const AS = 64512;
export const POOL4 = { name: 'pool4', cidr: '172.16.0.0/16', blockSize: 24 };

/** Flags startReflector passes unless its `args` set them (short timers: tests wait less). */
const REFLECTOR_DEFAULTS: Readonly<Record<string, string>> = { '--hold-time': '9', '--selection-deferral': '5' };

const SPEAKER_ENTRY = join(REPO_ROOT, 'packages', 'bgp-speaker', 'test', 'cli', 'run-source.ts');

/** Node i's own block. */
export const nodeBlock = (i: number): string => `172.16.${i}.0/24`;

export interface ReflectorClusterOptions {
  /**
   * The nodes written to the datastore at the start: node numbers i (n<i> at
   * 127.N.0.i owning 172.16.i.0/24), or specs made from the cluster (c.nodeSpec).
   */
  nodes: readonly number[] | ((c: ReflectorCluster) => readonly NodeSpec[]);
  /** etcd members (default 1). */
  etcdMembers?: number;
}

export interface NodeOptions {
  /** Prefixes the node announces (default: its own block); a misbehaving node announces more. */
  announce?: readonly string[];
  /** Its name (default n<i>): a node unknown to the datastore is a stranger. */
  name?: string;
  /** BIRD 1.6 as calico/node runs it (default), or BIRD 2. */
  flavor?: BirdFlavor;
  /** BIRD's router id (default the node's address; calico/node's CALICO_ROUTER_ID). */
  routerId?: string;
  /** BIRD 2: IPv4 and IPv6 channels on the one session (calico-node.ts `multiprotocol`). */
  multiprotocol?: boolean;
}

export interface SpeakerOptions {
  announce?: readonly string[];
  holdTime?: number;
  name?: string;
  /** Pipe its stdin (proc.stdin) for command lines such as `refresh ipv4` (default: none). */
  stdin?: boolean;
}

/** etcd, the datastore (pool 172.16.0.0/16 in /24 blocks, one BGPPeer for the replica, the nodes), no replica yet. */
export async function startReflectorCluster(t: Teardown, opts: ReflectorClusterOptions): Promise<ReflectorCluster> {
  const block = await leaseLoopbackBlock(t);
  const etcd = await startEtcd(t, { block, members: opts.etcdMembers ?? 1 });
  const ds = new CalicoDatastore(etcd);
  const c = new ReflectorCluster(t, block, etcd, ds, tmpDir(t, 'rr-'));
  await ds.seed({
    pools: [POOL4],
    reflectors: [{ name: 'rr-1', peerIP: c.rrAddress }],
    nodes: typeof opts.nodes === 'function' ? opts.nodes(c) : opts.nodes.map((i) => c.nodeSpec(i)),
  });
  return c;
}

export class ReflectorCluster {
  readonly nodes = new Map<string, CalicoNode>();
  /** The replica's process, once started (the latest one after a restart). */
  rr: Proc | undefined;
  readonly cliOf: BgpRrCli;

  constructor(
    private readonly t: Teardown,
    readonly block: LoopbackBlock,
    readonly etcd: EtcdCluster,
    readonly ds: CalicoDatastore,
    readonly dir: string,
  ) {
    this.cliOf = new BgpRrCli(this.socket);
  }

  get rrAddress(): string {
    return this.block.addr(1);
  }

  get socket(): string {
    return join(this.dir, 'control.sock');
  }

  /** Node i as the datastore knows it: n<i>, its address with the block's /16, its blocks (default its own). */
  nodeSpec(i: number, blocks: readonly string[] = [nodeBlock(i)]): NodeSpec {
    return { name: `n${i}`, ipv4: `${this.block.addr(i)}/16`, blocks: [...blocks] };
  }

  /**
   * `bgp-rr run` for this cluster: router id and listen address 127.N.0.1, cluster id
   * 244.0.0.1, the etcd members (or `etcdEndpoints`, e.g. a proxy in front of them),
   * hold time 9 s and selection deferral 5 s unless `args` set them.
   */
  startReflector(args: readonly string[] = [], opts: { etcdEndpoints?: readonly string[] } = {}): Proc {
    const a = this.rrAddress;
    const defaults = Object.entries(REFLECTOR_DEFAULTS).filter(([flag]) => !args.includes(flag)).flat();
    this.rr = spawnBgpRr(this.t, [
      'run',
      '--etcd-endpoints', (opts.etcdEndpoints ?? this.etcd.endpoints).join(','),
      '--router-id', a,
      '--cluster-id', CLUSTER_ID,
      '--listen', a,
      '--name', `rr-${this.block.n}`,
      '--control-socket', this.socket,
      '--metrics-address', `${a}:9179`,
      ...defaults,
      ...args,
    ]);
    return this.rr;
  }

  /** Waits until `bgp-rr status` answers; throws with its output if the replica exits first. */
  reflectorReady(timeoutMs = 60_000): Promise<void> {
    return this.cliOf.ready(this.rr, timeoutMs);
  }

  /** Node i's BIRD (BIRD 1.6 unless told), dialling the replica. */
  async startNode(i: number, opts: NodeOptions = {}): Promise<CalicoNode> {
    const name = opts.name ?? `n${i}`;
    const n = await startCalicoNode(this.t, {
      name,
      flavor: opts.flavor ?? 'bird1',
      ipv4: this.block.addr(i),
      ...(opts.routerId !== undefined ? { routerId: opts.routerId } : {}),
      ...(opts.multiprotocol !== undefined ? { multiprotocol: opts.multiprotocol } : {}),
      blocks4: opts.announce ?? [nodeBlock(i)],
      reflectors4: [this.rrAddress],
      dir: this.dir,
      listenAddress: true,
    });
    this.nodes.set(name, n);
    return n;
  }

  /** A `bgp-speaker session` peer dialling the replica from address i (JSON events on stdout). */
  startSpeaker(i: number, opts: SpeakerOptions = {}): Proc {
    const a = this.block.addr(i);
    const args = [
      '--conditions=bgp-rr-source', '--import', 'tsx', SPEAKER_ENTRY, 'session',
      '--local-address', a, '--peer-address', this.rrAddress,
      '--local-as', String(AS), '--peer-as', String(AS), '--router-id', a,
      '--hold-time', String(opts.holdTime ?? 240), '--add-path',
      ...(opts.announce ?? []).flatMap((p) => ['--announce', p]),
    ];
    return spawnProc(this.t, process.execPath, args, { name: opts.name ?? `speaker-${i}`, ...(opts.stdin ? { stdin: 'pipe' as const } : {}) });
  }

  /** `bgp-rr ARGS... --control-socket <this replica's>`. */
  cli(args: readonly string[]): Promise<RunResult> {
    return this.cliOf.run(args);
  }

  /** `bgp-rr ARGS... --json`, parsed; throws on a non-zero exit. */
  json<R>(args: readonly string[]): Promise<R> {
    return this.cliOf.json<R>(args);
  }

  peers(): Promise<PeerRow[]> {
    return this.json<PeerRow[]>(['peers']);
  }

  /** Waits until every named node's session is Established at the replica; returns the rows. */
  waitEstablished(names: readonly string[], timeoutMs = 90_000): Promise<PeerRow[]> {
    return waitFor(async () => {
      const rows = await this.peers();
      return names.every((n) => rows.some((r) => r.node === n && r.state === 'Established')) ? rows : undefined;
    }, { what: `sessions Established: ${names.join(', ')}`, timeoutMs, intervalMs: 300 });
  }

  /** The BGP routes node `name` holds: `birdc show route all where source = RTS_BGP`, parsed. */
  async birdRoutes(name: string): Promise<BirdRoutes> {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`no node ${name} started`);
    const r = await node.birdc(['show', 'route', 'all', 'where', 'source', '=', 'RTS_BGP']);
    if (r.code !== 0) throw new Error(`${name}: birdc: ${(r.stderr || r.stdout).trim()}`);
    return parseBirdRoutes(r.stdout);
  }

  /** Waits until node `name` holds exactly `prefixes` from BGP; returns its routes. */
  async waitRoutes(name: string, prefixes: readonly string[], timeoutMs = 90_000): Promise<BirdRoutes> {
    const want = [...prefixes].sort().join(' ');
    return waitFor(async () => {
      const r = await this.birdRoutes(name);
      const have = [...r.keys()].sort().join(' ');
      if (have !== want) throw new Error(`${name} has [${have.slice(0, 300)}]`); // the timeout names the last one
      return r;
    }, { what: `${name} to hold [${want.slice(0, 300)}]`, timeoutMs, intervalMs: 300 });
  }

  /** Resident memory of the replica process (kB), from /proc. */
  rssKb(): number {
    const pid = this.rr?.pid;
    if (pid === undefined) return 0;
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0);
  }
}
