/**
 * BIRD's protocol listing (`birdc show protocols [all] [name]`), parsed: one entry per
 * protocol with its state line and, with `all`, its BGP state, neighbour address,
 * graceful-restart flag and route change statistics. The one parser of this listing
 * in the tests, for BIRD 1.6 and BIRD 2, whose listings differ:
 *
 *   BIRD 1.6 (one table per daemon; the statistics belong to the protocol itself):
 *     Global_127_167_0_1 BGP      master   up     23:08:47    Established
 *       Routes:         3 imported, 1 exported, 3 preferred
 *       Route change stats:     received   rejected   filtered    ignored   accepted
 *         Import updates:              6          0          0          3          3
 *         Import withdraws:            0          0        ---          0          0
 *       BGP state:          Established
 *         Neighbor address: 127.167.0.1
 *   BIRD 2 (statistics per channel, under "Channel ipv4" / "Channel ipv6"; the since
 *   column in milliseconds):
 *     Global_127_167_0_1 BGP        ---        up     23:08:47.967  Established
 *       BGP state:          Established
 *         Neighbor address: 127.167.0.1
 *       Channel ipv4
 *         Routes:         3 imported, 1 exported, 3 preferred
 *         Route change stats:     received   rejected   filtered    ignored   accepted
 *           Import updates:              6          0          0          3          3
 *
 * "Import updates: received" counts every route the peer sent, "ignored" those equal to
 * what BIRD already held, "accepted" those that changed its table: what a test reads to
 * see how many routes a peer sent again.
 *
 * Which paths are fresh (isFresh). With graceful restart (RFC 4724 §4.2) BIRD keeps
 * the paths of a session that went down, stale, until the session is back and the
 * peer's End-of-RIB arrives (or the restart timer runs out). BIRD 1.6.8 and BIRD
 * 2.0.12 print a stale path exactly like a fresh one (same "(100)" in the route line,
 * same attributes; only later BIRD 2 releases add an "s"), and BIRD even keeps one as
 * its best path. What BIRD does show is the session: its state, and "Neighbor
 * graceful restart active" from the moment it went down until End-of-RIB ends the
 * restart (rt_refresh_end sweeps whatever was not re-announced). So a path is fresh
 * when its protocol is Established with no graceful restart pending; a path of any
 * other protocol may be a retained stale copy.
 *
 * The since column (sameSince) is when the protocol last changed state: while
 * Established, when it became Established. BIRD does not print a stored wall-clock
 * time: it keeps a monotonic one and converts it on every `show protocols` with the
 * current offset between its two clocks, as sampled by that turn of its event loop.
 * So one instant reads differently from call to call (measured):
 *   - BIRD 2 prints milliseconds; a reading is 1 ms later now and then (1-2 of 300
 *     calls: the two clock samples straddle a millisecond; a busy turn of the loop
 *     can put them further apart);
 *   - BIRD 1.6 prints whole seconds from two whole-second clocks: a reading is one
 *     second later on some calls (9 of 400).
 * `sameSince` allows that: 50 ms for BIRD 2, one second for BIRD 1.6. A bounce moves
 * the time much further: the session comes up again only after it went down (after
 * the first reading) plus BIRD's connect delay (measured with `birdc restart`: 1.3 s
 * and more). And bgp-rr's end of the same session (its `since`, a stored time to the
 * millisecond) is compared exactly.
 *
 * Real captured listings of both versions are the unit test's fixtures
 * (test/harness/fixtures/bird-protocols/). Plain module, no I/O.
 */

/** One row of "Route change stats" ('---' columns read as 0). */
export interface RouteChangeCounts {
  readonly received: number;
  readonly rejected: number;
  readonly filtered: number;
  readonly ignored: number;
  readonly accepted: number;
}

/** The route counts of one channel (BIRD 2) or of the protocol (BIRD 1.6). */
export interface BirdChannelStats {
  /** "Routes: N imported, ..." */
  readonly imported: number;
  readonly exported: number;
  readonly importUpdates: RouteChangeCounts;
  readonly importWithdraws: RouteChangeCounts;
  readonly exportUpdates: RouteChangeCounts;
  readonly exportWithdraws: RouteChangeCounts;
}

export interface BirdProtocol {
  readonly name: string;
  /** "BGP", "Static", "Device"... */
  readonly proto: string;
  /** "up", "start", "down"... */
  readonly state: string;
  /** The since column as printed (time of the last state change). */
  readonly since: string;
  /** The info column ("Established", "Active  Socket: ..."). */
  readonly info: string;
  /** "BGP state:" with `all`; undefined for other protocols or without `all`. */
  readonly bgpState: string | undefined;
  /** "Neighbor address:" with `all`, without a "%iface" scope; undefined for other protocols or without `all`. */
  readonly neighbor: string | undefined;
  /** State up and the info column's first word "Established" (a BGP session up). */
  readonly established: boolean;
  /** "Neighbor graceful restart active" (with `all`): paths of this session may be stale. */
  readonly grActive: boolean;
  /** Statistics by channel name ("ipv4", "ipv6"); BIRD 1.6's own under "" (its one table). */
  readonly channels: ReadonlyMap<string, BirdChannelStats>;
}

