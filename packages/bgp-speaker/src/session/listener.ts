/**
 * Listening sockets (DESIGN.md §4 "survive the reconnect storm"): one server per
 * ADDR:PORT with a deep backlog, connections accepted paused, dispatched by remote
 * address in O(1). A connection from an address that is no peer is destroyed at once,
 * before any per-connection state exists, and only reported (for counting/logging).
 *
 * TCP MD5 (RFC 2385, tcp-md5.ts): `setMd5Key(peer, key)` puts the peer's key on every
 * listening socket that can take it (an IPv4 socket: IPv4 peers only; an IPv6 one: both,
 * IPv4 as ::ffff:a.b.c.d) and remembers it for sockets bound later. The kernel then
 * drops every segment from that address without the right signature, the SYN included:
 * a wrong or missing password never reaches `accept`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { isIpv6, normaliseAddress } from './address.js';
import { serverSocket, setTcpMd5Key } from './tcp-md5.js';

export interface ListenerHandlers {
  /** The peer's accept function for a remote address, or undefined when no such peer. */
  route(remoteAddress: string): ((socket: Socket) => void) | undefined;
  onUnknown(remoteAddress: string, localAddress: string): void;
  onError(error: Error): void;
}

export interface BoundAddress {
  readonly address: string;
  readonly port: number;
}

export class Listener {
  private readonly servers: Server[] = [];
  /** TCP MD5 keys by normalised peer address. */
  private readonly md5Keys = new Map<string, string>();

  constructor(
    private readonly handlers: ListenerHandlers,
    private readonly backlog = 4096,
    /** Connections one listening socket holds at most (sessions and pending); more are closed at once. */
    private readonly maxConnections = 10_000,
  ) {}

  /** Binds every address; rejects (and closes what was bound) if one fails. */
  async listen(addresses: readonly { address: string; port?: number }[]): Promise<void> {
    const bound: Server[] = [];
    try {
      for (const a of addresses) bound.push(await this.bind(a.address, a.port ?? 179));
    } catch (err) {
      await Promise.all(bound.map(closeServer));
      throw err;
    }
    try {
      for (const s of bound) for (const [peer, key] of this.md5Keys) this.applyKey(s, peer, key);
    } catch (err) {
      await Promise.all(bound.map(closeServer));
      throw err;
    }
    this.servers.push(...bound);
  }

  /**
   * Sets (key non-empty) or deletes (key '') the RFC 2385 key of `peer` on every
   * listening socket; throws TcpMd5Error when the kernel or the FFI refuses it.
   */
  setMd5Key(peer: string, key: string): void {
    const address = normaliseAddress(peer);
    for (const s of this.servers) this.applyKey(s, address, key);
    if (key === '') this.md5Keys.delete(address);
    else this.md5Keys.set(address, key);
  }

  private applyKey(server: Server, peer: string, key: string): void {
    const { fd, family } = serverSocket(server);
    if (family === 4 && isIpv6(peer)) return; // an IPv6 peer never reaches an IPv4 socket
    setTcpMd5Key(fd, family, peer, key);
  }

  bound(): BoundAddress[] {
    const out: BoundAddress[] = [];
    for (const s of this.servers) {
      const a = s.address();
      if (a && typeof a === 'object') out.push({ address: a.address, port: a.port });
    }
    return out;
  }

  async close(): Promise<void> {
    const all = this.servers.splice(0);
    await Promise.all(all.map(closeServer));
  }

  private bind(address: string, port: number): Promise<Server> {
    const server = createServer({ pauseOnConnect: true, noDelay: true }, (socket) => this.accept(socket));
    // Node closes a connection beyond this at accept time, before any callback runs.
    server.maxConnections = this.maxConnections;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen({ host: address, port, backlog: this.backlog, exclusive: true }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.handlers.onError(err));
        resolve(server);
      });
    });
  }

  private accept(socket: Socket): void {
    const remote = normaliseAddress(socket.remoteAddress ?? '');
    const to = this.handlers.route(remote);
    if (to === undefined) {
      const local = normaliseAddress(socket.localAddress ?? '');
      socket.destroy();
      this.handlers.onUnknown(remote, local);
      return;
    }
    to(socket);
  }
}

function closeServer(s: Server): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}
