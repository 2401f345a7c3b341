/**
 * A node's BGP sessions as its BIRD reports them (`birdc show protocols all`), and
 * which of its paths are fresh.
 *
 * Why the session and not the route line: with graceful restart (RFC 4724 §4.2) BIRD
 * keeps the paths of a session that went down, stale, until the session is back and
 * the peer's End-of-RIB arrives (or the restart timer runs out). BIRD 1.6.8 and
 * BIRD 2.0.12 print a stale path exactly like a fresh one (same "(100)" in the route
 * line, same attributes; only later BIRD 2 releases add an "s"), and BIRD even keeps
 * one as its best path. What BIRD does show is the session: its state, and "Neighbor
 * graceful restart active" from the moment it went down until End-of-RIB ends the
 * restart (rt_refresh_end sweeps whatever was not re-announced). So a path is fresh
 * when its protocol is Established with no graceful restart pending; a path of any
 * other protocol may be a retained stale copy. Real captured listings of both
 * versions are the unit test's fixtures (fixtures/bird-protocols/).
 *
 * The `since` column is when the protocol last changed state: while Established, when
 * it became Established. BIRD does not print a stored wall-clock time: it keeps a
 * monotonic one and converts it on every `show protocols` with the current offset
 * between its two clocks, as sampled by that turn of its event loop. So one instant
 * reads differently from call to call (measured):
 *   - BIRD 2 prints milliseconds; a reading is 1 ms later now and then (1-2 of 300
 *     calls: the two clock samples straddle a millisecond; a busy turn of the loop
 *     can put them further apart);
 *   - BIRD 1.6 prints whole seconds from two whole-second clocks: a reading is one
 *     second later on some calls (9 of 400).
 * `sameSince` allows that: 50 ms for BIRD 2, one second for BIRD 1.6. A bounce moves
 * the time much further: the session comes up again only after it went down (after
 * the first reading) plus BIRD's connect delay (measured with `birdc restart`: 1.3 s
 * and more). And the replica's end of the same session (its `since`, a stored time to
 * the millisecond, lib/sessions.ts) is compared exactly.
 */
import type { Family } from '../../harness/calico-node.js';
import type { BirdRoutes } from '../../harness/bird-routes.js';
import type { FabricNode } from './fabric.js';

/** One BGP protocol (one session to one neighbour) of `show protocols all`. */
export interface BirdSession {
  /** Protocol name ("Global_10_1_0_1"). */
  readonly protocol: string;
  /** "Neighbor address:" (undefined if BIRD printed none). */
  readonly neighbor: string | undefined;
  /** Protocol state column: "up", "start", "down", ... */
  readonly state: string;
  /** Info column's first word: "Established", "Active", "Connect", ... */
  readonly info: string;
  /** Since column as printed ("23:11:17" BIRD 1.6, "23:11:18.158" BIRD 2). */
  readonly since: string;
  /** state up and BGP Established. */
  readonly established: boolean;
  /** "Neighbor graceful restart active": paths of this session may be stale. */
  readonly grActive: boolean;
}

// "<name> <proto> <table> <state> <since> <info...>"; the table is "---" in BIRD 2.
const PROTOCOL_LINE = /^(\S+)\s+(\S+)\s+(\S+)\s+(up|down|start|stop|flush|feed)\s+(\S+)\s*(.*)$/;

