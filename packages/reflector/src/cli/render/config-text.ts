/** The text printer for `bgp-rr config` (tables from text.ts). */
import type { ConfigView } from '../config-view.js';
import { table } from './text.js';

export function configText(v: ConfigView): string {
  const out: string[] = [];
  const kv: [string, string][] = [
    ['Name', v.name ?? '-'],
    ['Router ID', v.routerId ?? '- (set --router-id)'],
    ['Cluster ID', v.clusterId ?? '-'],
    ['AS', String(v.asNumber)],
    ['Node mesh', v.nodeToNodeMeshEnabled ? 'on (Calico default: nodes also peer with each other; set nodeToNodeMeshEnabled: false in BGPConfiguration default)' : 'off'],
    ['Addresses', v.addresses.join(', ') || '-'],
    ['etcd', `${v.etcd.endpoint ?? '-'} (${v.etcd.state}), revision ${v.revision}`],
  ];
  const w = Math.max(...kv.map(([k]) => k.length));
  out.push(kv.map(([k, val]) => `${(k + ':').padEnd(w + 1)} ${val}`).join('\n') + '\n');
  out.push(`\nPeers (${v.peers.length})\n`);
  if (v.peers.length === 0) out.push('none: no BGPPeer names one of the addresses above\n');
  else
    out.push(
      table(
        ['NODE', 'ADDRESS', 'AS', 'CLIENT', 'PORT', 'LOCAL ADDRESS', 'GR TIME', 'KEEPALIVE', 'BGPPEERS'],
        v.peers.map((p) => [p.name, p.address, String(p.asNumber), p.client ? 'yes' : 'no', String(p.port), p.localAddress, p.gracefulRestartTime === null ? '-' : `${p.gracefulRestartTime}s`, p.keepaliveTime === null ? '-' : `${p.keepaliveTime}s`, p.bgpPeers.join(',')]),
      ),
    );
  if (v.skipped.length > 0) out.push(`\nSelected but skipped (${v.skipped.length})\n`, table(['NODE', 'BGPPEER', 'REASON'], v.skipped.map((s) => [s.name, s.bgpPeer, s.reason])));
  out.push(`\nIP pools (${v.pools.length})\n`);
  if (v.pools.length > 0)
    out.push(table(['NAME', 'CIDR', 'BLOCK SIZE', 'DISABLED', 'BGP EXPORT', 'IPIP', 'VXLAN'], v.pools.map((p) => [p.name, p.cidr, String(p.blockSize), p.disabled ? 'yes' : 'no', p.disableBGPExport ? 'disabled' : 'yes', p.ipipMode, p.vxlanMode])));
  out.push(`\nBlocks (${v.blocks.length})\n`);
  if (v.blocks.length > 0) out.push(table(['CIDR', 'NODE'], v.blocks.map((b) => [b.cidr, b.node])));
  if (v.errors.length > 0) out.push(`\nInvalid resources, skipped (${v.errors.length})\n`, table(['KEY', 'REASON'], v.errors.map((e) => [e.key, e.reason])));
  if (v.warnings.length > 0) out.push(`\nWarnings (${v.warnings.length})\n`, table(['KEY', 'REASON'], v.warnings.map((e) => [e.key, e.reason])));
  return out.join('');
}
