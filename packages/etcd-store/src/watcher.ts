/**
 * The Calico datastore client: list at a revision, then watch from the next one.
 *
 *   connecting --list ok--> watching --event--> (fold, emit diff) --> watching
 *       ^                      |  \--compacted--> re-list, emit the difference
 *       |                      v
 *       +---- backoff <--- disconnected (stream error, endpoint down: next endpoint)
 *
 * - One watch stream per prefix, each resumed from the last revision it saw
 *   (the last event's mod_revision, or a progress notification's header
 *   revision; never a "created" header, which may run ahead of delivered events).
 * - When a resume revision has been compacted (etcd cancels the watch with
 *   compact_revision set) we list again and emit the difference.
 * - etcd down: the last good snapshot stays; we retry every endpoint with capped
 *   backoff, forever, until close().
 * - Quorum lost: the member we watch keeps the stream open but silent (etcd cancels a
 *   watch for lack of a leader only when the client asks it to). While watching we ask
 *   the member for its status every `leaderProbeMs`; a member that knows no leader
 *   (Maintenance.Status leader 0) or does not answer makes the state 'disconnected'
 *   ("no leader (quorum lost)") until it has a leader again. The watch is left as it
 *   is: it resumes by itself with the leader, from the revision it had reached.
 * - Lag: while watching we also ask the member every `revisionProbeMs` (default 30 s)
 *   for the newest mod_revision under the watched prefixes (`latestRevision`;
 *   latestRevision - revision is how far the applied snapshot is behind etcd). That
 *   costs etcd a read of every key under them (a sorted range is read whole before it
 *   is cut to one; keys only travel back): rare on purpose, enough for an alert that
 *   waits minutes, off (0) for a one-shot reader.
 * Both probes run on the watch's own connection, one at a time each, and stop with it.
 */
import type { Etcd3, IWatchResponse } from 'etcd3';
import { createClient, errorText, loadTls, settlesWithin, type EtcdConnectionOptions, type Tls } from './client.js';
import { prefixRangeEnd } from './keys.js';
import { WATCHED_PREFIXES } from './kinds.js';
import { listPrefixes } from './range.js';
import { applyEvents, fromList, isEmptyDiff, relist, type Snapshot, type SnapshotDiff, type StoreEvent } from './snapshot.js';

/**
 * connecting/listing: first contact; watching: up to date; disconnected: the last
 * attempt failed and we keep retrying (it stays so until a watch is up again);
 * closed: close() was called.
 */
export type ConnectionState = 'connecting' | 'listing' | 'watching' | 'disconnected' | 'closed';

export interface WatcherStatus {
  readonly state: ConnectionState;
  readonly endpoint?: string;
  /** Highest etcd revision applied (0 before the first list). */
  readonly revision: number;
  /**
   * The newest mod_revision under the watched prefixes as last probed (0 until the
   * first probe; the last value is kept while etcd does not answer). Only the watched
   * prefixes count: the store revision also moves with writes we never watch (the
   * replica registry, Felix, workload endpoints...). A delete leaves no key to see, so
   * a pending deletion of the newest key does not count.
   */
  readonly latestRevision: number;
  readonly lastError?: string;
  /** ms since epoch of the last state change. */
  readonly since: number;
}

export type WatcherUpdate =
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot }
  | { readonly type: 'diff'; readonly snapshot: Snapshot; readonly diff: SnapshotDiff };

export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WatcherOptions extends EtcdConnectionOptions {
  readonly prefixes?: readonly string[];
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  readonly pageSize?: number;
  /** How often a watched member is asked whether it has a leader (default 3000 ms; 0: never). */
  readonly leaderProbeMs?: number;
  /** How often a watched member is asked for the newest revision under the prefixes (latestRevision; default 30,000 ms; 0: never). See the header for its cost. */
  readonly revisionProbeMs?: number;
  readonly logger?: Logger;
  readonly onStatus?: (s: WatcherStatus) => void;
}

const silent: Logger = { info: () => {}, warn: () => {} };

class Compacted extends Error {}

/** lastError while the watched member knows no leader. */
export const NO_LEADER = 'no leader (quorum lost)';

export class CalicoWatcher {
  private snapshot?: Snapshot;
  private readonly revs = new Map<string, number>();
  private st: WatcherStatus = { state: 'connecting', revision: 0, latestRevision: 0, since: Date.now() };
  private closed = false;
  private wake?: () => void;
  private stopStreams?: (err?: Error) => void;
  private loop?: Promise<void>;
  /** The connection of the current attempt (closed by close() to cancel what hangs). */
  private client?: Etcd3;
  private readonly tls: Tls | undefined;
  private readonly prefixes: readonly string[];
  private readonly log: Logger;
  private readonly firstSnapshot: Promise<Snapshot>;
  private resolveFirst!: (s: Snapshot) => void;

  constructor(private readonly opts: WatcherOptions) {
    if (opts.endpoints.length === 0) throw new Error('no etcd endpoints');
    this.tls = loadTls(opts);
    this.prefixes = opts.prefixes ?? WATCHED_PREFIXES;
    this.log = opts.logger ?? silent;
    this.firstSnapshot = new Promise((r) => (this.resolveFirst = r));
  }