/** A protocol being read: everything but its channels, writable. */
type MutableHead = { -readonly [K in Exclude<keyof BirdProtocol, 'channels'>]: BirdProtocol[K] };

interface MutableStats {
  imported: number;
  exported: number;
  rows: Map<string, RouteChangeCounts>;
}

const ZERO: RouteChangeCounts = { received: 0, rejected: 0, filtered: 0, ignored: 0, accepted: 0 };

// "<name> <proto> <table> <state> <since> [info]" at column 0 (BIRD 2 pads names; its
// table is "---"). The since column may hold a date and a time ("2024-12-07 23:08:47").
const PROTOCOL_LINE = /^(\S+)\s+(\S+)\s+(\S+)\s+(up|down|start|stop|flush|feed)\s+(\d\S*(?: \d\S*)?|\S+)\s*(.*?)\s*$/;
const STATS_ROW = /^\s+(Import updates|Import withdraws|Export updates|Export withdraws):\s+(.*)$/;
const num = (s: string | undefined): number => (s === undefined || s === '---' ? 0 : Number(s));

/** Parses `show protocols` or `show protocols all` output of BIRD 1.6 or BIRD 2. */
export function parseBirdProtocols(text: string): Map<string, BirdProtocol> {
  const out = new Map<string, BirdProtocol>();
  let current: { p: MutableHead; channels: Map<string, MutableStats> } | undefined;
  let channel = '';
  const flush = (): void => {
    if (current === undefined) return;
    const channels = new Map<string, BirdChannelStats>();
    for (const [name, s] of current.channels) {
      const row = (k: string): RouteChangeCounts => s.rows.get(k) ?? ZERO;
      channels.set(name, {
        imported: s.imported,
        exported: s.exported,
        importUpdates: row('Import updates'),
        importWithdraws: row('Import withdraws'),
        exportUpdates: row('Export updates'),
        exportWithdraws: row('Export withdraws'),
      });
    }
    out.set(current.p.name, { ...current.p, channels });
  };
  const stats = (): MutableStats | undefined => {
    if (current === undefined) return undefined;
    let s = current.channels.get(channel);
    if (s === undefined) current.channels.set(channel, (s = { imported: 0, exported: 0, rows: new Map() }));
    return s;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^BIRD .* ready\.$/.test(line) || /^name\s+proto\s+table/i.test(line)) continue;
    if (!/^\s/.test(line)) {
      const m = PROTOCOL_LINE.exec(line);
      flush();
      current = undefined;
      if (m === null) continue;
      const [name, proto, , state, since, info] = m.slice(1) as [string, string, string, string, string, string];
      const established = state === 'up' && info.split(/\s+/)[0] === 'Established';
      current = { p: { name, proto, state, since, info, bgpState: undefined, neighbor: undefined, established, grActive: false }, channels: new Map() };
      channel = '';
      continue;
    }
    if (current === undefined) continue;
    const ch = /^\s+Channel (\S+)$/.exec(line);
    if (ch) {
      channel = ch[1]!;
      continue;
    }
    const bgp = /^\s+BGP state:\s+(\S+)/.exec(line);
    if (bgp) {
      current.p.bgpState = bgp[1];
      continue;
    }
    const neighbor = /^\s+Neighbor address:\s+(\S+)/.exec(line);
    if (neighbor) {
      current.p.neighbor = neighbor[1]!.replace(/%.*$/, '');
      continue;
    }
    if (/^\s+Neighbor graceful restart active\s*$/.test(line)) {
      current.p.grActive = true;
      continue;
    }
    const routes = /^\s+Routes:\s+(\d+) imported, (?:\d+ filtered, )?(\d+) exported/.exec(line);
    if (routes) {
      const s = stats()!;
      s.imported = Number(routes[1]);
      s.exported = Number(routes[2]);
      continue;
    }
    const row = STATS_ROW.exec(line);
    if (row) {
      const [received, rejected, filtered, ignored, accepted] = row[2]!.trim().split(/\s+/).map(num);
      stats()!.rows.set(row[1]!, { received: received ?? 0, rejected: rejected ?? 0, filtered: filtered ?? 0, ignored: ignored ?? 0, accepted: accepted ?? 0 });
    }
  }
  flush();
  return out;
}

/** A BGP session whose paths are fresh: Established, no graceful restart pending (see the header). */
export const isFresh = (p: BirdProtocol): boolean => p.established && !p.grActive;

/**
 * Whether two readings of a since column are the same instant (see the header):
 * BIRD 2's "HH:MM:SS.mmm" within 50 ms, BIRD 1.6's "HH:MM:SS" within a second,
 * anything else (bgp-rr's RFC 3339 times) only if equal. With BIRD 1.6's second the
 * slack can hide a bounce under two seconds: never rely on BIRD 1.6's since alone to
 * say a session stayed up — the replica's own since, compared exactly, is the proof.
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
