/**
 * The text printer: aligned tables (like `birdc show protocols`, `gobgp neighbor`) and
 * key/value blocks for the control API results. The same results go to json.ts.
 */
import type { DrainResult, PeerDetail, PeerRow, RouteRow, StatusInfo } from '../../control/protocol.js';

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** "3d4h", "5m12s", "42s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s % 60}s`;
  return `${s}s`;
}

function since(iso: string, now: number): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : duration((now - t) / 1000);
}

/** FAMILIES cell: negotiated as is, configured ones in brackets (the legend says so). */
function familiesCell(r: PeerRow): string {
  const text = r.families.join(',');
  return r.familiesNegotiated ? text : `[${text}]`;
}

/**
 * As `birdc show protocols`: the last error only while the session is not Established
 * (once up, the old error is history; `bgp-rr peer` still shows it, with its time).
 */
function currentError(r: PeerRow): string {
  return r.state === 'Established' ? '' : (r.lastError ?? '');
}

export function peersText(rows: readonly PeerRow[], now = Date.now()): string {
  if (rows.length === 0) return 'no peers configured (is etcd reachable, and do BGPPeers name this replica?)\n';
  return (
    table(
      ['NODE', 'ADDRESS', 'AS', 'FAMILIES', 'STATE', 'SINCE', 'RECEIVED', 'ACCEPTED', 'ADVERTISED', 'LAST ERROR'],
      rows.map((r) => [r.node, r.address, String(r.as), familiesCell(r), r.state, since(r.since, now), String(r.received), String(r.accepted), String(r.advertised), currentError(r)]),
    ) + 'FAMILIES: negotiated when Established, [configured] otherwise; LAST ERROR: only while not Established\n'
  );
}

function lastErrorText(p: PeerDetail, now: number): string {
  if (p.lastError === null) return '-';
  const when = p.lastErrorAt !== null ? `${since(p.lastErrorAt, now)} ago, at ${p.lastErrorAt}` : 'time not known';
  return `${p.lastError} (${when}${p.state === 'Established' ? '; before the session came up' : ''})`;
}

function familiesText(p: PeerDetail): string {
  if (!p.familiesNegotiated) return `${p.families.join(', ')} (configured; negotiated when Established)`;
  return `${p.families.join(', ')} (negotiated; configured ${p.familiesConfigured.join(', ')})`;
}

