/**
 * Daemon helpers: the control API handler, status, the replica addresses peers are
 * derived for, metrics samples, the peer counts published in the replica registry and
 * the probe of etcd's newest datastore revision (for the revision-lag metric).
 */
import { networkInterfaces } from 'node:os';
import { REPLICAS_PREFIX, WATCHED_PREFIXES, prefixRangeEnd, replicaAddressesFor, withAnyEndpoint, type ReplicaAddress } from '@bgp-rr/etcd-store';
import type { Daemon } from './daemon.js';
import type { PeerSample } from '../exporters/metrics.js';
import type { Request, StatusInfo } from '../control/protocol.js';
import { ControlError, type ControlHandler } from '../control/server.js';
import { peerDetail, peerRow, routeRows } from '../control/views.js';
import { comparePeers } from '../control/natural-order.js';

/**
 * The addresses BGPPeers must name for their nodes to be ours (desired-peers.ts): the
 * bound listen addresses; a wildcard stands for every address of the host ('::' for
 * both families, as Linux binds it dual-stack).
 */
export function replicaAddresses(bound: readonly { address: string; port: number }[]): ReplicaAddress[] {
  const host = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return replicaAddressesFor(bound, host);
}

export function statusInfo(d: Daemon): StatusInfo {
  const w = d.watcher.status();
  const counts = d.locRibCounts();
  let established = 0;
  for (const p of d.speaker.peers()) if (p.state === 'Established') established++;
  const health: StatusInfo['health'] = d.snapshot === undefined ? 'starting' : w.state === 'watching' ? 'ok' : w.state === 'listing' || w.state === 'connecting' ? 'ok' : 'degraded';
  return {
    name: d.options.name,
    version: d.options.version,
    pid: process.pid,
    routerId: d.options.routerId,
    clusterId: d.options.clusterId ?? d.options.routerId,
    as: d.config?.asNumber ?? null,
    startTime: d.startedAt.toISOString(),
    uptimeSeconds: Math.round((Date.now() - d.startedAt.getTime()) / 1000),
    listen: d.listenBound,
    accepting: d.accepting,
    etcd: { endpoints: d.options.etcd.endpoints, endpoint: w.endpoint ?? null, state: w.state, revision: w.revision, latestRevision: d.revisionProbe.latest, lastError: w.lastError ?? null },
    registered: d.registration?.status().registered ?? false,
    health,
    tablesReleased: d.engine.deferral.released,
    tablesReleaseReason: d.engine.deferral.reason,
    routePolicy: d.options.routePolicy,
    draining: d.draining,
    counts: {
      peersConfigured: d.current.size,
      peersEstablished: established,
      prefixes: counts.prefixes,
      paths: counts.paths,
      rejectedPaths: counts.rejected,
      updateGroups: counts.updateGroups,
    },
  };
}

function findPeer(d: Daemon, key: string) {
  const byAddress = d.speaker.getPeer(key);
  if (byAddress !== undefined) return byAddress;
  for (const spec of d.current.values()) if (spec.node === key) return d.speaker.getPeer(spec.address);
  return undefined;
}

export function controlHandler(d: Daemon): ControlHandler {
  const errorTime = (address: string, error: string): number | undefined => d.lastErrors.at(address, error);
  return (req: Request) => {
    switch (req.method) {
      case 'peers':
        return [...d.speaker.peers()].map((p) => peerRow(d.engine, p, d.current.get(p.address), errorTime)).sort(comparePeers);
      case 'peer': {
        const p = findPeer(d, req.address);
        if (p === undefined) throw new ControlError('NO_SUCH_PEER', `no peer ${req.address} (try 'bgp-rr peers')`);
        return peerDetail(d.engine, p, d.current.get(p.address), performance.now(), errorTime);
      }
      case 'routes':
        return routeRows(d.engine, req.prefix, req.rejected ?? false);
      case 'status':
        return statusInfo(d);
      case 'drain': {
        const message = req.message ?? `bgp-rr replica ${d.options.name} drained for maintenance`;
        return { peers: d.drain(message), message };
      }
    }
  };
}

export function* peerSamples(d: Daemon): Iterable<PeerSample> {
  for (const p of d.speaker.peers()) {
    const row = peerRow(d.engine, p, d.current.get(p.address));
    yield { address: row.address, node: row.node, state: row.state, prefixes: row.prefixes };
  }
}

/**
 * Adds this replica's peer counts to its registry entry, on the registration's lease
 * (`bgp-rr replicas` shows them): written when the counts or the lease change, checked
 * every few seconds. Best effort: etcd down means stale counts, no error.
 */
export class PeerCountPublisher {
  #last = '';
  #busy = false;

  constructor(private readonly d: Daemon) {}

  async tick(): Promise<void> {
    const d = this.d;
    const st = d.registration?.status();
    if (this.#busy || st?.registered !== true || st.leaseId === undefined) return;
    let established = 0;
    for (const p of d.speaker.peers()) if (p.state === 'Established') established++;
    const peers = { configured: d.current.size, established };
    const lease = st.leaseId;
    const mark = `${lease} ${peers.configured} ${peers.established}`;
    if (mark === this.#last) return;
    this.#busy = true;
    try {
      await withAnyEndpoint({ ...d.options.etcd, callTimeoutMs: 3000 }, async (c) => {
        await c.kv.put({ key: Buffer.from(REPLICAS_PREFIX + d.options.name), value: Buffer.from(JSON.stringify({ ...d.replicaInfo(), peers })), lease });
      });
      this.#last = mark;
    } catch (err) {
      d.log.debug({ err: String(err) }, 'replica peer counts not published');
    } finally {
      this.#busy = false;
    }
  }
}

/**
 * The newest modification revision under the prefixes the watcher follows, read from
 * etcd every few seconds: `bgp_rr_etcd_revision_lag` is it minus the revision applied.
 * Only those prefixes count (the store's own revision also moves with writes we never
 * watch: the replica registry, Felix, workload endpoints...); a pending deletion of the
 * newest key is not seen. Best effort: etcd down keeps the last value.
 */
export class EtcdRevisionProbe {
  #latest = 0;
  #busy = false;

  constructor(private readonly d: Daemon) {}

  get latest(): number {
    return this.#latest;
  }

  async tick(): Promise<void> {
    const d = this.d;
    if (this.#busy || d.watcher.status().state !== 'watching') return;
    this.#busy = true;
    try {
      const revs = await withAnyEndpoint({ ...d.options.etcd, callTimeoutMs: 3000 }, (c) =>
        Promise.all(
          WATCHED_PREFIXES.map(async (p) => {
            const res = await c.kv.range({ key: Buffer.from(p), range_end: Buffer.from(prefixRangeEnd(p)), limit: 1, sort_order: 'Descend', sort_target: 'Mod', keys_only: true });
            return Number(res.kvs[0]?.mod_revision ?? 0);
          }),
        ),
      );
      this.#latest = Math.max(0, ...revs);
    } catch (err) {
      d.log.debug({ err: String(err) }, 'etcd revision probe failed');
    } finally {
      this.#busy = false;
    }
  }
}
