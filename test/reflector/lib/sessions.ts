/**
 * Sessions as the replicas report them (`bgp-rr peers --json`): waiting for them, and
 * fingerprints to prove a session did not bounce.
 */
import { waitFor } from '../../harness/index.js';
import type { Fabric } from './fabric.js';
import type { PeerRow, Replica } from './replica.js';

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
 * Session identity per replica and peer: its state and how many times it reached
 * Established (`bgp-rr peers --json`); a bounce changes the count.
 */
export async function sessionFingerprints(fabric: Fabric): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const rows = await Promise.all(fabric.replicas.map(async (r) => ({ r, rows: await r.peers() })));
  for (const { r, rows: list } of rows) {
    for (const row of list) {
      if (typeof row.establishedTransitions !== 'number') throw new Error(`${r.opts.name}: bgp-rr peers --json has no establishedTransitions: ${JSON.stringify(row)}`);
      out.set(`${r.opts.name} ${str(row, 'address')}`, `${str(row, 'state')} transitions=${str(row, 'establishedTransitions')}`);
    }
  }
  return out;
}

/** The node addresses (IPv4, and IPv6 when the fabric has it) of the started nodes. */
export function nodeAddresses(fabric: Fabric): string[] {
  return [...fabric.nodes.values()].flatMap((n) => (fabric.opts.ipv6 ? [n.ipv4, n.ipv6] : [n.ipv4]));
}