  /** Starts listing and watching; every change is handed to subscriber. */
  start(subscriber: (u: WatcherUpdate) => void): void {
    if (this.loop !== undefined) throw new Error('watcher already started');
    this.loop = this.run(subscriber);
  }

  status(): WatcherStatus {
    return this.st;
  }

  current(): Snapshot | undefined {
    return this.snapshot;
  }

  /** Resolves with the first complete snapshot. */
  ready(): Promise<Snapshot> {
    return this.firstSnapshot;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopStreams?.();
    this.wake?.();
    // A list or a probe in flight against a member without quorum answers only at its
    // deadline: after a short grace, closing the client cancels it.
    if (!(await settlesWithin(this.loop, 1000))) this.client?.close();
    await this.loop;
    this.setStatus({ state: 'closed' });
  }

  private setStatus(p: Partial<WatcherStatus>): void {
    const changed = p.state !== undefined && p.state !== this.st.state;
    const latestMoved = p.latestRevision !== undefined && p.latestRevision !== this.st.latestRevision;
    this.st = { ...this.st, ...p, ...(changed ? { since: Date.now() } : {}) };
    if (changed || latestMoved || p.revision !== undefined) this.opts.onStatus?.(this.st);
  }

  private async run(subscriber: (u: WatcherUpdate) => void): Promise<void> {
    const emit = (u: WatcherUpdate): void => {
      try {
        subscriber(u);
      } catch (err) {
        this.log.warn({ err: errorText(err) }, 'etcd-store subscriber threw; update dropped for it');
      }
    };
    let attempt = 0;
    let index = 0;
    let needList = true;
    while (!this.closed) {
      const endpoint = this.opts.endpoints[index % this.opts.endpoints.length] ?? '';
      const client = createClient(endpoint, this.tls, this.opts.callTimeoutMs);
      this.client = client;
      try {
        // After a failure the state stays 'disconnected' until a watch is up again.
        const retrying = this.st.state === 'disconnected';
        if (needList) {
          this.setStatus({ state: retrying ? 'disconnected' : 'listing', endpoint });
          await this.list(client, emit);
          needList = false;
        }
        this.setStatus({ state: retrying ? 'disconnected' : 'connecting', endpoint });
        const leader = new Periodic(
          this.opts.leaderProbeMs ?? 3000,
          leaderCheck(client, (hasLeader, why) => {
            if (this.closed) return;
            if (hasLeader) {
              if (this.st.state !== 'watching') this.log.info({ endpoint }, 'etcd member has a leader again: watching');
              this.setStatus({ state: 'watching', endpoint, lastError: undefined });
            } else {
              if (this.st.state === 'watching') this.log.warn({ endpoint, err: why }, 'etcd member has no leader: the watch is silent until quorum is back');
              this.setStatus({ state: 'disconnected', lastError: `${endpoint}: ${why}` });
            }
          }),
        );
        const latest = new Periodic(this.opts.revisionProbeMs ?? 30_000, async (live) => {
          // Best effort: no answer keeps the last value (the leader probe reports outages).
          const rev = await newestModRevision(client, this.prefixes).catch(() => undefined);
          if (rev !== undefined && live() && !this.closed) this.setStatus({ latestRevision: rev });
        });
        try {
          await this.watch(client, emit, () => {
            attempt = 0;
            this.setStatus({ state: 'watching', endpoint, lastError: undefined });
            leader.start();
            latest.start();
          });
        } finally {
          leader.stop();
          latest.stop();
        }
      } catch (err) {
        if (err instanceof Compacted) {
          this.log.warn({ endpoint }, 'etcd watch revision compacted: listing again');
          needList = true;
          continue;
        }
        if (this.closed) break;
        this.log.warn({ endpoint, err: errorText(err) }, 'etcd unavailable');
        this.setStatus({ state: 'disconnected', lastError: `${endpoint}: ${errorText(err)}` });
        index++;
        await this.sleep(this.backoff(attempt++));
      } finally {
        client.close();
      }
    }
  }

  private async list(client: Etcd3, emit: (u: WatcherUpdate) => void): Promise<void> {
    const { revision, kvs } = await listPrefixes(client, this.prefixes, this.opts.pageSize);
    if (this.closed) return;
    for (const p of this.prefixes) this.revs.set(p, revision);
    const prev = this.snapshot;
    if (prev === undefined) {
      this.snapshot = fromList(kvs, revision);
      this.setStatus({ revision });
      this.resolveFirst(this.snapshot);
      emit({ type: 'snapshot', snapshot: this.snapshot });
      return;
    }
    const { snapshot, diff } = relist(prev, kvs, revision);
    this.snapshot = snapshot;
    this.setStatus({ revision });
    if (!isEmptyDiff(diff)) emit({ type: 'diff', snapshot, diff });
  }


