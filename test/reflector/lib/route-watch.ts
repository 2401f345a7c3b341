/**
 * Watches a namespace's kernel routing table continuously with `ip -ts monitor route`
 * (netlink RTM_NEWROUTE / RTM_DELROUTE as they happen), so a test can assert that a
 * route was never removed, however briefly, instead of sampling `ip route` and
 * hoping to catch the gap.
 *
 * BIRD 1.6 note: its kernel protocol changes a route by RTM_DELROUTE immediately
 * followed by RTM_NEWROUTE (krt_replace_rte in sysdep/linux/netlink.c), even when the
 * new best path has the same next hop (e.g. the best path moves from one reflector's
 * session to another's). Such a pair (the deletion followed, as the very next event
 * of that family in the namespace, by the identical route) is an in-place
 * replacement, not a loss; `replacements` lists them with the gap for the record.
 * BIRD 2 replaces routes with one RTM_NEWROUTE, so for it every deletion is a loss.
 */
import type { Netns, Proc, Teardown } from '../../harness/index.js';
import { requireTool, waitFor } from '../../harness/index.js';

export interface RouteEvent {
  /** The namespace (node) where it happened. */
  readonly where: string;
  readonly deleted: boolean;
  readonly prefix: string;
  readonly via: string | undefined;
  /** From `ip -ts`: milliseconds since the epoch (microsecond fraction kept). */
  readonly at: number;
  readonly line: string;
}

export interface Replacement {
  readonly deleted: RouteEvent;
  readonly added: RouteEvent;
  readonly gapMs: number;
}

export class RouteWatch {
  readonly #events: RouteEvent[] = [];

  private constructor(
    readonly where: string,
    private readonly proc: Proc,
  ) {
    proc.onLine((line) => {
      const e = parseMonitorLine(where, line);
      if (e !== undefined) this.#events.push(e);
    });
  }

  /** Starts `ip monitor route` in ns and waits until it provably sees events. */
  static async start(t: Teardown, ns: Netns, where: string): Promise<RouteWatch> {
    const ip = requireTool('ip');
    const proc = ns.spawn(t, ip, ['-ts', 'monitor', 'route'], { name: `monitor-${where}` });
    const w = new RouteWatch(where, proc);
    // A probe route only this namespace ever has (TEST-NET-2, RFC 5737): once its
    // event shows up, every later change is seen.
    const probe = '198.51.100.1';
    await waitFor(
      async () => {
        await ns.exec(ip, ['route', 'replace', 'blackhole', probe]);
        await ns.exec(ip, ['route', 'del', 'blackhole', probe]);
        return w.#events.some((e) => e.prefix === `${probe}/32`);
      },
      { what: `ip monitor route in ${where}`, timeoutMs: 10_000, intervalMs: 300 },
    );
    return w;
  }

  events(): readonly RouteEvent[] {
    return this.#events;
  }

  /**
   * Events that took away one of the expected routes (prefix -> next hop): a
   * deletion, or the route re-pointed to another next hop. With replacePairs (BIRD
   * 1.6), a deletion directly followed by the identical route is not a loss.
   */
  losses(expected: ReadonlyMap<string, string>, replacePairs: boolean, from = 0): RouteEvent[] {
    const events = this.#events.slice(from);
    return events.filter((e, i) => {
      const via = expected.get(e.prefix);
      if (via === undefined) return false;
      if (!e.deleted) return e.via !== undefined && e.via !== via;
      return !(replacePairs && isReplacement(e, nextOfFamily(events, i)));
    });
  }

  /** BIRD 1.6 delete+add pairs of expected routes (see the note above). */
  replacements(expected: ReadonlyMap<string, string>, from = 0): Replacement[] {
    const events = this.#events.slice(from);
    const out: Replacement[] = [];
    events.forEach((e, i) => {
      const next = nextOfFamily(events, i);
      if (expected.has(e.prefix) && next !== undefined && isReplacement(e, next)) out.push({ deleted: e, added: next, gapMs: next.at - e.at });
    });
    return out;
  }

  get mark(): number {
    return this.#events.length;
  }

  async stop(): Promise<void> {
    await this.proc.kill('SIGTERM');
  }
}

const isV6 = (e: RouteEvent): boolean => e.prefix.includes(':');

function nextOfFamily(events: readonly RouteEvent[], i: number): RouteEvent | undefined {
  const e = events[i];
  if (e === undefined) return undefined;
  return events.slice(i + 1).find((x) => isV6(x) === isV6(e));
}

function isReplacement(del: RouteEvent, next: RouteEvent | undefined): next is RouteEvent {
  return del.deleted && next !== undefined && !next.deleted && next.prefix === del.prefix && next.via === del.via;
}

/**
 * One `ip -ts monitor route` line: "[Deleted ]PREFIX via GW dev IF proto bird ..." or
 * "[Deleted ]blackhole PREFIX ...". A bare address is a /32 or /128.
 */
export function parseMonitorLine(where: string, raw: string): RouteEvent | undefined {
  const ts = /^\[([^\]]+)\]\s*/.exec(raw);
  const at = ts?.[1] !== undefined ? parseStamp(ts[1]) : Date.now();
  const line = ts ? raw.slice(ts[0].length) : raw;
  const m = /^(Deleted\s+)?(?:(?:blackhole|unreachable|prohibit|local|broadcast|multicast|anycast)\s+)?([0-9a-f.:]+(?:\/\d+)?)\b(.*)$/i.exec(line.trim());
  if (!m || m[2] === undefined) return undefined;
  let prefix = m[2];
  if (!prefix.includes('/')) prefix += prefix.includes(':') ? '/128' : '/32';
  const via = /\bvia\s+(?:inet6?\s+)?([0-9a-f.:]+)/i.exec(m[3] ?? '')?.[1];
  return { where, deleted: m[1] !== undefined, prefix, via, at, line: raw };
}

/** "2026-11-25T09:59:14.389123" (local time, microseconds) -> ms since the epoch. */
function parseStamp(s: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?/.exec(s);
  if (!m) return Date.now();
  const base = new Date(m[1] ?? '').getTime();
  return base + (m[2] ? Number(m[2]) * 1000 : 0);
}
