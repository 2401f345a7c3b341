/**
 * The integration-test world: a Calico cluster of BIRD nodes and three bgp-rr
 * replicas, all in network namespaces on one LAN (a bridge in a hub namespace), and a
 * three-member etcd holding the Calico datastore, one member on each reflector host.
 *
 *   LAN 10.L.0.0/16, fd00:L::/64
 *     reflector host i (i = 1..3): 10.L.0.i, fd00:L::i   etcd member + `bgp-rr run`
 *     node k (k = 1..N):           10.L.1.k, fd00:L::1xx  BIRD 1.6 or BIRD 2 (calico/node)
 *   pools 172.16.0.0/16 (blocks /24: node k owns 172.16.k.0/24) and
 *         fd10::/48 (blocks /120: node k owns fd10::k00/120)
 *
 * Nothing is configured in the root namespace; everything is torn down with the test.
 */
import type { BirdFlavor, CalicoNode } from '../../harness/calico-node.js';
import { CalicoNode as Node } from '../../harness/calico-node.js';
import { CalicoDatastore, type NodeSpec, type ReflectorPeer } from '../../harness/calico-cluster.js';
import { createLan, createNetns, tmpDir, type Lan, type Netns, type Teardown } from '../../harness/index.js';
import { startNetnsEtcd, type NetnsEtcd } from './etcd-netns.js';
import { Replica } from './replica.js';

export const POOL4 = { name: 'default-ipv4-ippool', cidr: '172.16.0.0/16', blockSize: 24 };
export const POOL6 = { name: 'default-ipv6-ippool', cidr: 'fd10::/48', blockSize: 120 };
export const CLUSTER_ID = '244.0.0.1';

export interface FabricOptions {
  /** One entry per node: its BIRD. */
  nodes: readonly BirdFlavor[];
  /** Nodes also announce IPv6 blocks and peer over IPv6 (default false). */
  ipv6?: boolean;
  replicas?: number;
  /** Hold time the replicas offer (BIRD takes the smaller one). */
  holdTime?: number;
  /** Nodes (by index) written to etcd but not started; add them later with addNode(). */
  pending?: readonly number[];
  echo?: boolean;
}

export interface FabricNode {
  readonly index: number;
  readonly spec: NodeSpec;
  readonly ns: Netns;
  readonly bird: CalicoNode;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly block4: string;
  readonly block6: string;
  readonly flavor: BirdFlavor;
}

export interface ReflectorHost {
  readonly ns: Netns;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly replica: Replica;
}

export class Fabric {
  readonly nodes = new Map<number, FabricNode>();

  private constructor(
    readonly t: Teardown,
    readonly opts: FabricOptions,
    readonly lan: Lan,
    readonly hosts: readonly ReflectorHost[],
    readonly etcd: NetnsEtcd,
    readonly datastore: CalicoDatastore,
    readonly dir: string,
  ) {}

  static async start(t: Teardown, opts: FabricOptions): Promise<Fabric> {
    const dir = tmpDir(t, 'fab-');
    const lan = await createLan(t);
    const hostNs: { ns: Netns; ipv4: string; ipv6: string }[] = [];
    for (let i = 1; i <= (opts.replicas ?? 3); i++) {
      const ns = await createNetns(t);
      const e = await lan.attach(ns, i);
      hostNs.push({ ns, ipv4: e.ipv4, ipv6: e.ipv6 });
    }
    const etcd = await startNetnsEtcd(t, hostNs.map((h) => ({ ns: h.ns, address: h.ipv4 })));
    const hosts = hostNs.map((h, i) => ({
      ...h,
      replica: new Replica(t, {
        ns: h.ns,
        name: `rr-${i + 1}`,
        addresses: opts.ipv6 ? [h.ipv4, h.ipv6] : [h.ipv4],
        etcdEndpoints: etcd.endpoints,
        clusterId: CLUSTER_ID,
        routerId: h.ipv4,
        dir,
        holdTime: opts.holdTime ?? 9,
        echo: opts.echo,
      }),
    }));
    const datastore = new CalicoDatastore(etcd.writer);
    const fabric = new Fabric(t, opts, lan, hosts, etcd, datastore, dir);
    const pending = new Set(opts.pending ?? []);
    const all = opts.nodes.map((_, k) => fabric.nodeSpec(k + 1));
    await datastore.seed({
      pools: opts.ipv6 ? [POOL4, POOL6] : [POOL4],
      reflectors: fabric.reflectorPeers(),
      nodes: all.filter((_, k) => !pending.has(k + 1)),
    });
    await Promise.all(hosts.map((h) => h.replica.start()));
    for (let k = 1; k <= opts.nodes.length; k++) if (!pending.has(k)) await fabric.startNode(k);
    return fabric;
  }

  /** One BGPPeer per replica address: rr-<i> (IPv4) and rr-<i>-v6, all nodes. */
  reflectorPeers(): ReflectorPeer[] {
    return this.hosts.flatMap((h, i) => [
      { name: `rr-${i + 1}`, peerIP: h.ipv4 },
      ...(this.opts.ipv6 ? [{ name: `rr-${i + 1}-v6`, peerIP: h.ipv6 }] : []),
    ]);
  }

  get replicas(): Replica[] {
    return this.hosts.map((h) => h.replica);
  }

  flavorOf(k: number): BirdFlavor {
    const f = this.opts.nodes[k - 1];
    if (f === undefined) throw new RangeError(`no node ${k}`);
    return f;
  }

  nodeSpec(k: number): NodeSpec {
    return {
      name: `node-${k}`,
      ipv4: `${this.lan.ipv4(256 + k)}/16`,
      ...(this.opts.ipv6 ? { ipv6: `${this.lan.ipv6(256 + k)}/64` } : {}),
      blocks: [block4(k), ...(this.opts.ipv6 ? [block6(k)] : [])],
      labels: { rack: `r${k % 2}` },
    };
  }

  /** Creates node k's namespace and starts its BIRD (it must be in etcd for sessions to come up). */
  async startNode(k: number): Promise<FabricNode> {
    const ns = await createNetns(this.t);
    const e = await this.lan.attach(ns, 256 + k);
    const flavor = this.flavorOf(k);
    const spec = this.nodeSpec(k);
    const bird = new Node(this.t, {
      name: spec.name,
      flavor,
      ipv4: e.ipv4,
      ...(this.opts.ipv6 ? { ipv6: e.ipv6 } : {}),
      blocks4: [block4(k)],
      blocks6: this.opts.ipv6 ? [block6(k)] : [],
      reflectors4: this.hosts.map((h) => h.ipv4),
      reflectors6: this.opts.ipv6 ? this.hosts.map((h) => h.ipv6) : [],
      dir: this.dir,
      ns,
      kernel: true,
      echo: this.opts.echo,
    });
    await bird.start();
    const node: FabricNode = { index: k, spec, ns, bird, ipv4: e.ipv4, ipv6: e.ipv6, block4: block4(k), block6: block6(k), flavor };
    this.nodes.set(k, node);
    return node;
  }

  /** A new node: registered in etcd (Node, blocks, affinities), then its BIRD started. */
  async addNode(k: number): Promise<FabricNode> {
    await this.datastore.addNode(this.nodeSpec(k));
    return this.startNode(k);
  }

  /** `calicoctl delete node`: the node leaves etcd; its BIRD keeps running (and keeps dialling). */
  async deleteNode(k: number): Promise<void> {
    await this.datastore.deleteNode(this.nodeSpec(k));
  }
}

export const block4 = (k: number): string => `172.16.${k}.0/24`;
export const block6 = (k: number): string => `fd10::${(k * 256).toString(16)}/120`;
