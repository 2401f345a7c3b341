/**
 * A TCP relay in front of a real etcd member, so a test can cut one client off
 * (every connection reset, new ones refused) while etcd keeps serving others.
 * Listens on a leased loopback address; closed on teardown.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Teardown } from '../../../test/harness/cleanup.js';

export interface TcpProxy {
  readonly url: string;
  /** Resets every relayed connection and refuses new ones. */
  cut(): void;
  /** Accepts and relays again. */
  restore(): void;
}

export async function startProxy(t: Teardown, listenHost: string, target: { host: string; port: number }, scheme = 'http'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) return client.resetAndDestroy();
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(2379, listenHost, resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `${scheme}://${listenHost}:2379`,
    cut() {
      open = false;
      for (const s of sockets) s.resetAndDestroy();
      sockets.clear();
    },
    restore() {
      open = true;
    },
  };
}
