/**
 * A Calico cluster in a real etcd, written exactly as calicoctl and Calico's IPAM
 * write it (docs/calico-datastore.md §1-§2, libcalico-go etcdv3 backend):
 *   - v3 resources at /calico/resources/v3/projectcalico.org/<plural>/<name>, compact
 *     JSON {kind, apiVersion, metadata{name, uid, creationTimestamp, labels}, spec};
 *   - IPAM blocks at /calico/ipam/v2/assignment/ipv4|ipv6/block/<cidr with - for />
 *     with affinity "host:<node>", and the host affinity key
 *     /calico/ipam/v2/host/<node>/ipv4|ipv6/block/<cidr-dashed> {"state":"confirmed",...}.
 * The route-reflector design: BGPConfiguration default with the mesh off and AS
 * 64512, one BGPPeer per reflector replica address with no node selector (all nodes).
 *
 * ```ts
 * const ds = new CalicoDatastore(etcdctlWriter(...)); // or any { put, del }
 * await ds.seed({ pools: [{ name: 'pool4', cidr: '172.16.0.0/16', blockSize: 24 }],
 *   reflectors: [{ name: 'rr-1', peerIP: '10.1.0.1' }], nodes: [{ name: 'n1', ipv4: '10.1.1.1/16', blocks: ['172.16.1.0/24'] }] });
 * ```
 */
import { randomUUID } from 'node:crypto';
import type { RunResult } from './proc.js';

export const RESOURCE_ROOT = '/calico/resources/v3/projectcalico.org';
export const IPAM_ROOT = '/calico/ipam/v2';
export const DEFAULT_AS = 64512;

/** Where the resources go: an etcd3 client wrapper, the etcd harness, or etcdctl. */
export interface KeyValueWriter {
  put(key: string, value: string): Promise<unknown>;
  del(key: string): Promise<unknown>;
  /** Many writes at once (one etcd transaction where the writer can); default: one by one. */
  batch?(ops: readonly KvOp[]): Promise<unknown>;
}

export type KvOp = { op: 'put'; key: string; value: string } | { op: 'del'; key: string };

export interface PoolSpec {
  name: string;
  cidr: string;
  blockSize: number;
  disabled?: boolean;
  disableBGPExport?: boolean;
}

export interface NodeSpec {
  name: string;
  /** "10.1.1.5/16" (address with the node subnet's mask). */
  ipv4?: string;
  ipv6?: string;
  /** Affine IPAM blocks (IPv4 and IPv6), masked CIDRs. */
  blocks: readonly string[];
  labels?: Record<string, string>;
  asNumber?: number;
}

export interface BGPPeerSpec {
  /** "10.1.0.1", "10.1.0.1:1179", "[fd00:1::1]:1179". */
  peerIP: string;
  asNumber?: number;
  node?: string;
  nodeSelector?: string;
  maxRestartTime?: string;
  keepaliveTime?: string;
}

export interface ReflectorPeer {
  /** The BGPPeer name, e.g. "rr-1" or "rr-1-v6". */
  name: string;
  peerIP: string;
}

export interface ClusterSpec {
  asNumber?: number;
  pools: readonly PoolSpec[];
  reflectors: readonly ReflectorPeer[];
  nodes: readonly NodeSpec[];
}

// --- keys (libcalico-go model/resource.go, block.go, block_affinity.go) ---

export const resourceKey = (plural: string, name: string): string => `${RESOURCE_ROOT}/${plural}/${name}`;

const familyDir = (cidr: string): string => (cidr.includes(':') ? 'ipv6' : 'ipv4');
const dashed = (cidr: string): string => cidr.replace('/', '-');

export const blockKey = (cidr: string): string => `${IPAM_ROOT}/assignment/${familyDir(cidr)}/block/${dashed(cidr)}`;
export const affinityKey = (node: string, cidr: string): string => `${IPAM_ROOT}/host/${node}/${familyDir(cidr)}/block/${dashed(cidr)}`;

// --- values ---

