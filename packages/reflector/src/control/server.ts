/**
 * The control server: a Unix socket (mode 0660, so root and the bgp-rr group may ask),
 * newline-delimited JSON requests answered in order (protocol.ts). The handler is the
 * daemon's; this file only frames, parses and guards.
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync, type Stats } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { MAX_REQUEST_BYTES, parseRequest, type ErrorCode, type Request, type Response } from './protocol.js';
import { WRITE_METHODS, mayWrite, peerCredentials } from './peer-cred.js';

export class ControlError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ControlHandler = (req: Request) => Promise<unknown> | unknown;

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** True when something accepts connections on `path`. */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export class ControlServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(
    readonly path: string,
    server: Server,
  ) {
    this.#server = server;
  }

  /** Listens on `path`; a stale socket file is replaced, a live one is an error. */
  static async listen(path: string, handler: ControlHandler): Promise<ControlServer> {
    mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
    const existing = statOrUndefined(path);
    if (existing !== undefined && !existing.isSocket()) throw new Error(`control socket path ${path} exists and is not a socket`);
    if (existing !== undefined) {
      if (await socketInUse(path)) throw new Error(`control socket ${path} is in use: is another bgp-rr running?`);
      unlinkSync(path); // left by a daemon that did not stop cleanly
    }
    const server = createServer();
    const cs = new ControlServer(path, server);
    server.on('connection', (s) => cs.#serve(s, handler));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o660);
    return cs;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    try {
      unlinkSync(this.path);
    } catch {
      // gone already
    }
  }

  #serve(s: Socket, handler: ControlHandler): void {
    this.#sockets.add(s);
    s.on('close', () => this.#sockets.delete(s));
    s.on('error', () => s.destroy());
    s.setEncoding('utf8');
    // Read-only unless the client is root or the service user (peer-cred.ts).
    const writer = mayWrite(peerCredentials(s), process.geteuid?.());
    let buf = '';
    let chain = Promise.resolve();
    s.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_REQUEST_BYTES && !buf.includes('\n')) {
        s.end(JSON.stringify({ id: 0, ok: false, error: { code: 'BAD_REQUEST', message: 'request too long' } }) + '\n');
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line === '') continue;
        chain = chain.then(async () => {
          const res = await answer(line, handler, writer);
          if (!s.destroyed) s.write(JSON.stringify(res) + '\n');
        });
      }
    });
  }
}

async function answer(line: string, handler: ControlHandler, writer: boolean): Promise<Response> {
  let req: Request;
  try {
    req = parseRequest(line);
  } catch (err) {
    return { id: 0, ok: false, error: { code: 'BAD_REQUEST', message: err instanceof Error ? err.message : String(err) } };
  }
  if (!writer && WRITE_METHODS.has(req.method)) {
    const message = `permission denied: '${req.method}' changes state and needs root or the bgp-rr service user; members of its group may only read`;
    return { id: req.id, ok: false, error: { code: 'BAD_REQUEST', message } };
  }
  try {
    return { id: req.id, ok: true, result: await handler(req) };
  } catch (err) {
    if (err instanceof ControlError) return { id: req.id, ok: false, error: { code: err.code, message: err.message } };
    return { id: req.id, ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } };
  }
}
