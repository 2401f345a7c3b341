/**
 * How we talk to etcd: one etcd3 client per endpoint, created fresh for every
 * connection attempt and closed after a failure, so that gRPC reconnect backoff
 * never delays recovery and we always know which endpoint we use.
 *
 * etcd3's own fault handling (a 3-retry global policy and a 5 s circuit breaker
 * per host) is replaced by a pass-through: the callers (watcher, registry) own
 * retries, endpoint rotation and backoff. Every unary call has a deadline.
 */
import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';

export interface EtcdConnectionOptions {
  /** "http://127.0.0.1:2379" or "https://..." (calicoctl ETCD_ENDPOINTS, comma-separated). */
  readonly endpoints: readonly string[];
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Deadline for each unary call (default 5000 ms). */
  readonly callTimeoutMs?: number;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:2379';

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** Runs the call once; retries are ours. Always async: etcd3 chains .catch() on it. */
const passThrough = {
  execute: async <T>(fn: (ctx: { signal: AbortSignal; attempt: number }) => T | Promise<T>): Promise<T> => fn({ signal: new AbortController().signal, attempt: 0 }),
} as unknown as Policy;

export function parseEndpoints(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^[a-z]+:\/\//.test(s) ? s : `http://${s}`));
}

export interface Tls {
  readonly rootCertificate: Buffer;
  readonly privateKey?: Buffer;
  readonly certChain?: Buffer;
}

/** Reads the TLS files once (at start; a missing file is a configuration error). */
export function loadTls(o: EtcdConnectionOptions): Tls | undefined {
  if (o.caFile === undefined && o.certFile === undefined && o.keyFile === undefined) return undefined;
  if ((o.certFile === undefined) !== (o.keyFile === undefined)) throw new Error('ETCD_CERT_FILE and ETCD_KEY_FILE go together');
  if (o.caFile === undefined) throw new Error('a client certificate needs ETCD_CA_CERT_FILE');
  return {
    rootCertificate: readFileSync(o.caFile),
    ...(o.keyFile !== undefined ? { privateKey: readFileSync(o.keyFile) } : {}),
    ...(o.certFile !== undefined ? { certChain: readFileSync(o.certFile) } : {}),
  };
}

export function createClient(endpoint: string, tls: Tls | undefined, callTimeoutMs = 5000): Etcd3 {
  return new Etcd3({
    hosts: [endpoint],
    ...(tls !== undefined ? { credentials: tls } : {}),
    dialTimeout: callTimeoutMs,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    faultHandling: { host: () => passThrough, global: passThrough },
    grpcOptions: {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 1000,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5000,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    },
  });
}

/** Tries each endpoint in turn (starting at `start`) until fn succeeds. */
export async function withAnyEndpoint<T>(o: EtcdConnectionOptions, fn: (client: Etcd3, endpoint: string) => Promise<T>, start = 0): Promise<T> {
  const tls = loadTls(o);
  let last: unknown = new Error('no etcd endpoints');
  for (let i = 0; i < o.endpoints.length; i++) {
    const endpoint = o.endpoints[(start + i) % o.endpoints.length] ?? '';
    const client = createClient(endpoint, tls, o.callTimeoutMs);
    try {
      return await fn(client, endpoint);
    } catch (err) {
      last = err;
    } finally {
      client.close();
    }
  }
  throw last;
}

/**
 * Whether `p` settles within `ms` (a stop waits that long for calls in flight, then
 * cancels them by closing the client: an etcd without quorum answers nothing until each
 * call's deadline, and a stop must not wait for all of them in turn).
 */
export function settlesWithin(p: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (p === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    t.unref();
    void p.then(
      () => {
        clearTimeout(t);
        resolve(true);
      },
      () => {
        clearTimeout(t);
        resolve(true);
      },
    );
  });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
