// What the demo shows and checks.
//   - per replica: `bgp-rr status --json` (health, sessions, Loc-RIB prefixes and paths,
//     etcd revision) and `bgp-rr peers` of the first replica;
//   - per node, from the node itself (birdc on its BIRD, or the speaker's table): which
//     other nodes' blocks it holds, through how many replicas, with which NEXT_HOP.
// A node "holds" another node's block when it has a path for the block whose BGP
// NEXT_HOP is that node's address (reflection leaves NEXT_HOP untouched, RFC 4456 §10).
import { parseBirdRoutes } from '../../test/harness/bird-routes.js';
import { FLAVOR_NAMES, pool } from './cluster.mjs';

/**
 * What node n's BIRD holds from BGP, read as an operator would check it: `birdc show
 * route all where source = RTS_BGP`, parsed by the harness (test/harness/bird-routes.ts,
 * loaded through tsx as the rest of the harness): prefix -> paths (one per replica with
 * ADD-PATH), each with its NEXT_HOP, ORIGINATOR_ID and CLUSTER_LIST (RFC 4456 §8). On a
 * shared loopback BIRD 1.6 shows the route itself as "unreachable" (the next hop is a
 * local address): the BGP NEXT_HOP attribute is what tells whose block it is.
 */
async function birdPaths(node) {
  const res = await node.bird.birdc(['show', 'route', 'all', 'where', 'source', '=', 'RTS_BGP']);
  if (res.code !== 0) throw new Error(`${node.name}: birdc show route all failed: ${(res.stderr || res.stdout).trim()}`);
  return parseBirdRoutes(res.stdout);
}

/** One replica's state, from its control socket. */
async function replicaState(r) {
  const base = { name: r.name, address: r.address, running: r.proc?.running ?? false };
  const res = await r.cli(['status', '--json']);
  if (res.code !== 0) return { ...base, error: (res.stderr || res.stdout).trim().split('\n')[0] || `exit ${res.code}` };
  try {
    const s = JSON.parse(res.stdout);
    return {
      ...base,
      health: s.health,
      configured: s.counts?.peersConfigured,
      established: s.counts?.peersEstablished,
      prefixes: s.counts?.prefixes?.ipv4,
      paths: s.counts?.paths,
      rejected: s.counts?.rejectedPaths,
      revision: s.etcd?.revision,
    };
  } catch {
    return { ...base, error: 'unreadable status --json' };
  }
}

/** What node n holds of the other nodes' blocks, from its paths (prefix -> [{ nextHop }]). */
export function nodeState(cluster, n, paths) {
  const missing = [];
  const wrongNextHop = [];
  let fewestPaths = Infinity;
  for (const o of cluster.nodes) {
    if (o === n) continue;
    const list = paths.get(o.block) ?? [];
    const good = list.filter((p) => p.nextHop === o.address);
    if (good.length === 0) {
      missing.push(o);
      if (list.length > 0) wrongNextHop.push(`${o.block} via ${list.map((p) => p.nextHop).join(',')} (want ${o.address})`);
    } else {
      fewestPaths = Math.min(fewestPaths, good.length);
    }
  }
  return { name: n.name, held: cluster.nodes.length - 1 - missing.length, missing, wrongNextHop, fewestPaths };
}

async function nodePaths(cluster, n) {
  return cluster.speakers ? cluster.speakers.paths(n) : birdPaths(n);
}

/** One sample of the whole cluster. */
export async function sample(cluster) {
  // Nodes first: the replicas' state shown beside them is then never older.
  const nodes = await pool(cluster.nodes, 8, async (n) => {
    try {
      return nodeState(cluster, n, await nodePaths(cluster, n));
    } catch (err) {
      return { name: n.name, held: 0, missing: cluster.nodes.filter((o) => o !== n), wrongNextHop: [], fewestPaths: Infinity, error: err.message };
    }
  });
  const replicas = await Promise.all(cluster.replicas.map(replicaState));
  const peers = await cluster.replicas[0].cli(['peers']);
  return { replicas, nodes, peersText: peers.code === 0 ? peers.stdout : peers.stderr || peers.stdout };
}

/** True when every node holds every other node's block. */
export const complete = (s) => s.nodes.every((n) => n.error === undefined && n.missing.length === 0);

const col = (v, w) => String(v ?? '-').padEnd(w);

