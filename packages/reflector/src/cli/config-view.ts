/**
 * PURE: the result of `bgp-rr config` as one plain object. The JSON printer prints
 * it as is; the text printer (render/config-text.ts) lays it out as tables.
 */
import { COLLECTIONS, type DesiredConfig, type ReplicaAddress, type SnapshotDiff, type WatcherStatus } from '@bgp-rr/etcd-store';

export interface ConfigView {
  readonly name: string | null;
  readonly routerId: string | null;
  readonly clusterId: string | null;
  readonly asNumber: number;
  /** Calico's node-to-node mesh (BGPConfiguration default, default true); a reflector design turns it off. */
  readonly nodeToNodeMeshEnabled: boolean;
  readonly revision: number;
  readonly etcd: { readonly endpoint: string | null; readonly state: string; readonly revision: number };
  /** This replica's addresses ("addr:port") BGPPeers are matched against. */
  readonly addresses: readonly string[];
  readonly peers: readonly {
    readonly name: string;
    readonly address: string;
    readonly asNumber: number;
    readonly client: boolean;
    readonly port: number;
    readonly localAddress: string;
    readonly gracefulRestartTime: number | null;
    readonly keepaliveTime: number | null;
    readonly password: boolean;
    readonly bgpPeers: readonly string[];
  }[];
  readonly skipped: readonly { readonly name: string; readonly bgpPeer: string; readonly reason: string }[];
  readonly pools: readonly { readonly name: string; readonly cidr: string; readonly blockSize: number; readonly disabled: boolean; readonly disableBGPExport: boolean; readonly ipipMode: string; readonly vxlanMode: string }[];
  readonly blocks: readonly { readonly cidr: string; readonly node: string }[];
  readonly errors: readonly { readonly key: string; readonly reason: string }[];
  readonly warnings: readonly { readonly key: string; readonly reason: string }[];
}

export interface ReplicaIdentity {
  readonly name?: string;
  readonly routerId?: string;
  readonly clusterId?: string;
  readonly addresses: readonly ReplicaAddress[];
}

const hostPort = (a: ReplicaAddress): string => (a.address.includes(':') ? `[${a.address}]:${a.port ?? 179}` : `${a.address}:${a.port ?? 179}`);

/**
 * Router id when none is configured: the first non-loopback IPv4 address of the
 * replica, else the first IPv4. `bgp-rr run` takes the same (commands/run.ts), so
 * `bgp-rr config` shows the one the daemon would use.
 */
export function defaultRouterId(addresses: readonly ReplicaAddress[]): string | undefined {
  const v4 = addresses.map((a) => a.address).filter((a) => !a.includes(':'));
  return v4.find((a) => !a.startsWith('127.')) ?? v4[0];
}

export function configView(c: DesiredConfig, me: ReplicaIdentity, etcd: WatcherStatus): ConfigView {
  const routerId = me.routerId ?? defaultRouterId(me.addresses) ?? null;
  return {
    name: me.name ?? null,
    routerId,
    clusterId: me.clusterId ?? routerId,
    asNumber: c.asNumber,
    nodeToNodeMeshEnabled: c.nodeToNodeMeshEnabled,
    revision: c.revision,
    etcd: { endpoint: etcd.endpoint ?? null, state: etcd.state, revision: etcd.revision },
    addresses: me.addresses.map(hostPort),
    peers: c.peers.map((p) => ({
      name: p.name,
      address: p.address,
      asNumber: p.asNumber,
      client: p.routeReflectorClient,
      port: p.port,
      localAddress: p.localAddress,
      gracefulRestartTime: p.gracefulRestartTime ?? null,
      keepaliveTime: p.keepaliveTime ?? null,
      password: p.password !== undefined,
      bgpPeers: p.bgpPeers,
    })),
    skipped: c.skipped,
    pools: c.pools.map((p) => ({ name: p.name, cidr: p.cidr.cidr, blockSize: p.blockSize, disabled: p.disabled, disableBGPExport: p.disableBGPExport, ipipMode: p.ipipMode, vxlanMode: p.vxlanMode })),
    blocks: [...c.blockOwners].map(([cidr, node]) => ({ cidr, node })).sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0)),
    errors: c.issues.filter((i) => i.severity === 'error').map((i) => ({ key: i.key, reason: i.reason })),
    warnings: c.issues.filter((i) => i.severity === 'warning').map((i) => ({ key: i.key, reason: i.reason })),
  };
}

/** What changed, by name, for `--watch` lines (only non-empty kinds). */
export function changeSummary(d: SnapshotDiff): Record<string, unknown> {
  const out: Record<string, unknown> = { fromRevision: d.fromRevision, toRevision: d.toRevision, relisted: d.relisted };
  for (const c of COLLECTIONS) {
    const k = d[c];
    const part: Record<string, string[]> = {};
    if (k.added.length > 0) part.added = k.added.map((x) => x.name);
    if (k.changed.length > 0) part.changed = k.changed.map((x) => x.name);
    if (k.removed.length > 0) part.removed = k.removed.map((x) => x.name);
    if (Object.keys(part).length > 0) out[c] = part;
  }
  if (d.issues.added.length > 0 || d.issues.removed.length > 0) out.issues = { added: d.issues.added.length, removed: d.issues.removed.length };
  return out;
}
