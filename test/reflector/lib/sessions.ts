/**
 * Sessions as the replicas report them (`bgp-rr peers --json`) and as the nodes' BIRD
 * reports them (`birdc show protocols all`, parsed by harness/bird-protocols.ts):
 * waiting for them; and both ends of every session (the replica's row, the node's BIRD
 * protocol) with the time each came up, to prove a session did not bounce.
 */
import type { Family } from '../../harness/calico-node.js';
import { parseBirdProtocols, sameSince, type BirdProtocol } from '../../harness/bird-protocols.js';
import { waitFor } from '../../harness/index.js';
import type { Fabric, FabricNode } from './fabric.js';
import type { PeerRow, Replica } from './replica.js';

/** The families whose BIRD daemon is queried separately (BIRD 1.6: bird and bird6; BIRD 2: one). */
function daemonFamilies(node: FabricNode, ipv6: boolean): Family[] {
  return node.flavor === 'bird1' && ipv6 ? [4, 6] : [4];
}

/** The BGP sessions (BGP protocols) of the BIRD daemon serving `family` on node. */
export async function birdSessionsOf(node: FabricNode, family: Family): Promise<BirdProtocol[]> {
  const res = await node.bird.birdc(['show', 'protocols', 'all'], family);
  if (res.code !== 0) throw new Error(`${node.spec.name}: birdc show protocols all failed: ${res.stderr || res.stdout}`);
  return [...parseBirdProtocols(res.stdout).values()].filter((p) => p.proto === 'BGP');
}

/** Every BGP session of node (both daemons of a BIRD 1.6 node with IPv6). */
export async function birdSessions(node: FabricNode, ipv6: boolean): Promise<BirdProtocol[]> {
  const lists = await Promise.all(daemonFamilies(node, ipv6).map((f) => birdSessionsOf(node, f)));
  return lists.flat();
}

export const str = (row: PeerRow, field: string): string => String(row[field] ?? '');

/** Addresses of the Established peers of a replica. */
export async function establishedAt(r: Replica): Promise<Set<string>> {
  const rows = await r.peers();
  return new Set(rows.filter((row) => str(row, 'state') === 'Established').map((row) => str(row, 'address')));
}

