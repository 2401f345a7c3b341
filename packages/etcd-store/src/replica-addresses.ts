/**
 * PURE: the addresses a BGPPeer's peerIP must name for its nodes to be this
 * replica's. A replica's addresses are the addresses it listens on, or all of the
 * host's addresses when it listens on a wildcard (docs/calico-datastore.md §3).
 *
 * - A specific listen address stands for itself, at its port.
 * - 0.0.0.0 stands for every IPv4 address of the host.
 * - :: stands for every address of the host, IPv4 and IPv6: Linux binds it
 *   dual-stack (net.ipv6.bindv6only=0), so IPv4 clients reach it too.
 * - IPv6 link-local addresses (fe80::/10) are left out: Calico node addresses are
 *   never link-local, and such an address means nothing without its interface.
 * - An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address.
 * The host's addresses are an input (the caller reads os.networkInterfaces()).
 */
import { tryParseIp, type IpAddr } from './resources/index.js';
import type { ReplicaAddress } from './desired-peers.js';

interface ListenAddress {
  readonly address: string;
  readonly port: number;
}

export function replicaAddressesFor(listen: readonly ListenAddress[], hostAddresses: readonly string[]): ReplicaAddress[] {
  const host = hostAddresses.map(canonical).filter((ip): ip is IpAddr => ip !== undefined && !isLinkLocal(ip));
  const out = new Map<string, ReplicaAddress>();
  const add = (address: string, port: number): void => void out.set(`${address}|${port}`, { address, port });
  for (const l of listen) {
    const ip = canonical(l.address);
    if (ip === undefined) continue;
    if (ip.address === '0.0.0.0') for (const h of host.filter((h) => h.family === 4)) add(h.address, l.port);
    else if (ip.address === '::') for (const h of host) add(h.address, l.port);
    else add(ip.address, l.port);
  }
  return [...out.values()];
}

function canonical(text: string): IpAddr | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  return tryParseIp(mapped?.[1] ?? text);
}

function isLinkLocal(ip: IpAddr): boolean {
  return ip.family === 6 && /^fe[89ab][0-9a-f]:/i.test(ip.address);
}
