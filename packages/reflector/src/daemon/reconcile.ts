/**
 * Reconcile: the peers etcd says we must have (desired-peers.ts) against the peers the
 * speaker runs now → what to add, update, relabel and remove. PURE.
 *
 * - `peerSpecFor` turns one DesiredPeer into the session settings we run it with
 *   (PeerConfig for the speaker) plus what the route engine needs (node name, client).
 * - `reconcile` compares by peer address (the speaker's peer-table key):
 *     absent now            → add
 *     session settings differ → update (the speaker resets that one session, Cease 6/6)
 *     only the node name or the BGPPeer list differs → relabel (no session touched)
 *     identical             → nothing (never touched)
 *     not desired any more  → remove (Cease 6/3 Peer De-configured)
 *   A change of route-reflector client status is a session setting: the peer must
 *   receive the table of its new update group from scratch (RFC 4456 §6 rules differ),
 *   so it is treated as an update (one session reset).
 */
import { IPV4_UNICAST, IPV6_UNICAST, normaliseAddress, type AddPathSetting, type PeerConfig } from '@bgp-rr/bgp-speaker';
import type { DesiredPeer } from '@bgp-rr/etcd-store';

/** Local settings every peer shares (from the daemon options). */
export interface LocalPeerDefaults {
  /** Our BGP Identifier, dotted quad. */
  readonly routerId: string;
  /** HoldTime we offer (seconds). */
  readonly holdTime: number;
  /** Graceful restart time we advertise when the BGPPeer sets none (seconds, 12 bits). */
  readonly restartTime: number;
  /** ConnectRetryTime (seconds): we dial nodes that do not dial us. */
  readonly connectRetrySeconds: number;
}

export interface PeerSpec {
  /** Normalised peer address: the peer-table key. */
  readonly address: string;
  /** Calico node name. */
  readonly node: string;
  /** RFC 4456 §2 route-reflector client (nodes that are themselves reflectors are non-clients). */
  readonly isClient: boolean;
  /** BGPPeer resources that selected this node (for display). */
  readonly bgpPeers: readonly string[];
  readonly config: PeerConfig;
  /** Settings from etcd we cannot honour (TCP MD5, TTL security), for a log line. */
  readonly unsupported: readonly string[];
}

/** Both unicast families on every session: negotiation keeps what the node offers (RFC 4760 §8). */
const FAMILIES = [IPV4_UNICAST, IPV6_UNICAST] as const;
/** RFC 7911: receive every path from BIRD (`add paths on`), send every path to who accepts. */
const ADD_PATH: readonly AddPathSetting[] = FAMILIES.map((f) => ({ afi: f.afi, safi: f.safi, send: true, receive: true }));

/**
 * `localAs` is the AS nodes expect us in: the BGPPeer's spec.asNumber (else the global AS).
 *
 * Graceful restart (RFC 4724 §3): R-bit always set, since a session we open is either our
 * first after a (re)start or a re-establishment, and in both cases the node should send
 * its routes without waiting for ours; F-bit set for both families so that a client's
 * GR helper keeps the routes we reflected while we restart (we hold no forwarding state
 * of our own: the routes we gave stay valid as long as their originators live).
 */
export function peerSpecFor(p: DesiredPeer, localAs: number, d: LocalPeerDefaults): PeerSpec {
  const address = normaliseAddress(p.address);
  const unsupported: string[] = [];
  // Replaced by the --password-file entry, or the peer refused (peer-passwords.ts).
  if (p.password !== undefined) unsupported.push('password (a Kubernetes Secret: set it in --password-file)');
  if (p.ttlSecurity !== undefined) unsupported.push('ttlSecurity (Node cannot set IP_TTL)');
  const config: PeerConfig = {
    peerAddress: address,
    peerPort: p.port,
    localAddress: normaliseAddress(p.localAddress),
    localAs,
    peerAs: p.asNumber,
    routerId: d.routerId,
    holdTime: d.holdTime,
    passive: false,
    connectRetrySeconds: d.connectRetrySeconds,
    families: FAMILIES,
    addPath: ADD_PATH,
    gracefulRestart: {
      restartTime: Math.min(p.gracefulRestartTime ?? d.restartTime, 0xfff),
      restarting: true,
      families: FAMILIES.map((f) => ({ afi: f.afi, safi: f.safi, forwardingPreserved: true })),
    },
    description: p.name,
  };
  return { address, node: p.name, isClient: p.routeReflectorClient, bgpPeers: p.bgpPeers, config, unsupported };
}

export interface ReconcilePlan {
  readonly add: readonly PeerSpec[];
  /** New specs for peers whose session settings changed (one session reset each). */
  readonly update: readonly PeerSpec[];
  /** New specs for peers whose labels changed only (node name, BGPPeer list). */
  readonly relabel: readonly PeerSpec[];
  /** Addresses to remove. */
  readonly remove: readonly string[];
  /** How many peers were left exactly as they were. */
  readonly unchanged: number;
}

/** Canonical text of everything that a session negotiates or connects with (not its description). */
export function sessionKey(s: PeerSpec): string {
  const { description: _label, ...config } = s.config;
  return JSON.stringify({ config, isClient: s.isClient });
}

export function reconcile(desired: readonly PeerSpec[], current: ReadonlyMap<string, PeerSpec>): ReconcilePlan {
  const add: PeerSpec[] = [];
  const update: PeerSpec[] = [];
  const relabel: PeerSpec[] = [];
  const seen = new Set<string>();
  let unchanged = 0;
  for (const want of desired) {
    if (seen.has(want.address)) continue; // desired-peers already merges duplicates; first wins
    seen.add(want.address);
    const have = current.get(want.address);
    if (have === undefined) add.push(want);
    else if (sessionKey(have) !== sessionKey(want)) update.push(want);
    else if (have.node !== want.node || have.bgpPeers.join(',') !== want.bgpPeers.join(',')) relabel.push(want);
    else unchanged++;
  }
  const remove = [...current.keys()].filter((a) => !seen.has(a));
  return { add, update, relabel, remove, unchanged };
}

export function isEmptyPlan(p: ReconcilePlan): boolean {
  return p.add.length + p.update.length + p.relabel.length + p.remove.length === 0;
}