/** Waits until every running replica has exactly `addresses` Established. */
export async function waitForSessions(fabric: Fabric, addresses: readonly string[], timeoutMs = 60_000): Promise<void> {
  const want = [...addresses].sort().join(',');
  let last = '';
  try {
    await waitFor(
      async () => {
        const got = await Promise.all(fabric.replicas.filter((r) => r.running).map(async (r) => [...(await establishedAt(r))].sort().join(',')));
        last = got.join(' | ');
        return got.every((g) => g === want);
      },
      { what: 'sessions Established on every replica', timeoutMs, intervalMs: 500 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nwant ${want}\nhave ${last}`);
  }
}

/**
 * One end of one BGP session between a replica and a node, as that end reports it:
 * the replica's row (`bgp-rr peers --json`) or the node's BIRD protocol (`show
 * protocols all`). `since` is when that end's state last changed, so while
 * Established it is when the session came up: a session that bounced, or a peer
 * re-created on either side, has another `since` even if it is Established again.
 * (A count of Established transitions cannot tell: it starts again at 1 on a
 * re-created peer.)
 */
export interface SessionEnd {
  /** "rr-1 10.L.1.3" (the replica's end, keyed by the node's address) or "node-3 10.L.0.1" (the node's end, keyed by the replica's). */
  readonly key: string;
  readonly side: 'replica' | 'node';
  /** Replica name ("rr-1"), or the address if it is no replica of the fabric. */
  readonly replica: string;
  /** Node name ("node-3"), or the address if it is no node of the fabric. */
  readonly node: string;
  /** "Established", or the state while not (bgp-rr's state; BIRD's info column). */
  readonly state: string;
  /** bgp-rr: RFC 3339 to the millisecond; BIRD: its since column (see sameSince in harness/bird-protocols.ts). */
  readonly since: string;
}

/** Both ends of every session: every running replica's rows and every started node's BIRD sessions. */
export async function sessionEnds(fabric: Fabric): Promise<Map<string, SessionEnd>> {
  const nodeOf = new Map<string, string>();
  for (const n of fabric.nodes.values()) {
    nodeOf.set(n.ipv4, n.spec.name);
    if (fabric.opts.ipv6) nodeOf.set(n.ipv6, n.spec.name);
  }
  const replicaOf = new Map<string, string>();
  for (const h of fabric.hosts) {
    replicaOf.set(h.ipv4, h.replica.opts.name);
    if (fabric.opts.ipv6) replicaOf.set(h.ipv6, h.replica.opts.name);
  }
  const out = new Map<string, SessionEnd>();
  const add = (e: SessionEnd): void => {
    if (out.has(e.key)) throw new Error(`two sessions read as ${e.key}`);
    out.set(e.key, e);
  };
  const replicas = await Promise.all(fabric.replicas.filter((r) => r.running).map(async (r) => ({ r, rows: await r.peers() })));
  for (const { r, rows } of replicas) {
    for (const row of rows) {
      const address = str(row, 'address');
      if (typeof row.since !== 'string' || Number.isNaN(Date.parse(row.since))) throw new Error(`${r.opts.name}: bgp-rr peers --json has no since time: ${JSON.stringify(row)}`);
      add({ key: `${r.opts.name} ${address}`, side: 'replica', replica: r.opts.name, node: nodeOf.get(address) ?? address, state: str(row, 'state'), since: row.since });
    }
  }
  const nodes = await Promise.all([...fabric.nodes.values()].map(async (n) => ({ n, sessions: await birdSessions(n, fabric.opts.ipv6 ?? false) })));
  for (const { n, sessions } of nodes) {
    for (const s of sessions) {
      const address = s.neighbor ?? s.name;
      add({ key: `${n.spec.name} ${address}`, side: 'node', replica: replicaOf.get(address) ?? address, node: n.spec.name, state: s.established ? 'Established' : `${s.state}/${s.info.split(/\s+/)[0]}`, since: s.since });
    }
  }
  return out;
}

/**
 * The sessions of `before` (those `keep` selects) that are not untouched in `after`:
 * gone, not Established (then or now), or with another since. Empty when every one
 * stayed up throughout. BIRD's since readings wobble a little from call to call and
 * are compared as sameSince does; bgp-rr's exactly.
 */
export function bouncedSessions(before: ReadonlyMap<string, SessionEnd>, after: ReadonlyMap<string, SessionEnd>, keep: (e: SessionEnd) => boolean = () => true): string[] {
  const out: string[] = [];
  for (const [key, b] of before) {
    if (!keep(b)) continue;
    const a = after.get(key);
    const was = `${b.state} since ${b.since}`;
    if (a === undefined) out.push(`${key}: gone (was ${was})`);
    else if (b.state !== 'Established' || a.state !== 'Established' || !sameSince(a.since, b.since)) out.push(`${key}: ${was}, now ${a.state} since ${a.since}`);
  }
  return out;
}

/** The ends of `before` that `keep` selects (to report how many sessions an assertion covers). */
export function countEnds(ends: ReadonlyMap<string, SessionEnd>, keep: (e: SessionEnd) => boolean = () => true): { replica: number; node: number } {
  const kept = [...ends.values()].filter(keep);
  return { replica: kept.filter((e) => e.side === 'replica').length, node: kept.filter((e) => e.side === 'node').length };
}

/**
 * The replicas' ends only, as "<replica> <peer address>" -> "<state> since <since>":
 * a bounce or a re-created peer changes the value.
 */
export async function sessionFingerprints(fabric: Fabric): Promise<Map<string, string>> {
  const ends = await sessionEnds(fabric);
  return new Map([...ends.values()].filter((e) => e.side === 'replica').map((e) => [e.key, `${e.state} since ${e.since}`]));
}

/** The node addresses (IPv4, and IPv6 when the fabric has it) of the started nodes. */
export function nodeAddresses(fabric: Fabric): string[] {
  return [...fabric.nodes.values()].flatMap((n) => (fabric.opts.ipv6 ? [n.ipv4, n.ipv6] : [n.ipv4]));
}
