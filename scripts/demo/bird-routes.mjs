// What a node's BIRD holds from BGP, read the way an operator would check it:
// `birdc show route all where source = RTS_BGP` (BIRD 1.6 and BIRD 2), one entry per
// path (ADD-PATH: one per replica), with the BGP attributes the reflector must leave
// alone (NEXT_HOP) or set (ORIGINATOR_ID, CLUSTER_LIST; RFC 4456 §8).
//
// On a shared loopback every next hop is an address of this host, so BIRD 1.6 shows
// the recursive gateway as "unreachable" (a next hop that is a local address); the BGP
// NEXT_HOP attribute is what tells whose block it is, and that is what we check.

/**
 * Parses `show route all` output into prefix -> paths [{ from, nextHop, originatorId, clusterList }].
 * A line starting with a prefix opens a prefix and its first path; an indented line
 * with "[protocol ...]" opens another path of the same prefix; tab-indented
 * "BGP.<attr>: value" lines belong to the path above them.
 */
export function parseBirdRoutesAll(text) {
  const out = new Map();
  let prefix;
  let path;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f.:]+\/\d+)\s/i.exec(line);
    if (head !== null || (prefix !== undefined && /^ +\S.*\[/.test(line))) {
      if (head !== null) prefix = head[1];
      path = { from: /\bfrom ([0-9a-f.:]+)/i.exec(line)?.[1], nextHop: undefined, originatorId: undefined, clusterList: [] };
      if (!out.has(prefix)) out.set(prefix, []);
      out.get(prefix).push(path);
      continue;
    }
    if (path === undefined) continue;
    const attr = /^\s+BGP\.(\w+):\s*(.*)$/.exec(line);
    if (attr === null) continue;
    const [, name, value] = attr;
    // BIRD prints an IPv6 next hop as "global link-local"; the first is the one.
    if (name === 'next_hop') path.nextHop = value.trim().split(/\s+/)[0];
    else if (name === 'originator_id') path.originatorId = value.trim();
    else if (name === 'cluster_list') path.clusterList = value.trim().split(/\s+/).filter(Boolean);
  }
  return out;
}

/** BIRD's BGP routes on node n: prefix -> paths. Throws when birdc fails. */
export async function birdPaths(node) {
  const res = await node.bird.birdc(['show', 'route', 'all', 'where', 'source', '=', 'RTS_BGP']);
  if (res.code !== 0) throw new Error(`${node.name}: birdc show route all failed: ${(res.stderr || res.stdout).trim()}`);
  return parseBirdRoutesAll(res.stdout);
}
