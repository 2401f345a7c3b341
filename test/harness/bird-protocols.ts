/**
 * BIRD's protocol listing (`birdc show protocols [all] [name]`), parsed: one entry per
 * protocol with its state line and, with `all`, its BGP state and route change
 * statistics. One parser for BIRD 1.6 and BIRD 2, whose listings differ:
 *
 *   BIRD 1.6 (one table per daemon; the statistics belong to the protocol itself):
 *     Global_127_167_0_1 BGP      master   up     23:08:47    Established
 *       Routes:         3 imported, 1 exported, 3 preferred
 *       Route change stats:     received   rejected   filtered    ignored   accepted
 *         Import updates:              6          0          0          3          3
 *         Import withdraws:            0          0        ---          0          0
 *       BGP state:          Established
 *   BIRD 2 (statistics per channel, under "Channel ipv4" / "Channel ipv6"; the since
 *   column in milliseconds):
 *     Global_127_167_0_1 BGP        ---        up     23:08:47.967  Established
 *       BGP state:          Established
 *       Channel ipv4
 *         Routes:         3 imported, 1 exported, 3 preferred
 *         Route change stats:     received   rejected   filtered    ignored   accepted
 *           Import updates:              6          0          0          3          3
 *
 * "Import updates: received" counts every route the peer sent, "ignored" those equal to
 * what BIRD already held, "accepted" those that changed its table: what a test reads to
 * see how many routes a peer sent again. Real captured listings are the unit test's
 * fixtures (test/harness/fixtures/bird-protocols/). Plain module, no I/O.
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
  /** Statistics by channel name ("ipv4", "ipv6"); BIRD 1.6's own under "" (its one table). */
  readonly channels: ReadonlyMap<string, BirdChannelStats>;
}

interface MutableStats {
  imported: number;
  exported: number;
  rows: Map<string, RouteChangeCounts>;
}

const ZERO: RouteChangeCounts = { received: 0, rejected: 0, filtered: 0, ignored: 0, accepted: 0 };

// "<name> <proto> <table> <state> <since> [info]" at column 0 (BIRD 2 pads names).
const PROTOCOL_LINE = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d\S*(?: \d\S*)?)\s*(.*?)\s*$/;
const STATS_ROW = /^\s+(Import updates|Import withdraws|Export updates|Export withdraws):\s+(.*)$/;
const num = (s: string | undefined): number => (s === undefined || s === '---' ? 0 : Number(s));

/** Parses `show protocols` or `show protocols all` output of BIRD 1.6 or BIRD 2. */
export function parseBirdProtocols(text: string): Map<string, BirdProtocol> {
  const out = new Map<string, BirdProtocol>();
  let current: { p: Omit<BirdProtocol, 'channels' | 'bgpState'> & { bgpState: string | undefined }; channels: Map<string, MutableStats> } | undefined;
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
      current = { p: { name: m[1]!, proto: m[2]!, state: m[4]!, since: m[5]!, info: m[6]!, bgpState: undefined }, channels: new Map() };
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
