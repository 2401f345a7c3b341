/**
 * The composition root of `bgp-rr run`: wiring only. It owns no routing rule (those are
 * the route engine's) and no etcd I/O (etcd-store's); it connects them:
 *
 *   etcd ─► CalicoWatcher ─► snapshot ─► deriveConfig ─► reconcile ─► Speaker peer table
 *                                    │                           └──► engine: peerConfigured/Removed
 *                                    └──► import policy ─────────────► engine: policyChanged
 *   Speaker events ─► speaker-events.ts ─► RouteEngine.input ─► change feed ─► logs, metrics
 *                                               │ frames              └─► commands ─► peer guard
 *                                               └──► Feeder ─► sockets
 *   ReplicaRegistration (etcd-store: lease, peer counts), ControlServer, Metrics (HTTP)
 *
 * etcd unreachable: the watcher keeps the last good snapshot, nothing is reconciled,
 * sessions are untouched; when it returns, the difference is applied.
 * Stopping: `stop('graceful')` (SIGTERM) closes every session with a bare TCP close and
 * no NOTIFICATION, so clients' GR helpers keep our routes through a restart (RFC 4724);
 * `drain` (`bgp-rr drain`) sends Cease 6/2 with a shutdown communication (RFC 9003)
 * and keeps the sessions down.
 */
import { Speaker, parseIpv4, realClock, type Clock, type ListenAddress } from '@bgp-rr/bgp-speaker';
import {
  CalicoWatcher,
  ReplicaRegistration,
  deriveConfig,
  feedChanged,
  type DesiredConfig,
  type EtcdConnectionOptions,
  type ReplicaAddress,
  type ReplicaInfo,
  type Snapshot,
  type SnapshotDiff,
  type WatcherStatus,
} from '@bgp-rr/etcd-store';
import { RouteEngine } from '../engine/engine.js';
import type { ImportPolicy, RoutePolicyMode } from '../engine/import-policy.js';
import type { PrefixLimitAction } from '../engine/prefix-limit.js';
import type { DrainResult, StatusInfo } from '../control/protocol.js';
import { ControlServer } from '../control/server.js';
import { Metrics, type PeerSample } from '../exporters/metrics.js';
import { routeLogs } from '../exporters/logs.js';
import type { Logger } from './log.js';
import { snapshotPolicy } from './policy-inputs.js';
import { isEmptyPlan, peerSpecFor, reconcile, type PeerSpec } from './reconcile.js';
import { Feeder } from './feeder.js';
import { wireSpeaker } from './speaker-events.js';
import { controlHandler } from './control-handler.js';
import { PeerGuard } from './peer-guard.js';
import { endpointText, probeListen, replicaAddresses, type ResolvedListen } from './listen-probe.js';
import { applyPasswords } from './peer-passwords.js';
import type { PasswordTable } from './secrets.js';

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
  /** Paths per peer and family (engine/prefix-limit.ts); 0: no limit. */
  readonly maxPrefixes: number;
  /** What happens past maxPrefixes. */
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

export type { RoutePolicyMode } from '../engine/import-policy.js';

/** Builds the import policy for a snapshot (default: policy-inputs.ts). */
export type PolicyFactory = (snapshot: Snapshot, config: DesiredConfig, mode: RoutePolicyMode) => ImportPolicy;

export interface DaemonDeps {
  readonly logger: Logger;
  readonly policy?: PolicyFactory;
  readonly clock?: Clock;
}

/** Until etcd has answered there is no pool, no block, no node: nothing is accepted. */
const NO_CONFIGURATION: ImportPolicy = { mode: 'enforce', issues: [], evaluate: () => ({ accepted: false, reason: 'no configuration from etcd yet' }) };

