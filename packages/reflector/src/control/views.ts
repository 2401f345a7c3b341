/**
 * Views for the control API: the speaker's peer table and the route engine's read-only
 * views → the plain JSON records of protocol.ts. Timestamps: the speaker's are wall-clock
 * (Date.now() ms), the engine's are durations; nothing here guesses which.
 */
import {
  Afi,
  AsPathSegmentType,
  CapabilityCode,
  familyKey,
  formatIpv6,
  formatIpv4,
  formatPrefix,
  parsePrefix,
  prefixContains,
  type Capability,
  type Peer,
} from '@bgp-rr/bgp-speaker';
import type { RouteEngine } from '../engine/engine.js';
import type { ReadonlyPath } from '../engine/vocabulary.js';
import type { PeerSpec } from '../daemon/reconcile.js';
import type { FamilyName, MessageCounters, PeerDetail, PeerRow, PrefixCounts, RoutePath, RouteRow } from './protocol.js';
import { ControlError } from './server.js';

const V4 = familyKey(Afi.IPV4, 1);
const V6 = familyKey(Afi.IPV6, 1);
const FAMILY_KEY: Readonly<Record<FamilyName, number>> = { ipv4: V4, ipv6: V6 };

export function familyName(afi: number): FamilyName {
  return afi === Afi.IPV6 ? 'ipv6' : 'ipv4';
}

function familyNameOfKey(fk: number): FamilyName {
  return familyName(fk >> 8);
}

function afiSafi(afi: number, safi: number): string {
  return `${afi === 1 ? 'ipv4' : afi === 2 ? 'ipv6' : `afi ${afi}`}${safi === 1 ? '-unicast' : ` safi ${safi}`}`;
}

/** One capability as text, as `birdc show protocols all` would name it. */
export function capabilityText(c: Capability): string {
  if ('unknown' in c) return `unknown capability ${c.code}`;
  switch (c.code) {
    case CapabilityCode.MULTIPROTOCOL:
      return `multiprotocol ${afiSafi(c.afi, c.safi)}`;
    case CapabilityCode.ROUTE_REFRESH:
      return 'route-refresh';
    case CapabilityCode.ENHANCED_ROUTE_REFRESH:
      return 'enhanced-route-refresh';
    case CapabilityCode.EXTENDED_MESSAGE:
      return 'extended-message';
    case CapabilityCode.FOUR_OCTET_AS:
      return `4-octet-as ${c.asn}`;
    case CapabilityCode.GRACEFUL_RESTART: {
      const fams = c.families.map((f) => `${afiSafi(f.afi, f.safi)}${f.forwardingPreserved ? '(F)' : ''}`).join(',');
      return `graceful-restart time=${c.restartTime}${c.restarting ? ' R' : ''}${c.notification ? ' N' : ''} ${fams}`.trim();
    }
    case CapabilityCode.ADD_PATH:
      return `add-path ${c.families.map((f) => `${afiSafi(f.afi, f.safi)}:${f.mode === 3 ? 'send/receive' : f.mode === 2 ? 'send' : 'receive'}`).join(',')}`;
    case CapabilityCode.LONG_LIVED_GR:
      return 'long-lived-graceful-restart';
    case CapabilityCode.FQDN:
      return `fqdn ${c.hostname}${c.domain ? '.' + c.domain : ''}`;
    default:
      return `capability ${(c as { code: number }).code}`;
  }
}

function prefixCounts(engine: RouteEngine, address: string, name: FamilyName): PrefixCounts {
  const c = engine.peerCounts(address, FAMILY_KEY[name]);
  return { received: c.received, accepted: c.accepted, rejected: c.rejected, stale: c.stale, advertised: c.advertised };
}

/** Families offered in our OPEN: the peer's config, else the speaker's default (its address family). */
function configuredFamilies(peer: Peer): FamilyName[] {
  const fams: readonly { readonly afi: number }[] = peer.config.families ?? [{ afi: peer.address.includes(':') ? Afi.IPV6 : Afi.IPV4 }];
  return [...new Set(fams.map((f) => familyName(f.afi)))];
}

/**
 * The FAMILIES of a peer row: negotiated (RFC 4760 §8, both OPENs) while Established,
 * the configured ones otherwise — with which of the two it is.
 */
export function peerFamilies(peer: Peer): Pick<PeerRow, 'families' | 'familiesNegotiated' | 'familiesConfigured'> {
  const configured = configuredFamilies(peer);
  const n = peer.state === 'Established' ? peer.negotiated : null;
  if (n === null) return { families: configured, familiesNegotiated: false, familiesConfigured: configured };
  return { families: [...new Set(n.families.map((f) => familyName(f.afi)))], familiesNegotiated: true, familiesConfigured: configured };
}

export function peerRow(engine: RouteEngine, peer: Peer, spec: PeerSpec | undefined): PeerRow {
  const prefixes = { ipv4: prefixCounts(engine, peer.address, 'ipv4'), ipv6: prefixCounts(engine, peer.address, 'ipv6') };
  const lastError = peer.stats.lastError;
  return {
    node: spec?.node ?? peer.config.description ?? '',
    address: peer.address,
    as: peer.negotiated?.peerAs ?? peer.config.peerAs,
    client: spec?.isClient ?? true,
    ...peerFamilies(peer),
    state: peer.state,
    since: new Date(peer.stats.since).toISOString(),
    prefixes,
    received: prefixes.ipv4.received + prefixes.ipv6.received,
    accepted: prefixes.ipv4.accepted + prefixes.ipv6.accepted,
    advertised: prefixes.ipv4.advertised + prefixes.ipv6.advertised,
    lastError,
    lastErrorAt: lastError !== null && peer.stats.lastErrorAt !== null ? new Date(peer.stats.lastErrorAt).toISOString() : null,
    establishedTransitions: peer.stats.establishedTransitions,
  };
}

