/**
 * PURE: what this replica must do, derived from a snapshot.
 *
 * Calico's rule for an external route reflector (reference §2, "How an external
 * RR finds its clients", and confd bgp_processor.go):
 *  1. take every BGPPeer whose peerIP (and port, default 179) is one of this
 *     replica's addresses;
 *  2. it selects nodes by `node`, else `nodeSelector`, else all nodes;
 *  3. each selected node is reached at spec.bgp.ipv4Address, or ipv6Address when
 *     peerIP is IPv6;
 *  4. the node's AS is localASNumber, else the node's asNumber, else the global
 *     BGPConfiguration asNumber, else 64512.
 * Every such node is a route-reflector client (RFC 4456 §2), except a node that is
 * itself a reflector (spec.bgp.routeReflectorClusterID set): it is a non-client.
 * When two BGPPeers select the same node at the same address, the one whose name
 * sorts first gives the session settings. Two nodes claiming the same address: the
 * node whose name sorts first gets the session, the other is reported as skipped.
 * A node listens on listenPort: node.<name> BGPConfiguration, else default, else 179.
 */
import { DEFAULT_AS_NUMBER, DEFAULT_BGP_PORT, tryParseIp, type BGPPeer, type CalicoNode, type Cidr, type EncapMode, type Family, type SecretKeyRef, type ValidationIssue } from './resources/index.js';
import { collectionsFeeding } from './kinds.js';
import { allIssues, type Snapshot, type SnapshotDiff } from './snapshot.js';

export interface ReplicaAddress {
  readonly address: string;
  /** The port this replica accepts BGP on; default 179. */
  readonly port?: number;
}

export interface DesiredPeer {
  /** Calico node name. */
  readonly name: string;
  /** The node's BGP address (canonical text). */
  readonly address: string;
  readonly family: Family;
  /** The node's listenPort, where to dial it. */
  readonly port: number;
  /** This replica's address the node connects to (the BGPPeer peerIP). */
  readonly localAddress: string;
  readonly asNumber: number;
  readonly routeReflectorClient: boolean;
  /** Graceful-restart time in seconds (BGPPeer maxRestartTime); undefined: default. */
  readonly gracefulRestartTime?: number;
  readonly keepaliveTime?: number;
  readonly password?: SecretKeyRef;
  readonly ttlSecurity?: number;
  /** The BGPPeer objects that selected this node (sorted). */
  readonly bgpPeers: readonly string[];
}

export interface SkippedNode {
  readonly name: string;
  readonly bgpPeer: string;
  readonly reason: string;
}

export interface PoolInfo {
  readonly name: string;
  readonly cidr: Cidr;
  readonly blockSize: number;
  readonly disabled: boolean;
  readonly disableBGPExport: boolean;
  readonly ipipMode: EncapMode;
  readonly vxlanMode: EncapMode;
}

export interface DesiredConfig {
  readonly revision: number;
  /** Global AS: BGPConfiguration default asNumber, else 64512. */
  readonly asNumber: number;
  /** BGPConfiguration default nodeToNodeMeshEnabled, else true (Calico's default; a reflector design sets it false). */
  readonly nodeToNodeMeshEnabled: boolean;
  readonly peers: readonly DesiredPeer[];
  readonly skipped: readonly SkippedNode[];
  readonly pools: readonly PoolInfo[];
  /** Block CIDR -> owning node (IPAM affinity). */
  readonly blockOwners: ReadonlyMap<string, string>;
  /** Borrowed address -> node using it (an address of one node's block used on another). */
  readonly borrowed: ReadonlyMap<string, string>;
  readonly issues: readonly ValidationIssue[];
}

/** Calico's default: the full mesh is on unless BGPConfiguration default turns it off. */
export function nodeToNodeMeshEnabled(s: Snapshot): boolean {
  return s.configs.get('default')?.value.nodeToNodeMeshEnabled ?? true;
}

export function globalAsNumber(s: Snapshot): number {
  return s.configs.get('default')?.value.asNumber ?? DEFAULT_AS_NUMBER;
}

/** listenPort: node-specific BGPConfiguration, then the global one, then 179. */
export function nodeListenPort(s: Snapshot, node: string): number {
  return s.configs.get(`node.${node}`)?.value.listenPort ?? s.configs.get('default')?.value.listenPort ?? DEFAULT_BGP_PORT;
}

/** What deriveConfig may reuse: the previous result, and the diff between the two snapshots. */
export interface PreviousDerivation {
  readonly snapshot: Snapshot;
  readonly config: DesiredConfig;
  /** The diff from previous.snapshot to the new one: lets a Node change re-derive only that node. */
  readonly diff?: SnapshotDiff;
}

