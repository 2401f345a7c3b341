/**
 * What every node's kernel must hold once reflection is complete: every other
 * node's block via that node's address (NEXT_HOP untouched by the reflector,
 * RFC 4456 §10 and reference §4 "an RR must leave NEXT_HOP unchanged"); and what
 * BIRD must hold behind it: fresh paths from the replicas (waitForPaths,
 * freshPathProblems), since a route in the kernel may rest on a path BIRD only kept,
 * stale, for a session that went down (graceful restart: isFresh in
 * harness/bird-protocols.ts).
 */
import { kernelRoutes, type Family } from '../../harness/calico-node.js';
import { isFresh, sameSince } from '../../harness/bird-protocols.js';
import type { BirdRoutes } from '../../harness/bird-routes.js';
import { waitFor } from '../../harness/index.js';
import type { Fabric, FabricNode } from './fabric.js';
import { birdSessionsOf } from './sessions.js';
import { RouteWatch, type Replacement, type RouteEvent } from './route-watch.js';

/** prefix -> expected next hop, for node `at`, from the nodes in `from` (default: all started). */
export function expectedAt(fabric: Fabric, at: FabricNode, family: Family, from?: readonly FabricNode[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of from ?? fabric.nodes.values()) {
    if (n.index === at.index) continue;
    if (family === 4) out.set(n.block4, n.ipv4);
    else out.set(n.block6, n.ipv6);
  }
  return out;
}

/** What is missing or wrong in node's kernel table: "prefix: want via X, have Y". */
export async function kernelProblems(node: FabricNode, expected: ReadonlyMap<string, string>, family: Family): Promise<string[]> {
  const have = await kernelRoutes(node.ns, family);
  const problems: string[] = [];
  for (const [prefix, via] of expected) {
    const gws = have.get(prefix);
    if (gws === undefined) problems.push(`${node.spec.name}: ${prefix} missing`);
    else if (!gws.includes(via)) problems.push(`${node.spec.name}: ${prefix} via ${gws.join(',') || '?'}, want ${via}`);
  }
  return problems;
}

/** Problems over every started node (each expecting every other started node's block). */
export async function meshProblems(fabric: Fabric, family: Family = 4): Promise<string[]> {
  const nodes = [...fabric.nodes.values()];
  const lists = await Promise.all(nodes.map((n) => kernelProblems(n, expectedAt(fabric, n, family), family)));
  return lists.flat();
}

