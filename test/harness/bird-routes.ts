/**
 * BIRD's route listing (`birdc show route [all] ...`), parsed: prefix -> paths, one
 * entry per path in BIRD's order (with ADD-PATH one per reflector session; the first
 * is BIRD's best), each with its gateway(s) and, with `all`, the BGP attributes. One
 * parser for BIRD 1.6 and BIRD 2, whose listings differ:
 *
 *   BIRD 1.6 (one table per daemon; the gateway in the route line):
 *     172.16.2.0/24      via 10.1.1.2 on lan1 [Global_10_1_0_1 21:53:42 from 10.1.0.1] * (100/0) [i]
 *     \tType: BGP unicast univ
 *     \tBGP.next_hop: 10.1.1.2
 *                        via 10.1.1.2 on lan1 [Global_10_1_0_2 21:53:41 from 10.1.0.2] (100/0) [i]
 *     (on a shared loopback: `unreachable [...]`, the next hop being a local address)
 *   BIRD 2 (`Table master4:` headers, both families in one listing; the route type in
 *   the route line, the gateway on its own tab-indented line):
 *     Table master4:
 *     172.16.3.0/24        unicast [Global_10_1_0_1 21:53:42.412 from 10.1.0.1] * (100) [i]
 *     \tvia 10.1.1.3 on lan1
 *     \tType: BGP univ
 *     \tBGP.next_hop: 10.1.1.3
 *
 * Attribute lines ("\tBGP.<name>: value", "\tType: ...") belong to the path above
 * them. BIRD prints an IPv6 NEXT_HOP as "global [link-local]": nextHop is the first.
 * Real captured listings of both versions are the unit test's fixtures
 * (test/harness/fixtures/bird-routes/).
 *
 * Plain module, no I/O: the tests, the demo (scripts/demo) and the benchmark
 * (bench/lib, through tsx as slots.ts) all read BIRD with it.
 */

/** One path of a prefix, as BIRD lists it. */
export interface BirdPath {
  readonly prefix: string;
  /** The protocol that brought the path ("Global_10_1_0_1", "static1", "direct1"). */
  readonly protocol: string;
  /** The BGP neighbour the path came from ("from X" in the route line); undefined for other protocols. */
  readonly from: string | undefined;
  /** BIRD's selected (best) path: "*" in the route line. */
  readonly primary: boolean;
  /**
   * What BIRD would install: "unicast" (BIRD 2), "via" (BIRD 1.6 with a gateway),
   * "unreachable", "blackhole", "prohibit", "dev" (device route), "multipath".
   */
  readonly dest: string;
  /** Gateways ("via X"), several for a multipath route; empty for unreachable/blackhole/dev. */
  readonly gateways: readonly string[];
  /** `Type:` as printed ("BGP unicast univ", "BGP univ"); undefined without `all`. */
  readonly type: string | undefined;
  /** BGP.next_hop's first (global) address; undefined without `all` or for non-BGP paths. */
  readonly nextHop: string | undefined;
  /** BGP.originator_id (RFC 4456 §8: set by the first reflector). */
  readonly originatorId: string | undefined;
  /** BGP.cluster_list, in order (RFC 4456 §8: each reflector prepends its cluster id). */
  readonly clusterList: readonly string[];
  /** BGP.as_path as ASNs (empty for an iBGP path that never left the AS). */
  readonly asPath: readonly number[];
  readonly localPref: number | undefined;
  /** BGP.origin: "IGP", "EGP", "Incomplete". */
  readonly origin: string | undefined;
  /** BGP.community as printed pairs "(64512,1)" -> "64512:1". */
  readonly communities: readonly string[];
  /** Every tab-indented "Name: value" line as printed ("BGP.next_hop", "BGP.med", "Type", ...). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** prefix -> its paths, in BIRD's order. */
export type BirdRoutes = Map<string, BirdPath[]>;

interface MutablePath {
  prefix: string;
  protocol: string;
  from: string | undefined;
  primary: boolean;
  dest: string;
  gateways: string[];
  attributes: Record<string, string>;
}

// "<prefix>? <dest...> [<protocol> <time...>( from <addr>)?] <*>? (<pref>...)..."
const ROUTE_LINE = /^(\S+)?\s+(.*?)\s*\[(\S+)(?:\s[^\]]*?)?(?:\s+from\s+(\S+?))?\]\s*(\*)?/;
const PREFIX = /^[0-9a-f.:]+\/\d+$/i;
const ATTRIBUTE = /^\t([A-Za-z][\w.]*):\s?(.*)$/;
const GATEWAY = /^\t(via\s+(\S+).*|dev\s+\S+.*)$/;