function kv(pairs: readonly [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${(k + ':').padEnd(w + 1)} ${v}`).join('\n') + '\n';
}

export function peerText(p: PeerDetail, now = Date.now()): string {
  const fam = (['ipv4', 'ipv6'] as const)
    .map((f) => {
      const c = p.prefixes[f];
      return `${f} received ${c.received}, accepted ${c.accepted}, rejected ${c.rejected}, stale ${c.stale}, advertised ${c.advertised}`;
    });
  const m = (d: PeerDetail['messages']['received']): string => `open ${d.open}, update ${d.update}, keepalive ${d.keepalive}, notification ${d.notification}, route-refresh ${d.routeRefresh}`;
  const gr = p.gracefulRestart;
  return kv([
    ['Peer', `${p.address} (${p.node})`],
    ['AS', String(p.as)],
    ['Route-reflector client', p.client ? 'yes' : 'no'],
    ['BGPPeers', p.bgpPeers.join(', ')],
    ['State', `${p.state} for ${since(p.since, now)}`],
    ['Last error', lastErrorText(p, now)],
    ['Router ID', p.routerId ?? '-'],
    ['Local address', p.localAddress ?? '-'],
    ['Connection', p.localEndpoint && p.remoteEndpoint ? `${p.localEndpoint} <-> ${p.remoteEndpoint}` : '-'],
    ['Port', String(p.port)],
    ['Hold time', `${p.timers.holdTime ?? '-'} s negotiated (offered ${p.timers.holdTimeOffered} s), keepalive ${p.timers.keepaliveTime ?? '-'} s, connect retry ${p.timers.connectRetry} s`],
    ['Families', familiesText(p)],
    ['Local capabilities', p.capabilities.local.join('; ') || '-'],
    ['Peer capabilities', p.capabilities.peer.join('; ') || '-'],
    ['ADD-PATH', p.addPath.map((a) => `${a.family} ${a.send ? 'send' : ''}${a.send && a.receive ? '+' : ''}${a.receive ? 'receive' : ''}`).join(', ') || 'off'],
    ['Graceful restart', `${gr.negotiated ? 'negotiated' : 'not negotiated'}${gr.peerRestartTime !== null ? `, peer restart time ${gr.peerRestartTime} s` : ''}${gr.helper ? `; helping: ${gr.helper.phase}, ${gr.helper.families.join(',')} stale for at most ${gr.helper.expiresInSeconds} s` : ''}`],
    ['Route refresh', p.routeRefresh.negotiated ? `${p.routeRefresh.enhanced ? 'enhanced (RFC 7313)' : 'RFC 2918'}${p.routeRefresh.receiving.length > 0 ? `; re-advertising to us: ${p.routeRefresh.receiving.join(',')}` : ''}` : 'not negotiated'],
    ['Prefix limit', p.prefixLimitBackoffSeconds > 0 ? `exceeded: kept down for ${p.prefixLimitBackoffSeconds} s more` : 'ok'],
    ['Prefixes', fam.join('\n' + ' '.repeat(24))],
    ['Messages received', m(p.messages.received)],
    ['Messages sent', m(p.messages.sent)],
    ['Updates', `${p.updatesIn} received, ${p.withdrawalsIn} withdrawals, ${p.establishedTransitions} times established`],
    ['Update groups', p.updateGroups.join('; ') || '-'],
    ['Pending out', String(p.pendingOut)],
  ]);
}

export function routesText(rows: readonly RouteRow[]): string {
  if (rows.length === 0) return 'no routes\n';
  const out: string[][] = [];
  for (const r of rows) {
    for (const p of r.paths) {
      const flags = `${p.best ? '*' : ' '}${p.stale ? 'S' : ' '}${p.rejected !== null ? 'R' : ' '}`;
      out.push([
        flags,
        r.prefix,
        p.nextHop ?? '-',
        p.node ? `${p.node} (${p.from})` : p.from,
        p.pathId === 0 ? '-' : String(p.pathId),
        p.originatorId ?? '-',
        p.clusterList.join(' ') || '-',
        p.localPref === null ? '-' : String(p.localPref),
        p.rejected !== null ? `${p.rejected.kind}: ${p.rejected.reason}` : p.communities.join(' '),
      ]);
    }
  }
  return table(['', 'PREFIX', 'NEXT HOP', 'FROM', 'PATH ID', 'ORIGINATOR', 'CLUSTER LIST', 'LOCAL PREF', 'COMMUNITIES / REJECTED'], out) + '* best, S stale (graceful restart), R rejected\n';
}

export function statusText(s: StatusInfo): string {
  return kv([
    ['Name', s.name],
    ['Version', `${s.version} (pid ${s.pid})`],
    ['Router ID', s.routerId],
    ['Cluster ID', s.clusterId],
    ['AS', s.as === null ? '-' : String(s.as)],
    ['Uptime', `${duration(s.uptimeSeconds)} (since ${s.startTime})`],
    ['Health', `${s.health}${s.draining ? ' (drained)' : ''}`],
    ['Listening', `${s.listen.join(', ')}${s.accepting ? '' : ' (not yet: BGP is accepted once the first etcd snapshot is applied)'}`],
    ['etcd', `${s.etcd.state} ${s.etcd.endpoint ?? s.etcd.endpoints.join(',')} revision ${s.etcd.revision}${s.etcd.latestRevision > s.etcd.revision ? ` (${s.etcd.latestRevision - s.etcd.revision} behind)` : ''}${s.etcd.lastError ? ` (last error: ${s.etcd.lastError})` : ''}`],
    ['Registered', s.registered ? 'yes' : 'no'],
    ['Tables', s.tablesReleased ? `released: ${s.tablesReleaseReason}` : 'deferred (waiting for End-of-RIB from peers, RFC 4724 §4.1)'],
    ['Route policy', s.routePolicy],
    ['Peers', `${s.counts.peersEstablished} established of ${s.counts.peersConfigured} configured`],
    ['Prefixes', `ipv4 ${s.counts.prefixes.ipv4}, ipv6 ${s.counts.prefixes.ipv6} (${s.counts.paths} paths, ${s.counts.rejectedPaths} rejected)`],
    ['Update groups', String(s.counts.updateGroups)],
  ]);
}

export interface ReplicaRow {
  readonly name: string;
  readonly routerId: string;
  readonly clusterId?: string;
  readonly addresses: readonly string[];
  readonly version: string;
  readonly startTime: string;
  readonly peers?: { readonly configured: number; readonly established: number };
}

export function replicasText(rows: readonly ReplicaRow[], now = Date.now()): string {
  if (rows.length === 0) return 'no live replicas registered in etcd\n';
  return table(
    ['NAME', 'ROUTER ID', 'CLUSTER ID', 'ADDRESSES', 'VERSION', 'UPTIME', 'PEERS'],
    rows.map((r) => [r.name, r.routerId, r.clusterId ?? '-', r.addresses.join(',') || '-', r.version, since(r.startTime, now), r.peers ? `${r.peers.established}/${r.peers.configured}` : '-']),
  );
}

export function drainText(d: DrainResult): string {
  return `drained: Cease 6/2 sent to ${d.peers} peers ("${d.message}"); sessions stay down until bgp-rr restarts\n`;
}
