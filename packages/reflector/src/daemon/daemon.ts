/**
 * The composition root of `bgp-rr run` (DESIGN.md §2):
 *
 *   etcd ─► CalicoWatcher ─► snapshot ─► deriveConfig ─► reconcile ─► Speaker peer table
 *                                   └──► import policy ─► RouteEngine.setPolicy
 *   Speaker events ─► RouteEngine (Adj-RIB-In, Loc-RIB, update groups) ─► Feeder ─► sockets
 *   ReplicaRegistration (lease), ControlServer (Unix socket), Metrics (HTTP)
 *
 * etcd unreachable: the watcher keeps the last good snapshot, nothing is reconciled,
 * sessions are untouched; when it returns, the difference is applied.
 * Stopping: `stop('graceful')` (SIGTERM) closes every session with a bare TCP close and
 * no NOTIFICATION, so clients' GR helpers keep our routes through a restart (RFC 4724);
 * `drain()` (`bgp-rr drain`) sends Cease 6/2 with a shutdown communication (RFC 9003)
 * and keeps the sessions down.
 */
import { hostname } from 'node:os';
import { Speaker, parseIpv4, realClock, type Clock, type ListenAddress } from '@bgp-rr/bgp-speaker';
import {
  CalicoWatcher,
  ReplicaRegistration,
  deriveConfig,
  type DesiredConfig,
  type EtcdConnectionOptions,
  type ReplicaAddress,
  type ReplicaInfo,
  type Snapshot,
  type SnapshotDiff,
  type WatcherStatus,
} from '@bgp-rr/etcd-store';
import type { Logger } from './log.js';
import { RouteEngine } from '../engine/engine.js';
import type { ImportPolicy, RoutePolicyMode } from '../engine/import-policy.js';
import { snapshotPolicy } from './policy-inputs.js';
import { isEmptyPlan, peerSpecFor, reconcile, type PeerSpec } from './reconcile.js';
import { Feeder } from './feeder.js';
import { Metrics } from '../exporters/metrics.js';
import { ControlServer } from '../control/server.js';
import { wireSpeaker } from './speaker-events.js';
import { EtcdRevisionProbe, PeerCountPublisher, controlHandler, peerSamples, replicaAddresses } from './control-handler.js';
import type { PeerSample } from '../exporters/metrics.js';
import { PeerGuard } from './peer-guard.js';
import type { PrefixLimitAction } from '../engine/prefix-limit.js';
import { LastErrors } from './last-errors.js';
import { endpointText, probeListen, type ResolvedListen } from './listen-probe.js';
import { applyPasswords } from './peer-passwords.js';
import type { PasswordTable } from './secrets.js';

export type { RoutePolicyMode } from '../engine/import-policy.js';

export interface DaemonOptions {
  readonly etcd: EtcdConnectionOptions;
  readonly routerId: string;
  /** RFC 4456 §7 CLUSTER_ID, dotted quad; default the router id. */
  readonly clusterId?: string;
  readonly listen: readonly ListenAddress[];
  readonly name: string;
  readonly controlSocket: string;
  /** "HOST:PORT", or '' to serve no metrics. */
  readonly metricsAddress: string;
  readonly holdTime: number;
  readonly routePolicy: RoutePolicyMode;
  readonly maxPrefixes: number;
  /** What happens past maxPrefixes (engine/prefix-limit.ts). */
  readonly maxPrefixesAction: PrefixLimitAction;
  /** TCP MD5 passwords (--password-file, secrets.ts); peers with one run passive (peer-passwords.ts). */
  readonly passwords?: PasswordTable;
  /** RFC 4724 §4.1 selection deferral, seconds. */
  readonly selectionDeferral: number;
  /** Restart Time we advertise when the BGPPeer sets none (RFC 4724 §3), seconds. */
  readonly restartTime: number;
  readonly connectRetry: number;
  readonly version: string;
}

/** Builds the import policy for a snapshot (policy.ts, issue 5). */
export type PolicyFactory = (snapshot: Snapshot, config: DesiredConfig, mode: RoutePolicyMode) => ImportPolicy;

export interface DaemonDeps {
  readonly logger: Logger;
  /** Default: the import policy of policy.ts. */
  readonly policy?: PolicyFactory;
  readonly clock?: Clock;
}