/** Parses `show route` or `show route all` output of BIRD 1.6 or BIRD 2. */
export function parseBirdRoutes(text: string): BirdRoutes {
  const paths: MutablePath[] = [];
  let prefix: string | undefined;
  let path: MutablePath | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^BIRD .* ready\.$/.test(line) || /^Table \S+:$/.test(line)) continue;
    if (line.startsWith('\t')) {
      if (path === undefined) continue;
      const gw = GATEWAY.exec(line);
      if (gw) {
        if (gw[2] !== undefined) path.gateways.push(gw[2]);
        continue;
      }
      const attr = ATTRIBUTE.exec(line);
      if (attr) path.attributes[attr[1]!] = attr[2]!.trim();
      continue;
    }
    const m = ROUTE_LINE.exec(line);
    if (m === null) {
      path = undefined; // not a listing line (an error or a message): what follows is not ours
      continue;
    }
    if (m[1] !== undefined) {
      if (!PREFIX.test(m[1])) {
        path = undefined;
        continue;
      }
      prefix = m[1];
    }
    if (prefix === undefined) continue;
    const destText = m[2] ?? '';
    const via = [...destText.matchAll(/\bvia\s+([0-9a-f.:]+)/gi)].map((x) => x[1]!);
    path = {
      prefix,
      protocol: m[3]!,
      from: m[4],
      primary: m[5] !== undefined,
      dest: via.length > 0 ? 'via' : (destText.split(/\s+/)[0] ?? ''),
      gateways: via,
      attributes: {},
    };
    paths.push(path);
  }
  const out: BirdRoutes = new Map();
  for (const p of paths) {
    const list = out.get(p.prefix) ?? [];
    list.push(finish(p));
    out.set(p.prefix, list);
  }
  return out;
}

function finish(p: MutablePath): BirdPath {
  const a = p.attributes;
  const words = (v: string | undefined): string[] => (v ?? '').split(/\s+/).filter((w) => w !== '');
  const localPref = a['BGP.local_pref'];
  return {
    prefix: p.prefix,
    protocol: p.protocol,
    from: p.from,
    primary: p.primary,
    dest: p.dest,
    gateways: p.gateways,
    type: a.Type,
    nextHop: words(a['BGP.next_hop'])[0],
    originatorId: a['BGP.originator_id'],
    clusterList: words(a['BGP.cluster_list']),
    asPath: words(a['BGP.as_path']).map(Number).filter((n) => Number.isInteger(n)),
    localPref: localPref === undefined ? undefined : Number(localPref),
    origin: a['BGP.origin'],
    communities: [...(a['BGP.community'] ?? '').matchAll(/\((\d+),\s*(\d+)\)/g)].map((x) => `${x[1]}:${x[2]}`),
    attributes: a,
  };
}

/** The paths of every prefix in one list, in BIRD's order. */
export function birdPathList(routes: BirdRoutes): BirdPath[] {
  return [...routes.values()].flat();
}

/** Only the prefixes of one address family (BIRD 2 lists master4 and master6 together). */
export function birdRoutesOfFamily(routes: BirdRoutes, family: 4 | 6): BirdRoutes {
  return new Map([...routes].filter(([prefix]) => prefix.includes(':') === (family === 6)));
}

/** The BGP NEXT_HOP of each path of prefix, in BIRD's order ([] when BIRD has no path). */
export function nextHops(routes: BirdRoutes, prefix: string): (string | undefined)[] {
  return (routes.get(prefix) ?? []).map((p) => p.nextHop);
}