/** Waits until every node's kernel holds every other node's block; throws naming what is missing. */
export async function waitForFullMesh(fabric: Fabric, family: Family = 4, timeoutMs = 60_000): Promise<void> {
  let last: string[] = [];
  try {
    await waitFor(
      async () => {
        last = await meshProblems(fabric, family);
        return last.length === 0;
      },
      { what: `full IPv${family} mesh of routes`, timeoutMs, intervalMs: 500 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nstill wrong: ${last.slice(0, 20).join('; ')}`);
  }
}

/** A RouteWatch on every started node, to prove no route is lost during an operation. */
export class MeshWatch {
  private constructor(private readonly watches: { node: FabricNode; watch: RouteWatch }[]) {}

  static async start(fabric: Fabric): Promise<MeshWatch> {
    const nodes = [...fabric.nodes.values()];
    const watches = await Promise.all(nodes.map(async (node) => ({ node, watch: await RouteWatch.start(fabric.t, node.ns, node.spec.name) })));
    return new MeshWatch(watches);
  }

  /**
   * Every event that removed or re-pointed another node's block, on any watched
   * node, since start. `notAt`: nodes whose own table is not judged (e.g. the node
   * that restarts); `notOf`: nodes whose blocks are expected to go (a deleted node).
   */
  losses(fabric: Fabric, families: readonly Family[] = [4], opts: { notAt?: readonly FabricNode[]; notOf?: readonly FabricNode[] } = {}): RouteEvent[] {
    const notAt = new Set((opts.notAt ?? []).map((n) => n.index));
    const notOf = new Set((opts.notOf ?? []).map((n) => n.index));
    const from = [...fabric.nodes.values()].filter((n) => !notOf.has(n.index));
    return this.watches.flatMap(({ node, watch }) => {
      if (notAt.has(node.index)) return [];
      return families.flatMap((f) => watch.losses(expectedAt(fabric, node, f, from), node.flavor === 'bird1'));
    });
  }

  /** BIRD 1.6 delete+add replacements seen (reported, not failures). */
  replacements(fabric: Fabric, families: readonly Family[] = [4]): Replacement[] {
    return this.watches.flatMap(({ node, watch }) => families.flatMap((f) => watch.replacements(expectedAt(fabric, node, f))));
  }

  /** Every event seen (for failure messages). */
  events(): RouteEvent[] {
    return this.watches.flatMap(({ watch }) => [...watch.events()]);
  }

  async stop(): Promise<void> {
    await Promise.all(this.watches.map(({ watch }) => watch.stop()));
  }
}

/**
 * Waits until every node's BIRD holds `paths` fresh BGP paths for every other node's
 * block (one per replica with ADD-PATH: proof that each replica's session is back and
 * has sent its table). Fresh: from a session Established with no graceful restart
 * pending (isFresh, harness/bird-protocols.ts); a path BIRD kept stale from a session that went down,
 * or that is back but has not sent its End-of-RIB yet, does not count.
 */
export async function waitForPaths(fabric: Fabric, paths: number, family: Family = 4, timeoutMs = 60_000): Promise<void> {
  let last: string[] = [];
  try {
    await waitFor(
      async () => {
        const nodes = [...fabric.nodes.values()];
        const lists = await Promise.all(
          nodes.map(async (n) => {
            const have = await freshBgpRoutes(n, family);
            return [...expectedAt(fabric, n, family).keys()].filter((p) => (have.get(p)?.length ?? 0) !== paths).map((p) => `${n.spec.name}: ${p} has ${have.get(p)?.length ?? 0} fresh paths`);
          }),
        );
        last = lists.flat();
        return last.length === 0;
      },
      { what: `${paths} fresh BGP paths per block at every node`, timeoutMs, intervalMs: 500 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nstill wrong: ${last.slice(0, 20).join('; ')}`);
  }
}

/**
 * What is missing for "every node holds every other node's block through `via`":
 * for each started node and each other node's block (`from`, default every started
 * node), a fresh path (freshBgpRoutes: not a stale copy kept by graceful restart)
 * from one of the replicas `via` (names, default all), with the originating node as
 * NEXT_HOP. Presence in the kernel cannot show this: BIRD keeps a dead replica's
 * paths, stale, and installs them like any other.
 */
export async function freshPathProblems(
  fabric: Fabric,
  opts: { via?: readonly string[]; family?: Family; from?: readonly FabricNode[] } = {},
): Promise<string[]> {
  const family = opts.family ?? 4;
  const via = fabric.hosts.filter((h) => opts.via === undefined || opts.via.includes(h.replica.opts.name));
  const viaAddresses = new Set(via.map((h) => (family === 4 ? h.ipv4 : h.ipv6)));
  const viaNames = via.map((h) => h.replica.opts.name).join(',');
  const nodes = [...fabric.nodes.values()];
  const lists = await Promise.all(
    nodes.map(async (n) => {
      const [fresh, all] = await Promise.all([freshBgpRoutes(n, family), n.bird.bgpRoutes(family)]);
      const problems: string[] = [];
      for (const [prefix, nextHop] of expectedAt(fabric, n, family, opts.from)) {
        const ok = (fresh.get(prefix) ?? []).some((p) => p.from !== undefined && viaAddresses.has(p.from) && p.nextHop === nextHop);
        if (ok) continue;
        const have = (all.get(prefix) ?? []).map((p) => `${p.from ?? p.protocol}${(fresh.get(prefix) ?? []).some((f) => f.protocol === p.protocol) ? '' : ' (not fresh)'} via ${p.nextHop ?? '?'}`);
        problems.push(`${n.spec.name}: ${prefix} has no fresh path from ${viaNames} via ${nextHop} (paths: ${have.join(', ') || 'none'})`);
      }
      return problems;
    }),
  );
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
    before.filter((b) => isFresh(b) && after.some((a) => a.name === b.name && isFresh(a) && sameSince(a.since, b.since))).map((b) => b.name),
  );
  const out: BirdRoutes = new Map();
  for (const [prefix, paths] of routes) {
    const kept = paths.filter((p) => fresh.has(p.protocol));
    if (kept.length > 0) out.set(prefix, kept);
  }
  return out;
}

/** Text for a failed no-loss assertion. */
export function describeLosses(losses: readonly RouteEvent[]): string {
  return losses.slice(0, 20).map((e) => `${e.where}: ${e.line}`).join('\n');
}