/** Reuses parts of `previous` whose inputs (copy-on-write maps) did not change. */
export function deriveConfig(s: Snapshot, replica: readonly ReplicaAddress[], previous?: PreviousDerivation): DesiredConfig {
  const same = <K extends keyof Snapshot>(...ks: readonly K[]): boolean => previous !== undefined && ks.every((k) => previous.snapshot[k] === s[k]);
  const prev = previous?.config;
  let res: { peers: readonly DesiredPeer[]; skipped: readonly SkippedNode[] } | undefined;
  const peerInputs = collectionsFeeding('peers');
  if (prev !== undefined && same(...peerInputs)) res = prev;
  // The diff is used only when it leads from previous.snapshot to s (a caller that
  // missed an update gets a full derivation, never a wrong incremental one).
  const diff = previous?.diff;
  const diffFits = diff !== undefined && previous !== undefined && diff.fromRevision === previous.snapshot.revision && diff.toRevision === s.revision;
  if (res === undefined && prev !== undefined && diffFits && same(...peerInputs.filter((c) => c !== 'nodes'))) res = rederiveNodes(s, replica, prev, diff);
  res ??= derivePeers(s, replica);
  return {
    revision: s.revision,
    asNumber: globalAsNumber(s),
    nodeToNodeMeshEnabled: nodeToNodeMeshEnabled(s),
    peers: res.peers,
    skipped: res.skipped,
    pools: prev !== undefined && same('pools') ? prev.pools : derivePools(s),
    ...(prev !== undefined && same('blocks', 'affinities') ? { blockOwners: prev.blockOwners, borrowed: prev.borrowed } : deriveOwners(s)),
    issues: prev !== undefined && same('issues') ? prev.issues : allIssues(s),
  };
}