/** Parses `show protocols` or `show protocols all` of BIRD 1.6 or BIRD 2: its BGP protocols. */
export function parseBirdProtocols(text: string): BirdSession[] {
  const out: { protocol: string; neighbor: string | undefined; state: string; info: string; since: string; grActive: boolean }[] = [];
  let current: (typeof out)[number] | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^BIRD .* ready\.$/.test(line) || /^name\s+proto\s/i.test(line)) continue;
    if (/^\s/.test(line)) {
      if (current === undefined) continue;
      const neighbor = /^\s+Neighbor address:\s+(\S+)/.exec(line);
      if (neighbor) current.neighbor = neighbor[1]!.replace(/%.*$/, '');
      if (/^\s+Neighbor graceful restart active\s*$/.test(line)) current.grActive = true;
      continue;
    }
    const m = PROTOCOL_LINE.exec(line);
    current = undefined;
    if (m === null || m[2] !== 'BGP') continue;
    current = { protocol: m[1]!, neighbor: undefined, state: m[4]!, info: (m[6] ?? '').trim().split(/\s+/)[0] ?? '', since: m[5]!, grActive: false };
    out.push(current);
  }
  return out.map((s) => ({ ...s, established: s.state === 'up' && s.info === 'Established' }));
}

/** A session whose paths are fresh: Established, no graceful restart pending. */
export const isFresh = (s: BirdSession): boolean => s.established && !s.grActive;

/**
 * Whether two readings of a since column are the same instant (see the header):
 * BIRD 2's "HH:MM:SS.mmm" within 50 ms, BIRD 1.6's "HH:MM:SS" within a second,
 * anything else (bgp-rr's RFC 3339 times) only if equal.
 */
export function sameSince(a: string, b: string): boolean {
  if (a === b) return true;
  const ms = (s: string): { at: number; slack: number } | undefined => {
    const m = /^(\d\d):(\d\d):(\d\d)(\.\d{3})?$/.exec(s);
    if (!m) return undefined;
    const at = (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000 + (m[4] ? Number(m[4].slice(1)) : 0);
    return { at, slack: m[4] ? SLACK_BIRD2_MS : SLACK_BIRD1_MS };
  };
  const x = ms(a);
  const y = ms(b);
  if (x === undefined || y === undefined || x.slack !== y.slack) return false;
  const d = Math.abs(x.at - y.at);
  return Math.min(d, DAY_MS - d) <= x.slack;
}

const SLACK_BIRD2_MS = 50;
const SLACK_BIRD1_MS = 1000;
const DAY_MS = 86_400_000;

/** The families whose BIRD daemon is queried separately (BIRD 1.6: bird and bird6; BIRD 2: one). */
function daemonFamilies(node: FabricNode, ipv6: boolean): Family[] {
  return node.flavor === 'bird1' && ipv6 ? [4, 6] : [4];
}

/** The BGP sessions of the BIRD daemon serving `family` on node. */
export async function birdSessionsOf(node: FabricNode, family: Family): Promise<BirdSession[]> {
  const res = await node.bird.birdc(['show', 'protocols', 'all'], family);
  if (res.code !== 0) throw new Error(`${node.spec.name}: birdc show protocols all failed: ${res.stderr || res.stdout}`);
  return parseBirdProtocols(res.stdout);
}

/** Every BGP session of node (both daemons of a BIRD 1.6 node with IPv6). */
export async function birdSessions(node: FabricNode, ipv6: boolean): Promise<BirdSession[]> {
  const lists = await Promise.all(daemonFamilies(node, ipv6).map((f) => birdSessionsOf(node, f)));
  return lists.flat();
}

/**
 * node's BGP paths of `family`, only those of sessions that are fresh (isFresh) in two
 * readings taken before and after the route listing, with the same since: a path of
 * a session that went down, or bounced, while it was read does not count.
 */
export async function freshBgpRoutes(node: FabricNode, family: Family): Promise<BirdRoutes> {
  const before = await birdSessionsOf(node, family);
  const routes = await node.bird.bgpRoutes(family);
  const after = await birdSessionsOf(node, family);
  const fresh = new Set(
    before.filter((b) => isFresh(b) && after.some((a) => a.protocol === b.protocol && isFresh(a) && sameSince(a.since, b.since))).map((b) => b.protocol),
  );
  const out: BirdRoutes = new Map();
  for (const [prefix, paths] of routes) {
    const kept = paths.filter((p) => fresh.has(p.protocol));
    if (kept.length > 0) out.set(prefix, kept);
  }
  return out;
}