  /** Resolves on close(); rejects on a stream failure or with Compacted. */
  private watch(client: Etcd3, emit: (u: WatcherUpdate) => void, onAllCreated: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const streams: { cancel(): void }[] = [];
      let done = false;
      let created = 0;
      const stop = (err?: Error): void => {
        if (done) return;
        done = true;
        this.stopStreams = undefined;
        for (const s of streams) {
          try {
            s.cancel();
          } catch {
            // already gone
          }
        }
        if (err === undefined) resolve();
        else reject(err);
      };
      this.stopStreams = stop;
      if (this.closed) return stop();
      const onResponse = (prefix: string, res: IWatchResponse): void => {
        if (done) return;
        if (res.canceled) {
          if (res.compact_revision !== '0' && res.compact_revision !== '') return stop(new Compacted());
          return stop(new Error(`watch canceled: ${res.cancel_reason || 'no reason given'}`));
        }
        if (res.created) {
          if (++created === this.prefixes.length) onAllCreated();
          return;
        }
        if (res.events.length === 0) {
          // Progress notification: everything up to header.revision was delivered.
          this.revs.set(prefix, Math.max(this.revs.get(prefix) ?? 0, Number(res.header.revision)));
          return;
        }
        const events: StoreEvent[] = res.events.map((ev) => {
          const key = ev.kv.key.toString();
          const modRevision = Number(ev.kv.mod_revision);
          return ev.type === 'Delete' ? { type: 'delete', key, modRevision } : { type: 'put', key, value: ev.kv.value.toString(), modRevision };
        });
        this.revs.set(prefix, events[events.length - 1]?.modRevision ?? 0);
        if (this.snapshot === undefined) return;
        const { snapshot, diff } = applyEvents(this.snapshot, events);
        this.snapshot = snapshot;
        this.setStatus({ revision: Math.max(this.st.revision, snapshot.revision) });
        if (!isEmptyDiff(diff)) emit({ type: 'diff', snapshot, diff });
      };
      for (const prefix of this.prefixes) {
        client.watchClient.watch().then(
          (stream) => {
            stream.on('error', (err) => stop(err));
            if (done) return stream.cancel();
            streams.push(stream);
            stream.on('data', (res) => onResponse(prefix, res));
            stream.on('end', () => stop(new Error('watch stream ended')));
            stream.write({
              create_request: {
                key: Buffer.from(prefix),
                range_end: Buffer.from(prefixRangeEnd(prefix)),
                start_revision: (this.revs.get(prefix) ?? 0) + 1,
                progress_notify: true,
              },
            });
          },
          (err: Error) => stop(err),
        );
      }
    });
  }

  private backoff(attempt: number): number {
    const min = this.opts.retryMinMs ?? 200;
    const max = this.opts.retryMaxMs ?? 2000;
    const d = Math.min(max, min * 2 ** Math.min(attempt, 10));
    return d / 2 + Math.random() * (d / 2);
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

/**
 * Runs `task` every `intervalMs` from start() (the first run at once), never two at a
 * time; the timer is unref'd and stop() ends it for good. `live()` tells a run still
 * under way after stop() that its answer is no longer wanted.
 */
class Periodic {
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly task: (live: () => boolean) => Promise<void>,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.#timer !== undefined || this.#stopped) return;
    this.#timer = setInterval(() => void this.run(), this.intervalMs);
    this.#timer.unref();
    void this.run();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  private async run(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      await this.task(() => !this.#stopped);
    } catch {
      // Tasks handle their own failures; a throwing status callback must not become an unhandled rejection.
    } finally {
      this.#busy = false;
    }
  }
}

/**
 * Asks the watched member whether it knows a leader (Maintenance.Status, etcd API v3:
 * `leader` is the leader's member id, 0 when there is none). Reports a change of answer
 * only; never touches the watch streams.
 */
function leaderCheck(client: Etcd3, report: (leader: boolean, why: string) => void): (live: () => boolean) => Promise<void> {
  // The watch has just been created on a member that answered: it is taken to have a leader.
  let last = true;
  let failures = 0;
  return async (live) => {
    let leader: boolean;
    let why = '';
    try {
      const st = await client.maintenance.status();
      failures = 0;
      leader = st.leader !== '0' && st.leader !== '';
      if (!leader) why = NO_LEADER;
    } catch (err) {
      // One lost answer on a busy host is no outage; two in a row are.
      leader = ++failures < 2 && last;
      why = `no answer to a status request (${errorText(err)})`;
    }
    if (!live() || leader === last) return;
    last = leader;
    report(leader, why);
  };
}

/** The newest mod_revision under the prefixes (0: all empty): per prefix one key, sorted by mod_revision descending. */
async function newestModRevision(client: Etcd3, prefixes: readonly string[]): Promise<number> {
  const revs = await Promise.all(
    prefixes.map(async (p) => {
      const res = await client.kv.range({ key: Buffer.from(p), range_end: Buffer.from(prefixRangeEnd(p)), limit: 1, sort_order: 'Descend', sort_target: 'Mod', keys_only: true });
      return Number(res.kvs[0]?.mod_revision ?? 0);
    }),
  );
  return Math.max(0, ...revs);
}