function counters(c: MessageCounters): MessageCounters {
  return { open: c.open, update: c.update, notification: c.notification, keepalive: c.keepalive, routeRefresh: c.routeRefresh };
}

export function peerDetail(engine: RouteEngine, peer: Peer, spec: PeerSpec | undefined): PeerDetail {
  const n = peer.negotiated;
  const v = engine.peerView(peer.address);
  const helper = v?.gracefulRestart ?? null;
  return {
    ...peerRow(engine, peer, spec),
    bgpPeers: spec?.bgpPeers ?? [],
    routerId: n ? formatIpv4(n.peerId) : null,
    localAddress: peer.config.localAddress ?? null,
    localEndpoint: peer.localEndpoint,
    remoteEndpoint: peer.remoteEndpoint,
    port: peer.config.peerPort ?? 179,
    timers: {
      holdTimeOffered: peer.config.holdTime ?? 90,
      holdTime: n?.holdTime ?? null,
      keepaliveTime: n?.keepaliveTime ?? null,
      connectRetry: peer.config.connectRetrySeconds ?? 5,
    },
    capabilities: { local: (n?.localCapabilities ?? []).map(capabilityText), peer: (n?.peerCapabilities ?? []).map(capabilityText) },
    addPath: (n?.addPath ?? []).map((a) => ({ family: familyName(a.afi), send: a.send, receive: a.receive })),
    gracefulRestart: {
      negotiated: n?.gracefulRestart ?? false,
      peerRestartTime: n?.peerGracefulRestart?.restartTime ?? null,
      helper: helper ? { phase: helper.phase, families: helper.families.map(familyNameOfKey), expiresInSeconds: Math.round(helper.expiresInMs / 1000) } : null,
    },
    routeRefresh: { negotiated: n?.routeRefresh ?? false, enhanced: n?.enhancedRouteRefresh ?? false, receiving: (v?.refreshing ?? []).map(familyNameOfKey) },
    prefixLimitBackoffSeconds: Math.ceil((v?.limitBackoffMs ?? 0) / 1000),
    messages: { received: counters(peer.stats.received), sent: counters(peer.stats.sent) },
    updatesIn: v?.updatesIn ?? 0,
    withdrawalsIn: v?.withdrawalsIn ?? 0,
    updateGroups: v?.updateGroups ?? [],
    pendingOut: v?.pendingOut ?? 0,
  };
}

function asPathText(p: ReadonlyPath): string {
  return (p.attrs.attrs.asPath ?? [])
    .map((s) => (s.type === AsPathSegmentType.AS_SET ? `{${s.asns.join(',')}}` : s.type === AsPathSegmentType.AS_SEQUENCE ? s.asns.join(' ') : `(${s.asns.join(' ')})`))
    .join(' ');
}

function nextHopText(p: ReadonlyPath): string | null {
  const a = p.attrs.attrs;
  if (a.mpReach !== undefined) {
    const nh = a.mpReach.nextHop;
    if (nh.length >= 16) return formatIpv6(nh.subarray(0, 16));
    return nh.length === 4 ? formatIpv4(((nh[0]! << 24) | (nh[1]! << 16) | (nh[2]! << 8) | nh[3]!) >>> 0) : null;
  }
  return a.nextHop !== undefined ? formatIpv4(a.nextHop) : null;
}

function routePath(engine: RouteEngine, p: ReadonlyPath, best: boolean): RoutePath {
  const a = p.attrs.attrs;
  return {
    from: p.peer.address,
    node: engine.nodeOf(p.peer.id) ?? null,
    pathId: p.pathId,
    best,
    nextHop: nextHopText(p),
    originatorId: a.originatorId !== undefined ? formatIpv4(a.originatorId) : null,
    clusterList: (a.clusterList ?? []).map(formatIpv4),
    localPref: a.localPref ?? null,
    asPath: asPathText(p),
    communities: (a.communities ?? []).map((c) => `${c >>> 16}:${c & 0xffff}`),
    stale: p.stale,
    rejected: p.rejected === null ? null : { kind: p.rejected.kind, reason: p.rejected.text },
  };
}

/**
 * Loc-RIB rows — the eligible paths, best first — optionally only prefixes equal to,
 * inside or around `prefix`; with `rejected`, instead the paths import policy or the
 * loop checks refused, each with why.
 */
export function routeRows(engine: RouteEngine, prefix: string | undefined, rejected: boolean): RouteRow[] {
  let filter: ReturnType<typeof parsePrefix> | undefined;
  if (prefix !== undefined) {
    try {
      filter = parsePrefix(prefix, { loose: true });
    } catch (err) {
      throw new ControlError('BAD_PREFIX', err instanceof Error ? err.message : String(err));
    }
  }
  const rows: RouteRow[] = [];
  for (const fk of [V4, V6]) {
    for (const e of engine.routes(fk)) {
      if (filter !== undefined && !prefixContains(filter, e.prefix) && !prefixContains(e.prefix, filter)) continue;
      const paths = e.paths.filter((p) => (p.rejected !== null) === rejected).map((p) => routePath(engine, p, p === e.best));
      if (paths.length === 0) continue;
      rows.push({ prefix: formatPrefix(e.prefix), family: familyNameOfKey(fk), paths });
    }
  }
  return rows;
}