export class Daemon {
  readonly speaker: Speaker;
  readonly engine: RouteEngine;
  readonly feeder: Feeder;
  /** Max-prefix Cease + backoff, unknown-connection counting (peer-guard.ts). */
  readonly guard: PeerGuard;
  readonly metrics: Metrics;
  readonly watcher: CalicoWatcher;
  registration: ReplicaRegistration | undefined;
  readonly startedAt = new Date();
  /** Peers we run, by address. */
  readonly current = new Map<string, PeerSpec>();
  /** When each peer's last error happened (`bgp-rr peer`). */
  readonly lastErrors = new LastErrors();
  readonly log: Logger;
  draining = false;
  config: DesiredConfig | undefined;
  listenBound: string[] = [];
  /** Set when the daemon stopped itself on an error (run exits 1). */
  failure: Error | undefined;
  #listen: readonly ResolvedListen[] = [];
  #listenStarted = false;
  #accepted = false;
  #accepting: Promise<void> = Promise.resolve();
  #replica: readonly ReplicaAddress[] = [];
  #snapshot: Snapshot | undefined;
  #control: ControlServer | undefined;
  #statsTimer: NodeJS.Timeout | undefined;
  readonly revisionProbe = new EtcdRevisionProbe(this);
  #stopped = false;
  readonly #done: Promise<void>;
  #resolveDone!: () => void;

