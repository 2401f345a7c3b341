/**
 * Replica registry, outside Calico's tree: /bgp-rr/v1/replicas/<name> holds a
 * JSON ReplicaInfo attached to a lease (TTL about 10 s) that the replica keeps
 * alive every TTL/3. A dead replica's key disappears when its lease expires.
 * If etcd was down long enough for the lease to expire, the next keepalive sees
 * TTL 0 and we grant a new lease and write the key again.
 *
 * The record also carries the replica's peer counts (setPeers): the registration loop
 * rewrites the key, on the same lease, after a keepalive when they changed (so at most
 * once every TTL/3, however often they change); a new registration writes the latest.
 */
import type { Etcd3 } from 'etcd3';
import { createClient, errorText, loadTls, settlesWithin, withAnyEndpoint, type EtcdConnectionOptions, type Tls } from './client.js';
import { prefixRangeEnd } from './keys.js';
import type { Logger } from './watcher.js';

export const REPLICAS_PREFIX = '/bgp-rr/v1/replicas/';

/** How long close() lets a registration finish (revoke the lease) before cancelling its calls. */
const CLOSE_GRACE_MS = 2000;

export interface ReplicaInfo {
  readonly name: string;
  readonly routerId: string;
  readonly addresses: readonly string[];
  readonly clusterId?: string;
  readonly version: string;
  /** RFC 3339. */
  readonly startTime: string;
  /** BGP peers configured for this replica and those Established, as last written (absent until set). */
  readonly peers?: PeerCounts;
}

export interface PeerCounts {
  readonly configured: number;
  readonly established: number;
}

export interface RegistrationStatus {
  readonly registered: boolean;
  readonly endpoint?: string;
  readonly leaseId?: string;
  readonly lastError?: string;
}

export class ReplicaRegistration {
  private st: RegistrationStatus = { registered: false };
  private closed = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private readonly tls: Tls | undefined;
  private readonly ttl: number;
  private readonly log: Logger | undefined;
  /** The connection of the current attempt (closed by close() to cancel what hangs). */
  private client: Etcd3 | undefined;
  #peers: PeerCounts | undefined;

  constructor(
    private readonly conn: EtcdConnectionOptions,
    private readonly info: ReplicaInfo,
    opts: { ttlSeconds?: number; logger?: Logger } = {},
  ) {
    if (!/^[A-Za-z0-9._-]+$/.test(info.name)) throw new Error(`replica name ${JSON.stringify(info.name)}: use letters, digits, '.', '_' or '-'`);
    this.tls = loadTls(conn);
    this.ttl = opts.ttlSeconds ?? 10;
    this.log = opts.logger;
    this.#peers = info.peers;
  }

  get key(): string {
    return REPLICAS_PREFIX + this.info.name;
  }

  start(): void {
    this.loop ??= this.run();
  }

  status(): RegistrationStatus {
    return this.st;
  }

  /**
   * The peer counts to publish with the record. Written by the registration loop after
   * its next keepalive when they differ from what the key holds (coalesced: only the
   * latest counts are written); while etcd is down the next registration writes them.
   */
  setPeers(peers: PeerCounts): void {
    this.#peers = { configured: peers.configured, established: peers.established };
  }

  /** The record as stored: the identity, and the peer counts once set. */
  private record(): string {
    return JSON.stringify(this.#peers === undefined ? this.info : { ...this.info, peers: this.#peers });
  }

  /**
   * Stops keepalives and revokes the lease (the key goes at once), best effort: after
   * CLOSE_GRACE_MS the calls still in flight are cancelled (the lease then expires by
   * itself within its TTL).
   */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    if (!(await settlesWithin(this.loop, CLOSE_GRACE_MS))) this.client?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    let index = 0;
    while (!this.closed) {
      const endpoint = this.conn.endpoints[index % this.conn.endpoints.length] ?? '';
      const client = createClient(endpoint, this.tls, this.conn.callTimeoutMs);
      this.client = client;
      let leaseId: string | undefined;
      try {
        const grant = await client.leaseClient.leaseGrant({ TTL: this.ttl });
        const lease = grant.ID;
        leaseId = lease;
        const put = (value: string) => client.kv.put({ key: Buffer.from(this.key), value: Buffer.from(value), lease });
        let written = this.record();
        await put(written);
        this.st = { registered: true, endpoint, leaseId };
        this.log?.info({ endpoint, leaseId, key: this.key }, 'replica registered');
        while (!this.closed) {
          await this.sleep((this.ttl * 1000) / 3);
          if (this.closed) break;
          if ((await keepAliveOnce(client, leaseId, this.conn.callTimeoutMs ?? 5000)) <= 0) throw new Error('lease expired');
          const now = this.record();
          if (now === written) continue;
          // Best effort: a failed write is tried again after the next keepalive (which reports outages).
          await put(now).then(
            () => void (written = now),
            (err: unknown) => this.log?.warn({ endpoint, err: errorText(err) }, 'replica peer counts not written; trying again'),
          );
        }
        await client.leaseClient.leaseRevoke({ ID: leaseId }).catch(() => undefined);
      } catch (err) {
        this.st = { registered: false, endpoint, lastError: `${endpoint}: ${errorText(err)}` };
        this.log?.warn({ endpoint, err: errorText(err) }, 'replica registration failed; retrying');
        index++;
        if (!this.closed) await this.sleep(1000);
      } finally {
        client.close();
      }
    }
    this.st = { registered: false };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

/** One LeaseKeepAlive round trip; resolves with the remaining TTL (0: the lease is gone). */
function keepAliveOnce(client: Etcd3, id: string, timeoutMs: number): Promise<number> {
  return client.leaseClient.leaseKeepAlive().then(
    (stream) =>
      new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => finish(new Error('lease keepalive timed out')), timeoutMs);
        const finish = (err: Error | undefined, ttl = 0): void => {
          clearTimeout(t);
          try {
            stream.cancel();
          } catch {
            // gone already
          }
          if (err !== undefined) reject(err);
          else resolve(ttl);
        };
        stream.on('data', (res) => finish(undefined, Number(res.TTL)));
        stream.on('error', (err) => finish(err));
        stream.write({ ID: id });
      }),
  );
}

/** The live replicas, from any endpoint. Invalid entries are skipped. */
export async function listReplicas(conn: EtcdConnectionOptions): Promise<{ revision: number; replicas: ReplicaInfo[] }> {
  return withAnyEndpoint(conn, async (client) => {
    const res = await client.kv.range({ key: Buffer.from(REPLICAS_PREFIX), range_end: Buffer.from(prefixRangeEnd(REPLICAS_PREFIX)) });
    const replicas: ReplicaInfo[] = [];
    for (const kv of res.kvs) {
      try {
        const v = JSON.parse(kv.value.toString()) as ReplicaInfo;
        if (typeof v.name !== 'string' || typeof v.routerId !== 'string') continue;
        // Peer counts that are not two counts are dropped (the replica is still listed).
        const { peers, ...rest } = v;
        replicas.push(isPeerCounts(peers) ? { ...rest, peers: { configured: peers.configured, established: peers.established } } : rest);
      } catch {
        // not ours to judge: skip
      }
    }
    return { revision: Number(res.header.revision), replicas };
  });
}

function isPeerCounts(v: unknown): v is PeerCounts {
  if (typeof v !== 'object' || v === null) return false;
  const count = (x: unknown): boolean => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  const p = v as Record<string, unknown>;
  return count(p.configured) && count(p.established);
}