/** RFC 3339 without fractions, as Kubernetes metav1.Time marshals. */
function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A v3 resource as calicoctl creates it: resourceVersion cleared, uid and creationTimestamp set. */
export function resource(kind: string, name: string, spec: object, labels?: Record<string, string>, status?: object): string {
  const metadata: Record<string, unknown> = { name, uid: randomUUID(), creationTimestamp: now() };
  if (labels !== undefined && Object.keys(labels).length > 0) metadata.labels = labels;
  const obj: Record<string, unknown> = { kind, apiVersion: 'projectcalico.org/v3', metadata, spec };
  if (status !== undefined) obj.status = status;
  return JSON.stringify(obj);
}

export function nodeValue(n: NodeSpec): string {
  const bgp: Record<string, unknown> = {};
  if (n.ipv4 !== undefined) bgp.ipv4Address = n.ipv4;
  if (n.ipv6 !== undefined) bgp.ipv6Address = n.ipv6;
  if (n.asNumber !== undefined) bgp.asNumber = n.asNumber;
  const labels = { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', ...n.labels };
  return resource('Node', n.name, { bgp, orchRefs: [{ nodeName: n.name, orchestrator: 'k8s' }] }, labels, {});
}

export function poolValue(p: PoolSpec): string {
  const spec: Record<string, unknown> = {
    cidr: p.cidr,
    vxlanMode: 'Never',
    ipipMode: 'Never',
    natOutgoing: true,
    blockSize: p.blockSize,
    nodeSelector: 'all()',
    allowedUses: ['Workload', 'Tunnel'],
    assignmentMode: 'Automatic',
  };
  if (p.disabled) spec.disabled = true;
  if (p.disableBGPExport) spec.disableBGPExport = true;
  return resource('IPPool', p.name, spec);
}

export function bgpPeerValue(name: string, p: BGPPeerSpec): string {
  const spec: Record<string, unknown> = { peerIP: p.peerIP, asNumber: p.asNumber ?? DEFAULT_AS };
  if (p.node !== undefined) spec.node = p.node;
  if (p.nodeSelector !== undefined) spec.nodeSelector = p.nodeSelector;
  if (p.maxRestartTime !== undefined) spec.maxRestartTime = p.maxRestartTime;
  if (p.keepaliveTime !== undefined) spec.keepaliveTime = p.keepaliveTime;
  return resource('BGPPeer', name, spec);
}

/** Number of addresses in a block (IPv4 /N: 2^(32-N); IPv6 /N: 2^(128-N)). */
function blockAddresses(cidr: string): number {
  const len = Number(cidr.split('/')[1]);
  const bits = (cidr.includes(':') ? 128 : 32) - len;
  if (!Number.isInteger(len) || bits < 0 || bits > 16) throw new RangeError(`block ${cidr}: unsupported size`);
  return 2 ** bits;
}

/** An IPAM block claimed by node (model/block.go), every address free. */
export function blockValue(cidr: string, node: string): string {
  const n = blockAddresses(cidr);
  return JSON.stringify({
    cidr,
    affinity: `host:${node}`,
    affinity_claim_time: now(),
    allocations: new Array<null>(n).fill(null),
    unallocated: Array.from({ length: n }, (_, i) => i),
    attributes: [],
    sequenceNumber: 0,
    sequenceNumberForAllocation: {},
    deleted: false,
  });
}

export const AFFINITY_CONFIRMED = JSON.stringify({ state: 'confirmed', deleted: false });

// --- the datastore ---

export class CalicoDatastore {
  constructor(readonly writer: KeyValueWriter) {}

  /** Writes the whole cluster: singletons, pools, one BGPPeer per reflector address, nodes. */
  async seed(spec: ClusterSpec): Promise<void> {
    const as = spec.asNumber ?? DEFAULT_AS;
    const ops: KvOp[] = [
      put(resourceKey('clusterinformations', 'default'), resource('ClusterInformation', 'default', { clusterGUID: randomUUID().replace(/-/g, ''), calicoVersion: 'v3.31.0', datastoreReady: true })),
      put(resourceKey('bgpconfigurations', 'default'), resource('BGPConfiguration', 'default', { logSeverityScreen: 'Info', nodeToNodeMeshEnabled: false, asNumber: as })),
      put(`${IPAM_ROOT}/config`, JSON.stringify({ strict_affinity: false, auto_allocate_blocks: true })),
      ...spec.pools.map((p) => put(resourceKey('ippools', p.name), poolValue(p))),
      ...spec.reflectors.map((r) => put(resourceKey('bgppeers', r.name), bgpPeerValue(r.name, { peerIP: r.peerIP, asNumber: as }))),
      ...spec.nodes.flatMap(nodeOps),
    ];
    await this.#apply(ops);
  }

  /** A new node as calico/node registers it: the Node, then its blocks and affinities. */
  async addNode(n: NodeSpec): Promise<void> {
    await this.#apply(nodeOps(n));
  }

  /** `calicoctl delete node`: releases the node's blocks and affinities, then the Node. */
  async deleteNode(n: Pick<NodeSpec, 'name' | 'blocks'>): Promise<void> {
    await this.#apply([
      ...n.blocks.flatMap((b): KvOp[] => [del(affinityKey(n.name, b)), del(blockKey(b))]),
      del(resourceKey('nodes', n.name)),
    ]);
  }

  /** `calicoctl apply` of a BGPPeer (create or replace). */
  async putBGPPeer(name: string, p: BGPPeerSpec): Promise<void> {
    await this.writer.put(resourceKey('bgppeers', name), bgpPeerValue(name, p));
  }

  async deleteBGPPeer(name: string): Promise<void> {
    await this.writer.del(resourceKey('bgppeers', name));
  }

  async #apply(ops: readonly KvOp[]): Promise<void> {
    if (this.writer.batch !== undefined) {
      await this.writer.batch(ops);
      return;
    }
    for (const o of ops) {
      if (o.op === 'put') await this.writer.put(o.key, o.value);
      else await this.writer.del(o.key);
    }
  }
}