/** The BGPPeers that point at this replica, sorted by name. */
function myBGPPeers(s: Snapshot, replica: readonly ReplicaAddress[]): BGPPeer[] {
  const mine = new Set<string>();
  for (const r of replica) {
    const ip = tryParseIp(r.address);
    if (ip !== undefined) mine.add(`${ip.address}|${r.port ?? DEFAULT_BGP_PORT}`);
  }
  return [...s.peers.values()]
    .map((e) => e.value)
    .filter((p) => p.peer !== undefined && mine.has(`${p.peer.ip.address}|${p.peer.port ?? DEFAULT_BGP_PORT}`))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

const byNameThenAddress = (a: DesiredPeer, b: DesiredPeer): number => (a.name === b.name ? (a.address < b.address ? -1 : 1) : a.name < b.name ? -1 : 1);

export function derivePeers(s: Snapshot, replica: readonly ReplicaAddress[]): { peers: DesiredPeer[]; skipped: SkippedNode[] } {
  const mine = myBGPPeers(s, replica);
  const peers: DesiredPeer[] = [];
  const skipped: SkippedNode[] = [];
  if (mine.length === 0) return { peers, skipped };
  const global = globalAsNumber(s);
  const names = [...s.nodes.keys()].sort();
  const taken = new Map<string, string>();
  for (const name of names) {
    const node = s.nodes.get(name)?.value;
    if (node !== undefined) peersForNode(s, node, mine, global, taken, peers, skipped);
  }
  return { peers: peers.sort(byNameThenAddress), skipped };
}

/**
 * Only some nodes changed (BGPPeers and BGPConfigurations did not): re-derive
 * those nodes and keep the rest. Falls back to a full derivation when a changed
 * node's address collides with another node's, or when a collision is pending
 * (who wins depends on names and on who is still there).
 */
function rederiveNodes(s: Snapshot, replica: readonly ReplicaAddress[], prev: DesiredConfig, diff: SnapshotDiff): { peers: DesiredPeer[]; skipped: SkippedNode[] } {
  const changed = new Set<string>();
  for (const list of [diff.nodes.added, diff.nodes.changed, diff.nodes.removed]) for (const c of list) changed.add(c.name);
  const skipped = prev.skipped.filter((x) => !changed.has(x.name));
  if (skipped.some((x) => x.reason.startsWith('address '))) return derivePeers(s, replica);
  const mine = myBGPPeers(s, replica);
  const kept = prev.peers.filter((p) => !changed.has(p.name));
  // Addresses taken by the kept peers: looked up by a scan, which for the few
  // addresses of a few changed nodes is cheaper than indexing thousands of peers.
  const fresh = new Map<string, string>();
  const taken: AddressOwners = {
    get: (address) => fresh.get(address) ?? kept.find((p) => p.address === address)?.name,
    set: (address, name) => void fresh.set(address, name),
  };
  const added: DesiredPeer[] = [];
  const global = globalAsNumber(s);
  for (const name of [...changed].sort()) {
    const node = s.nodes.get(name)?.value;
    if (node === undefined) continue;
    const before = skipped.length;
    peersForNode(s, node, mine, global, taken, added, skipped);
    if (skipped.slice(before).some((x) => x.reason.startsWith('address '))) return derivePeers(s, replica);
  }
  return { peers: mergeSorted(kept, added.sort(byNameThenAddress)), skipped };
}

/** Two lists sorted by byNameThenAddress, merged (linear: no re-sort of the kept peers). */
function mergeSorted(a: readonly DesiredPeer[], b: readonly DesiredPeer[]): DesiredPeer[] {
  if (b.length === 0) return a as DesiredPeer[];
  const out: DesiredPeer[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(byNameThenAddress(a[i] as DesiredPeer, b[j] as DesiredPeer) <= 0 ? (a[i++] as DesiredPeer) : (b[j++] as DesiredPeer));
  while (i < a.length) out.push(a[i++] as DesiredPeer);
  while (j < b.length) out.push(b[j++] as DesiredPeer);
  return out;
}

/** Which node already has a session at an address. */
interface AddressOwners {
  get(address: string): string | undefined;
  set(address: string, name: string): void;
}

/** Rules 2-4 for one node against this replica's BGPPeers (sorted: the first one sets the session). */
function peersForNode(s: Snapshot, node: CalicoNode, mine: readonly BGPPeer[], global: number, taken: AddressOwners, out: DesiredPeer[], skipped: SkippedNode[]): void {
  const start = out.length;
  for (const p of mine) {
    if (p.peer === undefined || !selects(p, node)) continue;
    const family = p.peer.ip.family;
    const addr = family === 4 ? node.bgp?.ipv4Address : node.bgp?.ipv6Address;
    if (addr === undefined) {
      skipped.push({ name: node.name, bgpPeer: p.name, reason: `no spec.bgp.ipv${family}Address` });
      continue;
    }
    const mineAlready = out.slice(start).findIndex((x) => x.address === addr.address);
    if (mineAlready >= 0) {
      const x = out[start + mineAlready] as DesiredPeer;
      out[start + mineAlready] = { ...x, bgpPeers: [...x.bgpPeers, p.name] };
      continue;
    }
    const owner = taken.get(addr.address);
    if (owner !== undefined) {
      skipped.push({ name: node.name, bgpPeer: p.name, reason: `address ${addr.address} is already node ${owner}'s` });
      continue;
    }
    taken.set(addr.address, node.name);
    out.push({
      name: node.name,
      address: addr.address,
      family,
      port: nodeListenPort(s, node.name),
      localAddress: p.peer.ip.address,
      asNumber: p.localASNumber ?? node.bgp?.asNumber ?? global,
      routeReflectorClient: node.bgp?.routeReflectorClusterID === undefined,
      gracefulRestartTime: p.maxRestartTime,
      keepaliveTime: p.keepaliveTime,
      password: p.password,
      ttlSecurity: p.ttlSecurity,
      bgpPeers: [p.name],
    });
  }
}

/** Rule 2: `node`, else `nodeSelector`, else every node. */
function selects(p: BGPPeer, node: CalicoNode): boolean {
  if (p.node !== undefined) return p.node === node.name;
  return p.nodeSelector === undefined || p.nodeSelector.matches(node.labels);
}

export function derivePools(s: Snapshot): PoolInfo[] {
  return [...s.pools.values()]
    .map(({ value: p }) => ({ name: p.name, cidr: p.cidr, blockSize: p.blockSize, disabled: p.disabled, disableBGPExport: p.disableBGPExport, ipipMode: p.ipipMode, vxlanMode: p.vxlanMode }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Block owner: the block's own affinity ("host:<node>"), authoritative in Calico's
 * IPAM; for a block we have no block object for, a confirmed host affinity.
 * Deleted blocks and affinities own nothing.
 */
export function deriveOwners(s: Snapshot): { blockOwners: Map<string, string>; borrowed: Map<string, string> } {
  const blockOwners = new Map<string, string>();
  const borrowed = new Map<string, string>();
  const known = new Set<string>();
  for (const { value: b } of s.blocks.values()) {
    known.add(b.cidr.cidr);
    if (b.deleted) continue;
    if (b.node !== undefined) blockOwners.set(b.cidr.cidr, b.node);
    for (const x of b.borrowed) borrowed.set(x.address, x.node);
  }
  for (const { value: a } of s.affinities.values()) {
    if (a.deleted || a.state !== 'confirmed' || known.has(a.cidr.cidr)) continue;
    blockOwners.set(a.cidr.cidr, a.node);
  }
  return { blockOwners, borrowed };
}
