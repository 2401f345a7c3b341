/**
 * The BGP listen addresses checked at start, before the daemon accepts any connection:
 * each is bound once and closed again at once. A replica accepts BGP only once its first
 * etcd snapshot is applied (daemon.ts): before that it knows no peer and could only
 * refuse, and every node that dials in that window would back off (BIRD's error wait
 * time). The check still makes a bad or busy address fail `bgp-rr run` at start (exit 1,
 * or the fallback from [::] to 0.0.0.0 on a host without IPv6), and resolves port 0 to
 * the port the kernel picked, so the replica's addresses (desired-peers.ts) are known
 * before the first snapshot.
 */
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { ListenAddress } from '@bgp-rr/bgp-speaker';
import { replicaAddressesFor, type ReplicaAddress } from '@bgp-rr/etcd-store';

export interface ResolvedListen {
  readonly address: string;
  readonly port: number;
}

function bindOnce(address: string, port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, backlog: 1, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function close(s: Server): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}

/** Binds and closes every address; rejects with the first bind error (e.g. EADDRINUSE). */
export async function probeListen(addresses: readonly ListenAddress[]): Promise<ResolvedListen[]> {
  const bound: Server[] = [];
  try {
    for (const a of addresses) bound.push(await bindOnce(a.address, a.port ?? 179));
    return bound.map((s, i) => {
      const a = s.address();
      const want = addresses[i]!;
      return a !== null && typeof a === 'object' ? { address: a.address, port: a.port } : { address: want.address, port: want.port ?? 179 };
    });
  } finally {
    await Promise.all(bound.map(close));
  }
}

/** "ADDR:PORT", brackets around IPv6. */
export function endpointText(a: ResolvedListen): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/**
 * The addresses BGPPeers must name for their nodes to be ours (etcd-store desired-peers):
 * the bound listen addresses; a wildcard stands for every address of the host ('::' for
 * both families, as Linux binds it dual-stack).
 */
export function replicaAddresses(bound: readonly ResolvedListen[]): ReplicaAddress[] {
  const host = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return replicaAddressesFor(bound, host);
}