function put(key: string, value: string): KvOp {
  return { op: 'put', key, value };
}
function del(key: string): KvOp {
  return { op: 'del', key };
}

function nodeOps(n: NodeSpec): KvOp[] {
  return [
    put(resourceKey('nodes', n.name), nodeValue(n)),
    ...n.blocks.flatMap((b) => [put(blockKey(b), blockValue(b, n.name)), put(affinityKey(n.name, b), AFFINITY_CONFIRMED)]),
  ];
}

/** Runs etcdctl somewhere (e.g. inside a network namespace) and returns its result. */
export type EtcdctlRunner = (args: readonly string[], input?: string) => Promise<RunResult>;

/** etcdctl (v3 API) as a writer; batches go in transactions of at most 100 operations. */
export function etcdctlWriter(run: EtcdctlRunner, endpoints: readonly string[]): KeyValueWriter {
  const base = [`--endpoints=${endpoints.join(',')}`, '--dial-timeout=3s', '--command-timeout=10s'];
  const must = async (args: readonly string[], input?: string): Promise<RunResult> => {
    let last: RunResult | undefined;
    // A member may be down or an election under way: retry a few times.
    for (let attempt = 0; attempt < 20; attempt++) {
      last = await run([...base, ...args], input);
      if (last.code === 0) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`etcdctl ${args[0] ?? ''} failed: ${last?.stderr.trim() ?? ''}`);
  };
  return {
    put: (key, value) => must(['put', key, value]),
    del: (key) => must(['del', key]),
    async batch(ops) {
      for (let i = 0; i < ops.length; i += 100) {
        // etcdctl txn reads: compares, blank line, success requests, blank line, failure requests.
        // Values are Go double-quoted strings (Argify + strconv.Unquote); JSON.stringify of ASCII fits.
        const lines = ops.slice(i, i + 100).map((o) => (o.op === 'put' ? `put ${o.key} ${JSON.stringify(o.value)}` : `del ${o.key}`));
        const res = await must(['txn'], `\n${lines.join('\n')}\n\n\n`);
        if (!/^SUCCESS/m.test(res.stdout)) throw new Error(`etcdctl txn did not succeed: ${res.stdout.slice(0, 500)}`);
      }
    },
  };
}