export class Daemon {
  readonly #o: DaemonOptions;
  readonly #deps: DaemonDeps;
  readonly #log: Logger;
  readonly #speaker: Speaker;
  readonly #engine: RouteEngine;
  readonly #feeder: Feeder;
  readonly #guard: PeerGuard;
  readonly #metrics: Metrics;
  readonly #watcher: CalicoWatcher;
  /** Peers we run, by address. */
  readonly #current = new Map<string, PeerSpec>();
  readonly #startedAt = new Date();
  #registration: ReplicaRegistration | undefined;
  #control: ControlServer | undefined;
  #statsTimer: NodeJS.Timeout | undefined;
  #listen: readonly ResolvedListen[] = [];
  #listenBound: readonly string[] = [];
  #replica: readonly ReplicaAddress[] = [];
  #listenStarted = false;
  #accepted = false;
  #accepting: Promise<void> = Promise.resolve();
  #snapshot: Snapshot | undefined;
  #config: DesiredConfig | undefined;
  #draining = false;
  #stopped = false;
  #failure: Error | undefined;
  #etcdState = '';
  readonly #done: Promise<void>;
  #resolveDone!: () => void;

  private constructor(o: DaemonOptions, deps: DaemonDeps) {
    this.#o = o;
    this.#deps = deps;
    this.#log = deps.logger;
    const clock = deps.clock ?? realClock;
    this.#speaker = new Speaker({ clock });
    this.#metrics = new Metrics({
      peers: () => this.#peerSamples(),
      locRib: () => {
        const s = this.#engine.locRibSummary();
        return { prefixes: { ipv4: s.prefixes.get(0x101) ?? 0, ipv6: s.prefixes.get(0x201) ?? 0 }, paths: s.paths, updateGroups: s.updateGroups };
      },
      etcd: () => {
        const w = this.#watcher.status();
        return { revision: w.revision, state: w.state, latest: w.latestRevision };
      },
      tablesReleased: () => this.#engine.released,
    });
    this.#guard = new PeerGuard(this.#speaker, this.#log, this.#metrics.registry, { canRestart: () => !this.#draining && !this.#stopped });
    this.#engine = new RouteEngine({
      identity: { routerId: parseIpv4(o.routerId), clusterId: parseIpv4(o.clusterId ?? o.routerId) },
      policy: NO_CONFIGURATION,
      prefixLimit: { max: o.maxPrefixes, action: o.maxPrefixesAction },
      clock,
      selectionDeferralMs: o.selectionDeferral * 1000,
      onWork: () => this.#feeder.schedule(),
      onCommand: (c) => this.#guard.execute(c),
      onFeedError: (err, e) => this.#log.error({ err: String(err), event: e.type }, 'change feed subscriber failed'),
    });
    this.#engine.subscribe(routeLogs(this.#log));
    this.#engine.subscribe((e) => this.#metrics.observe(e));
    this.#feeder = new Feeder(this.#speaker, this.#engine, {
      onSent: (_p, messages, bytes) => {
        this.#metrics.updatesOut.inc(messages);
        this.#metrics.bytesOut.inc(bytes);
      },
    });
    this.#watcher = new CalicoWatcher({ ...o.etcd, logger: this.#log, onStatus: (s) => this.#etcdStatus(s) });
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

  /** Resolves once the first etcd snapshot is applied and BGP is accepted (or at once if it already was). */
  configured(): Promise<void> {
    return this.#watcher.ready().then(() => this.#accepting);
  }

  /** Resolves when the daemon has stopped. */
  get done(): Promise<void> {
    return this.#done;
  }

  /** Why the daemon stopped itself (run exits 1), if it did. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * 'graceful': TCP close without NOTIFICATION (clients keep our routes, RFC 4724);
   * 'cease': Cease 6/2 to everyone.
   */
  async stop(how: 'graceful' | 'cease'): Promise<void> {
    if (this.#stopped) return this.#done;
    this.#stopped = true;
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.#feeder.close();
    if (how === 'graceful') for (const peer of [...this.#speaker.peers()]) if (peer.state === 'Established' || peer.state === 'OpenConfirm') this.#speaker.closeSilently(peer);
    this.#engine.close();
    await this.#accepting; // a bind under way ends before the listeners are closed
    await Promise.allSettled([this.#speaker.stop(), this.#control?.close(), this.#metrics.close(), this.#watcher.close(), this.#registration?.close()]);
    this.#log.info({ how }, 'bgp-rr stopped');
    this.#resolveDone();
  }

  async #start(): Promise<void> {
    const o = this.#o;
    wireSpeaker({ speaker: this.#speaker, engine: this.#engine, feeder: this.#feeder, log: this.#log, updatesIn: this.#metrics.updatesIn });
    this.#guard.wire();
    // Checked now (a bad address fails the start), bound for good once the first snapshot
    // is applied (#acceptConnections): before it there is no peer to accept.
    this.#listen = await probeListen(o.listen);
    this.#listenBound = this.#listen.map(endpointText);
    this.#replica = replicaAddresses(this.#listen);
    this.#log.info({ listen: this.#listenBound, replicaAddresses: this.#replica.map((r) => `${r.address}:${r.port}`) }, 'BGP listen addresses checked; accepting once the first etcd snapshot is applied');
    this.#control = await ControlServer.listen(
      o.controlSocket,
      controlHandler({
        speaker: this.#speaker,
        engine: this.#engine,
        spec: (address) => this.#current.get(address),
        specs: () => this.#current.values(),
        status: () => this.#status(),
        drain: (message) => this.#drain(message),
      }),
    );
    if (o.metricsAddress !== '') this.#log.info(await this.#metrics.listen(o.metricsAddress), 'metrics listening');
    this.#watcher.start((u) => this.#onSnapshot(u.snapshot, u.type === 'diff' ? u.diff : undefined));
    this.#registration = new ReplicaRegistration(o.etcd, this.#replicaInfo(), { logger: this.#log });
    this.#registration.start();
    // The peer counts in the registry (`bgp-rr replicas`); the registration writes them when they change.
    this.#statsTimer = setInterval(() => this.#registration?.setPeers(this.#peerCounts()), 3000);
    this.#statsTimer.unref();
    this.#log.info({ replica: o.name, routerId: o.routerId, clusterId: o.clusterId ?? o.routerId, etcd: o.etcd.endpoints, version: o.version }, 'bgp-rr started');
  }

  /**
   * Binds the BGP listeners, after the peers of the first snapshot are in the speaker, so
   * that no connection is refused for want of configuration. A bind that fails now (the
   * address was free at start) stops the daemon: `failure` says why.
   */
  #acceptConnections(): void {
    if (this.#listenStarted || this.#stopped) return;
    this.#listenStarted = true;
    this.#accepting = this.#speaker.listen(this.#listen.map((a) => ({ address: a.address, port: a.port }))).then(
      () => {
        this.#accepted = true;
        this.#log.info({ listen: this.#listenBound }, 'BGP listening');
      },
      (err: unknown) => {
        this.#failure = err instanceof Error ? err : new Error(String(err));
        this.#log.error({ err: this.#failure.message, listen: this.#listenBound }, 'cannot listen for BGP: stopping');
        void this.stop('cease');
      },
    );
  }

  /** What this replica publishes in the registry (/bgp-rr/v1/replicas/<name>). */
  #replicaInfo(): ReplicaInfo {
    const o = this.#o;
    return {
      name: o.name,
      routerId: o.routerId,
      addresses: this.#replica.map((r) => r.address),
      ...(o.clusterId !== undefined ? { clusterId: o.clusterId } : {}),
      version: o.version,
      startTime: this.#startedAt.toISOString(),
    };
  }

  #onSnapshot(s: Snapshot, diff?: SnapshotDiff): void {
    // The diff lets deriveConfig re-derive only the changed Nodes (it checks that it fits).
    const prev = this.#snapshot !== undefined && this.#config !== undefined ? { snapshot: this.#snapshot, config: this.#config, diff } : undefined;
    let cfg: DesiredConfig;
    try {
      cfg = deriveConfig(s, this.#replica, prev);
    } catch (err) {
      this.#log.error({ err: String(err), revision: s.revision }, 'cannot derive the configuration; keeping the last good one');
      return;
    }
    const first = this.#snapshot === undefined;
    this.#snapshot = s;
    this.#config = cfg;
    // Each invalid key is logged once, when it appears (not again at every later change).
    if (prev?.config.issues !== cfg.issues) {
      const known = new Set((prev?.config.issues ?? []).map((i) => `${i.key} ${i.reason}`));
      for (const i of cfg.issues) if (!known.has(`${i.key} ${i.reason}`)) this.#log.warn({ key: i.key, reason: i.reason, severity: i.severity }, 'invalid etcd data skipped');
    }
    if (prev === undefined || feedChanged('policy', prev.snapshot, s)) {
      try {
        const policy = (this.#deps.policy ?? snapshotPolicy)(s, cfg, this.#o.routePolicy);
        for (const issue of policy.issues) this.#log.warn({ issue }, 'import policy input skipped');
        this.#engine.input({ type: 'policyChanged', policy });
      } catch (err) {
        this.#log.error({ err: String(err) }, 'cannot build the import policy; keeping the previous one');
      }
    }
    if (!this.#draining) this.#reconcile(s, cfg);
    this.#acceptConnections();
    this.#engine.input({ type: 'configurationDone' });
    if (first) this.#log.info({ revision: s.revision, peers: cfg.peers.length, skipped: cfg.skipped.length }, 'configuration loaded from etcd');
  }

  #reconcile(s: Snapshot, cfg: DesiredConfig): void {
    const bgpPeerAs = new Map<string, number | undefined>();
    for (const { value } of s.peers.values()) bgpPeerAs.set(value.name, value.asNumber);
    const d = { routerId: this.#o.routerId, holdTime: this.#o.holdTime, restartTime: this.#o.restartTime, connectRetrySeconds: this.#o.connectRetry };
    const withPasswords = applyPasswords(cfg.peers.map((p) => peerSpecFor(p, bgpPeerAs.get(p.bgpPeers[0] ?? '') ?? cfg.asNumber, d)), cfg.peers, this.#o.passwords);
    for (const r of withPasswords.refused) this.#log.error({ peer: r.address, node: r.node }, r.reason);
    const plan = reconcile(withPasswords.specs, this.#current);
    if (isEmptyPlan(plan)) return;
    for (const address of plan.remove) {
      this.#speaker.removePeer(address);
      this.#guard.forget(address);
      this.#engine.input({ type: 'peerRemoved', peer: address });
      this.#feeder.reset(address);
      this.#current.delete(address);
    }
    for (const spec of plan.update) {
      const old = this.#current.get(spec.address)!;
      if (old.isClient !== spec.isClient || old.config.localAs !== spec.config.localAs) {
        // RFC 4456 §6 class or our AS changed: a new session and a new group table. The
        // engine starts the peer afresh itself (peerConfigured), never seeing it absent:
        // the selection deferral must not release for want of it.
        this.#speaker.removePeer(spec.address);
        this.#add(spec);
      } else {
        this.#engine.input({ type: 'peerConfigured', peer: settingsOf(spec) });
        this.#speaker.updatePeer(spec.address, spec.config);
        this.#current.set(spec.address, spec);
      }
    }
    for (const spec of plan.relabel) {
      this.#speaker.updatePeer(spec.address, spec.config);
      this.#engine.input({ type: 'peerConfigured', peer: settingsOf(spec) });
      this.#current.set(spec.address, spec);
    }
    for (const spec of plan.add) this.#add(spec);
    const names = (l: readonly PeerSpec[]): string[] => l.map((p) => `${p.node} ${p.address}`);
    this.#log.info(
      { revision: s.revision, added: names(plan.add), updated: names(plan.update), relabelled: names(plan.relabel), removed: plan.remove, unchanged: plan.unchanged },
      'peer configuration applied',
    );
  }

  #add(spec: PeerSpec): void {
    if (spec.unsupported.length > 0) this.#log.warn({ peer: spec.address, node: spec.node, ignored: spec.unsupported }, 'peer settings not supported; ignored');
    this.#engine.input({ type: 'peerConfigured', peer: settingsOf(spec) });
    try {
      this.#speaker.addPeer(spec.config);
      this.#current.set(spec.address, spec);
    } catch (err) {
      this.#engine.input({ type: 'peerRemoved', peer: spec.address });
      this.#log.error({ peer: spec.address, node: spec.node, err: String(err) }, 'peer refused by the speaker');
    }
  }

  /** etcd connection changes at info (warn when lost: running on the last good configuration). */
  #etcdStatus(s: WatcherStatus): void {
    if (s.state === this.#etcdState) return;
    this.#etcdState = s.state;
    const o = { state: s.state, endpoint: s.endpoint, revision: s.revision, lastError: s.lastError };
    if (s.state === 'disconnected') this.#log.warn(o, `etcd ${/no leader/.test(s.lastError ?? '') ? 'member has no leader (quorum lost)' : 'unreachable'}: running on the last good configuration, sessions untouched`);
    else this.#log.info(o, 'etcd connection');
  }

  /** `bgp-rr drain`: Cease 6/2 with a shutdown communication to every peer; sessions stay down. */
  #drain(text: string | undefined): DrainResult {
    const message = text ?? `bgp-rr replica ${this.#o.name} drained for maintenance`;
    this.#draining = true;
    let peers = 0;
    for (const peer of [...this.#speaker.peers()]) {
      this.#speaker.close(peer, { subcode: 2, message, restart: false });
      peers++;
    }
    this.#log.info({ peers, message }, 'drained: every session closed with Cease 6/2 (RFC 9003 shutdown communication)');
    return { peers, message };
  }

  #peerCounts(): { configured: number; established: number } {
    let established = 0;
    for (const p of this.#speaker.peers()) if (p.state === 'Established') established++;
    return { configured: this.#current.size, established };
  }

  *#peerSamples(): Iterable<PeerSample> {
    for (const p of this.#speaker.peers()) {
      const node = this.#current.get(p.address)?.node ?? p.config.description ?? '';
      yield { address: p.address, node, state: p.state, prefixes: { ipv4: this.#engine.peerCounts(p.address, 0x101), ipv6: this.#engine.peerCounts(p.address, 0x201) } };
    }
  }

  #status(): StatusInfo {
    const o = this.#o;
    const w = this.#watcher.status();
    const rib = this.#engine.locRibSummary();
    const health: StatusInfo['health'] = this.#snapshot === undefined ? 'starting' : w.state === 'disconnected' || w.state === 'closed' ? 'degraded' : 'ok';
    return {
      name: o.name,
      version: o.version,
      pid: process.pid,
      routerId: o.routerId,
      clusterId: o.clusterId ?? o.routerId,
      as: this.#config?.asNumber ?? null,
      startTime: this.#startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.#startedAt.getTime()) / 1000),
      listen: this.#listenBound,
      accepting: this.#accepted,
      etcd: { endpoints: o.etcd.endpoints, endpoint: w.endpoint ?? null, state: w.state, revision: w.revision, latestRevision: w.latestRevision, lastError: w.lastError ?? null },
      registered: this.#registration?.status().registered ?? false,
      health,
      tablesReleased: this.#engine.released,
      tablesReleaseReason: this.#engine.releaseReason,
      routePolicy: o.routePolicy,
      draining: this.#draining,
      counts: {
        peersConfigured: this.#current.size,
        peersEstablished: this.#peerCounts().established,
        prefixes: { ipv4: rib.prefixes.get(0x101) ?? 0, ipv6: rib.prefixes.get(0x201) ?? 0 },
        paths: rib.paths,
        rejectedPaths: rib.rejected,
        updateGroups: rib.updateGroups,
      },
    };
  }
}

function settingsOf(spec: PeerSpec): { address: string; node: string; isClient: boolean; localAs: number } {
  return { address: spec.address, node: spec.node, isClient: spec.isClient, localAs: spec.config.localAs };
}