function replicaLines(s) {
  const lines = ['REPLICA  ADDRESS          HEALTH    SESSIONS  PREFIXES  PATHS  ETCD REV'];
  for (const r of s.replicas) {
    if (r.error !== undefined) lines.push(`${col(r.name, 8)} ${col(r.address, 16)} ${r.running ? r.error : 'EXITED'}`);
    else lines.push(`${col(r.name, 8)} ${col(r.address, 16)} ${col(r.health, 9)} ${col(`${r.established}/${r.configured}`, 9)} ${col(r.prefixes, 9)} ${col(r.paths, 6)} ${r.revision ?? '-'}`);
  }
  return lines;
}

function nodeLines(cluster, s) {
  const n = cluster.nodes.length;
  const full = s.nodes.filter((x) => x.missing.length === 0 && x.error === undefined);
  const held = s.nodes.map((x) => x.held);
  const fewestPaths = Math.min(...full.map((x) => x.fewestPaths));
  const how = cluster.speakers ? "each node's speaker table" : 'birdc show route all, on each node';
  const lines = [
    `NODES (${how}): ${full.length}/${n} hold all ${n - 1} other blocks` +
      (full.length > 0 && Number.isFinite(fewestPaths) ? `, every block through at least ${fewestPaths} replica${fewestPaths === 1 ? '' : 's'}` : '') +
      `   (fewest held: ${Math.min(...held)}, most: ${Math.max(...held)})`,
  ];
  const behind = s.nodes.filter((x) => x.missing.length > 0 || x.error !== undefined);
  for (const x of behind.slice(0, 5)) lines.push(`  ${x.name}: ${x.error ?? `${x.missing.length} blocks missing`}`);
  if (behind.length > 5) lines.push(`  ... and ${behind.length - 5} more nodes`);
  return lines;
}

export function render(cluster, s, elapsedS) {
  const peerLines = s.peersText.trimEnd().split('\n');
  const shown = 13;
  return [
    `bgp-rr demo: ${cluster.nodes.length} Calico nodes (${FLAVOR_NAMES[cluster.flavor]}), 3 replicas, etcd ${cluster.etcd.endpoints.join(',')}   ${elapsedS.toFixed(0)} s`,
    '',
    ...replicaLines(s),
    '',
    ...nodeLines(cluster, s),
    '',
    `$ bgp-rr peers     (${cluster.replicas[0].name}${peerLines.length - 1 > shown ? `, first ${shown} of ${peerLines.length - 1}` : ''})`,
    ...peerLines.slice(0, shown + 1),
  ].join('\n');
}

/** Why --once failed: what each incomplete node lacks, the replicas' state and last output. */
export function failureReport(cluster, s) {
  const lines = [];
  const behind = s?.nodes.filter((x) => x.missing.length > 0 || x.error !== undefined) ?? [];
  for (const x of behind.slice(0, 20)) {
    const names = x.missing.slice(0, 8).map((o) => o.name).join(' ');
    lines.push(`  ${x.name}: ${x.error ?? `lacks the blocks of ${names}${x.missing.length > 8 ? ` and ${x.missing.length - 8} more` : ''}`}`);
    for (const w of x.wrongNextHop.slice(0, 3)) lines.push(`    NEXT_HOP changed: ${w}`);
  }
  if (behind.length > 20) lines.push(`  ... and ${behind.length - 20} more nodes`);
  for (const r of cluster.replicas) {
    const tail = (r.proc?.output ?? '').trimEnd().split('\n').slice(-12).join('\n');
    lines.push(`--- ${r.name} (${r.proc?.running ? 'running' : `exited ${JSON.stringify(r.proc?.exitInfo ?? null)}`}), last output:`, tail);
  }
  return lines.join('\n');
}

/** One reflected route as node-1 sees it (birdc), to show what the reflector sets and keeps. */
export async function sampleRoute(cluster) {
  const [a, b] = cluster.nodes;
  if (cluster.speakers || a === undefined || b === undefined) return '';
  const res = await a.bird.birdc(['show', 'route', 'all', b.block]);
  return [
    `$ birdc -s ${a.name}.ctl show route all ${b.block}     (on ${a.name}: ${b.name}'s block, one path per replica)`,
    res.stdout.trimEnd(),
    `(NEXT_HOP is ${b.name}'s address, ORIGINATOR_ID ${b.name}'s router id, CLUSTER_LIST the replicas' cluster id. All`,
    ` nodes share this host's loopback, so BIRD calls the next hop "unreachable": it is a local address here.)`,
  ].join('\n');
}
