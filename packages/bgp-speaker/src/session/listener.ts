/**
 * Listening sockets (DESIGN.md §4 "survive the reconnect storm"): one server per
 * ADDR:PORT with a deep backlog, connections accepted paused, dispatched by remote
 * address in O(1). A connection from an address that is no peer is destroyed at once,
 * before any per-connection state exists, and only reported (for counting/logging).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { normaliseAddress } from './address.js';

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

  constructor(
    private readonly handlers: ListenerHandlers,
    private readonly backlog = 4096,
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
    this.servers.push(...bound);
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