  private constructor(
    readonly options: DaemonOptions,
    private readonly deps: DaemonDeps,
  ) {
    this.log = deps.logger;
    const clock = deps.clock ?? realClock;
    const identity = { routerId: parseIpv4(options.routerId), clusterId: parseIpv4(options.clusterId ?? options.routerId) };
    this.speaker = new Speaker({ clock });
    this.engine = new RouteEngine({
      identity,
      policy: { evaluate: () => ({ accepted: false, reason: 'no configuration from etcd yet' }) },
      maxPrefixes: options.maxPrefixes,
      clock,
      logger: this.log,
      selectionDeferralMs: options.selectionDeferral * 1000,
      onWork: () => this.feeder?.schedule(),
    });
    this.metrics = new Metrics({
      peers: () => this.#peerSamples(),
      locRib: () => this.locRibCounts(),
      etcd: () => ({ ...this.watcher.status(), latest: this.revisionProbe.latest }),
      tablesReleased: () => this.engine.deferral.released,
    });
    this.feeder = new Feeder(this.speaker, this.engine, {
      onSent: (_p, messages, bytes) => {
        this.metrics.updatesOut.inc(messages);
        this.metrics.bytesOut.inc(bytes);
      },
    });
    this.guard = new PeerGuard(this.speaker, this.engine, this.log, this.metrics.registry, { maxPrefixes: options.maxPrefixes, canRestart: () => !this.draining && !this.#stopped });
    this.watcher = new CalicoWatcher({ ...options.etcd, logger: this.log, onStatus: (s) => this.#etcdStatus(s) });
    this.#done = new Promise((r) => (this.#resolveDone = r));
  }

  /** Starts everything; rejects (after cleaning up) when a listener cannot bind. */
  static async start(options: DaemonOptions, deps: DaemonDeps): Promise<Daemon> {
    const d = new Daemon(options, deps);
    try {
      await d.#start();
    } catch (err) {
      await d.stop('cease');
      throw err;
    }
    return d;
  }

  async #start(): Promise<void> {
    const o = this.options;
    wireSpeaker(this);
    this.guard.wire();
    // Checked now (a bad address fails the start), bound for good once the first snapshot
    // is applied (#acceptConnections): before it there is no peer to accept.
    this.#listen = await probeListen(o.listen);
    this.listenBound = this.#listen.map(endpointText);
    this.#replica = replicaAddresses(this.#listen);
    this.log.info({ listen: this.listenBound, replicaAddresses: this.#replica.map((r) => `${r.address}:${r.port}`) }, 'BGP listen addresses checked; accepting once the first etcd snapshot is applied');
    this.#control = await ControlServer.listen(o.controlSocket, controlHandler(this));
    if (o.metricsAddress !== '') {
      const m = await this.metrics.listen(o.metricsAddress);
      this.log.info(m, 'metrics listening');
    }
    this.watcher.start((u) => this.#onSnapshot(u.snapshot, u.type === 'diff' ? u.diff : undefined));
    this.registration = new ReplicaRegistration(o.etcd, this.replicaInfo(), { logger: this.log });
    this.registration.start();
    const publisher = new PeerCountPublisher(this);
    this.#statsTimer = setInterval(() => {
      void publisher.tick();
      void this.revisionProbe.tick();
    }, 3000);
    this.#statsTimer.unref();
    this.log.info({ replica: o.name, routerId: o.routerId, clusterId: o.clusterId ?? o.routerId, etcd: o.etcd.endpoints, version: o.version }, 'bgp-rr started');
  }

  /** Resolves once the first etcd snapshot is applied and BGP is accepted (or at once if it already was). */
  configured(): Promise<void> {
    return this.watcher.ready().then(() => this.#accepting);
  }

  /** Whether BGP connections are accepted (from the first applied snapshot on). */
  get accepting(): boolean {
    return this.#accepted;
  }

  /**
   * Binds the BGP listeners, after the peers of the first snapshot are in the speaker, so
   * that no connection is refused for want of configuration. A bind that fails now (the
   * address was free at start) stops the daemon: `failure` says why.
   */
  #acceptConnections(): void {
    if (this.#listenStarted || this.#stopped) return;
    this.#listenStarted = true;
    this.#accepting = this.speaker.listen(this.#listen.map((a) => ({ address: a.address, port: a.port }))).then(
      () => {
        this.#accepted = true;
        this.log.info({ listen: this.listenBound }, 'BGP listening');
      },
      (err: unknown) => {
        this.failure = err instanceof Error ? err : new Error(String(err));
        this.log.error({ err: this.failure.message, listen: this.listenBound }, 'cannot listen for BGP: stopping');
        void this.stop('cease');
      },
    );
  }

  /** Resolves when the daemon has stopped. */
  get done(): Promise<void> {
    return this.#done;
  }

  /** What this replica publishes in the registry (/bgp-rr/v1/replicas/<name>). */
  replicaInfo(): ReplicaInfo {
    const o = this.options;
    return {
      name: o.name,
      routerId: o.routerId,
      addresses: this.#replica.map((r) => r.address),
      ...(o.clusterId !== undefined ? { clusterId: o.clusterId } : {}),
      version: o.version,
      startTime: this.startedAt.toISOString(),
    };
  }

  get snapshot(): Snapshot | undefined {
    return this.#snapshot;
  }

  #onSnapshot(s: Snapshot, diff?: SnapshotDiff): void {
    // The diff lets deriveConfig re-derive only the changed Nodes (it checks that it fits).
    const prev = this.#snapshot !== undefined && this.config !== undefined ? { snapshot: this.#snapshot, config: this.config, diff } : undefined;
    let cfg: DesiredConfig;
    try {
      cfg = deriveConfig(s, this.#replica, prev);
    } catch (err) {
      this.log.error({ err: String(err), revision: s.revision }, 'cannot derive the configuration; keeping the last good one');
      return;
    }
    const first = this.#snapshot === undefined;
    const policyInputs = prev === undefined || ['pools', 'blocks', 'affinities', 'configs'].some((k) => prev.snapshot[k as 'pools'] !== s[k as 'pools']);
    this.#snapshot = s;
    this.config = cfg;
    // Each invalid key is logged once, when it appears (not again at every later change).
    if (prev?.config.issues !== cfg.issues) {
      const known = new Set((prev?.config.issues ?? []).map((i) => `${i.key} ${i.reason}`));
      for (const i of cfg.issues) if (!known.has(`${i.key} ${i.reason}`)) this.log.warn({ key: i.key, reason: i.reason, severity: i.severity }, 'invalid etcd data skipped');
    }
    if (policyInputs) {
      try {
        const policy = (this.deps.policy ?? snapshotPolicy)(s, cfg, this.options.routePolicy);
        for (const issue of policy.issues) this.log.warn({ issue }, 'import policy input skipped');
        this.engine.setPolicy(policy);
      } catch (err) {
        this.log.error({ err: String(err) }, 'cannot build the import policy; keeping the previous one');
      }
    }
    if (!this.draining) this.#reconcile(s, cfg);
    this.#acceptConnections();
    this.engine.deferral.start();
    if (first) this.log.info({ revision: s.revision, peers: cfg.peers.length, skipped: cfg.skipped.length }, 'configuration loaded from etcd');
  }

  #reconcile(s: Snapshot, cfg: DesiredConfig): void {
    const bgpPeerAs = new Map<string, number | undefined>();
    for (const { value } of s.peers.values()) bgpPeerAs.set(value.name, value.asNumber);
    const d = { routerId: this.options.routerId, holdTime: this.options.holdTime, restartTime: this.options.restartTime, connectRetrySeconds: this.options.connectRetry };
    const withPasswords = applyPasswords(cfg.peers.map((p) => peerSpecFor(p, bgpPeerAs.get(p.bgpPeers[0] ?? '') ?? cfg.asNumber, d)), cfg.peers, this.options.passwords);
    for (const r of withPasswords.refused) this.log.error({ peer: r.address, node: r.node }, r.reason);
    const specs = withPasswords.specs;
    const plan = reconcile(specs, this.current);
    if (isEmptyPlan(plan)) return;
    for (const address of plan.remove) {
      this.speaker.removePeer(address);
      this.guard.forget(address);
      this.lastErrors.forget(address);
      this.engine.unconfigurePeer(address);
      this.feeder.reset(address);
      this.current.delete(address);
    }
    for (const spec of plan.update) {
      const old = this.current.get(spec.address)!;
      if (old.isClient !== spec.isClient || old.config.localAs !== spec.config.localAs) {
        // RFC 4456 §6 class or our AS changed: a new session and a new group table.
        this.speaker.removePeer(spec.address);
        this.engine.unconfigurePeer(spec.address);
        this.#add(spec);
      } else {
        this.engine.configurePeer(spec.address, spec.node, spec.isClient, spec.config.localAs);
        this.speaker.updatePeer(spec.address, spec.config);
        this.current.set(spec.address, spec);
      }
    }
    for (const spec of plan.relabel) {
      this.speaker.updatePeer(spec.address, spec.config);
      this.engine.configurePeer(spec.address, spec.node, spec.isClient, spec.config.localAs);
      this.current.set(spec.address, spec);
    }
    for (const spec of plan.add) this.#add(spec);
    const names = (l: readonly PeerSpec[]): string[] => l.map((p) => `${p.node} ${p.address}`);
    this.log.info(
      { revision: s.revision, added: names(plan.add), updated: names(plan.update), relabelled: names(plan.relabel), removed: plan.remove, unchanged: plan.unchanged },
      'peer configuration applied',
    );
  }

  #add(spec: PeerSpec): void {
    if (spec.unsupported.length > 0) this.log.warn({ peer: spec.address, node: spec.node, ignored: spec.unsupported }, 'peer settings not supported; ignored');
    this.engine.configurePeer(spec.address, spec.node, spec.isClient, spec.config.localAs);
    try {
      this.speaker.addPeer(spec.config);
      this.current.set(spec.address, spec);
    } catch (err) {
      this.engine.unconfigurePeer(spec.address);
      this.log.error({ peer: spec.address, node: spec.node, err: String(err) }, 'peer refused by the speaker');
    }
  }

  #etcdState = '';

  /** etcd connection changes at info (warn when lost: running on the last good configuration). */
  #etcdStatus(s: WatcherStatus): void {
    if (s.state === this.#etcdState) return;
    this.#etcdState = s.state;
    const o = { state: s.state, endpoint: s.endpoint, revision: s.revision, lastError: s.lastError };
    if (s.state === 'disconnected') this.log.warn(o, `etcd ${/no leader/.test(s.lastError ?? '') ? 'member has no leader (quorum lost)' : 'unreachable'}: running on the last good configuration, sessions untouched`);
    else this.log.info(o, 'etcd connection');
  }

  #peerSamples(): Iterable<PeerSample> {
    return peerSamples(this);
  }

  /** Prefixes with a best path per family, paths held, rejected paths, update groups. */
  locRibCounts(): { prefixes: { ipv4: number; ipv6: number }; paths: number; rejected: number; updateGroups: number } {
    const prefixes = { ipv4: 0, ipv6: 0 };
    let paths = 0;
    let rejected = 0;
    for (const [fk, name] of [[0x101, 'ipv4'], [0x201, 'ipv6']] as const) {
      for (const e of this.engine.locRib.entries(fk)) {
        if (e.best !== undefined) prefixes[name]++;
        paths += e.paths.length;
        for (const p of e.paths) if (p.rejected !== null) rejected++;
      }
    }
    return { prefixes, paths, rejected, updateGroups: this.engine.groups.stats().length };
  }

  /** `bgp-rr drain`: Cease 6/2 with a shutdown communication to every peer; sessions stay down. */
  drain(message: string): number {
    this.draining = true;
    let n = 0;
    for (const peer of [...this.speaker.peers()]) {
      this.speaker.close(peer, { subcode: 2, message, restart: false });
      n++;
    }
    this.log.info({ peers: n, message }, 'drained: every session closed with Cease 6/2 (RFC 9003 shutdown communication)');
    return n;
  }

  /**
   * 'graceful': TCP close without NOTIFICATION (clients keep our routes, RFC 4724);
   * 'cease': Cease 6/2 to everyone.
   */
  async stop(how: 'graceful' | 'cease'): Promise<void> {
    if (this.#stopped) return this.#done;
    this.#stopped = true;
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.feeder.close();
    if (how === 'graceful') for (const peer of [...this.speaker.peers()]) if (peer.state === 'Established' || peer.state === 'OpenConfirm') this.speaker.closeSilently(peer);
    this.engine.close();
    this.guard.close();
    await this.#accepting; // a bind under way ends before the listeners are closed
    await Promise.allSettled([this.speaker.stop(), this.#control?.close(), this.metrics.close(), this.watcher.close(), this.registration?.close()]);
    this.log.info({ how }, 'bgp-rr stopped');
    this.#resolveDone();
  }
}

export function defaultName(): string {
  return hostname().split('.')[0] ?? 'bgp-rr';
}
