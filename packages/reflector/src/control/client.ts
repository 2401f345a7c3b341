/**
 * The control client used by the CLI: one request, one response line, then close.
 * Errors name what the operator can do about them (daemon not running, permissions).
 */
import { createConnection } from 'node:net';
import type { Request, ResultOf } from './protocol.js';

export type ClientErrorKind = 'not-running' | 'permission' | 'timeout' | 'protocol' | 'remote';

export class ControlClientError extends Error {
  constructor(
    readonly kind: ClientErrorKind,
    message: string,
    /** The daemon's error code, for kind 'remote'. */
    readonly code?: string,
  ) {
    super(message);
  }
}

type Params<M extends Request['method']> = Omit<Extract<Request, { method: M }>, 'id' | 'method'>;

function describe(path: string, err: NodeJS.ErrnoException): ControlClientError {
  switch (err.code) {
    case 'ENOENT':
      return new ControlClientError('not-running', `bgp-rr is not running: no control socket at ${path} (start it with 'bgp-rr run', or pass --control-socket)`);
    case 'ECONNREFUSED':
      return new ControlClientError('not-running', `bgp-rr is not running: nothing listens on ${path} (stale socket)`);
    case 'EACCES':
    case 'EPERM':
      return new ControlClientError('permission', `cannot open ${path}: permission denied (run as root or as a member of the socket's group)`);
    case 'ENOTSOCK':
      return new ControlClientError('not-running', `${path} is not a socket`);
    default:
      return new ControlClientError('not-running', `cannot connect to ${path}: ${err.message}`);
  }
}

export function request<M extends Request['method']>(path: string, method: M, params: Params<M>, timeoutMs = 10_000): Promise<ResultOf[M]> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let buf = '';
    let done = false;
    const finish = (err: Error | null, v?: ResultOf[M]): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      if (err) reject(err);
      else resolve(v as ResultOf[M]);
    };
    const timer = setTimeout(() => finish(new ControlClientError('timeout', `no answer from bgp-rr on ${path} within ${timeoutMs / 1000} s`)), timeoutMs);
    s.setEncoding('utf8');
    s.on('error', (err: NodeJS.ErrnoException) => finish(describe(path, err)));
    s.on('connect', () => s.write(JSON.stringify({ id: 1, method, ...params }) + '\n'));
    s.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      try {
        const res = JSON.parse(buf.slice(0, nl)) as { ok: boolean; result?: unknown; error?: { code: string; message: string } };
        if (res.ok) finish(null, res.result as ResultOf[M]);
        else finish(new ControlClientError('remote', res.error?.message ?? 'error', res.error?.code));
      } catch (err) {
        finish(new ControlClientError('protocol', `bad answer from bgp-rr: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
    s.on('end', () => finish(new ControlClientError('protocol', `bgp-rr closed ${path} without answering`)));
  });
}
