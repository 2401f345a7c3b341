/**
 * Route reflection (RFC 4456). Pure.
 *
 * Contents:
 * - `peerClass`: client / non-client / external, from what we know of a peer.
 * - `mayAdvertise`: the §6 rules — may a path learned from one peer go to another.
 * - `reflectionLoop`: the §8 loop checks applied on import.
 * - `exportAttributes`: the attributes a path carries when we send it to an internal
 *   peer (§8 ORIGINATOR_ID and CLUSTER_LIST when reflected; otherwise untouched).
 *
 * Scope: we send to internal peers only (clients and non-clients). Calico nodes peer
 * with the reflectors inside the cluster AS; advertising to an external peer would need
 * AS_PATH prepending and a next hop of our own (RFC 4271 §5.1.2, §5.1.3), which this
 * module does not do. Routes learned from external peers are accepted and advertised to
 * every internal peer.
 */
import { DEFAULT_LOCAL_PREF, type Path, type PathAttributes, type PeerInfo, type Rejection } from '@bgp-rr/bgp-speaker';

export type PeerClass = 'client' | 'nonClient' | 'external';

/** Who we are, for reflection (router id and cluster id as uint32). */
export interface ReflectorIdentity {
  readonly routerId: number;
  /** RFC 4456 §7 CLUSTER_ID; by default the router id. Replicas usually share one. */
  readonly clusterId: number;
}

export function peerClass(p: Pick<PeerInfo, 'isIbgp' | 'isClient'>): PeerClass {
  if (!p.isIbgp) return 'external';
  return p.isClient ? 'client' : 'nonClient';
}

/**
 * RFC 4456 §6, what a route reflector advertises, by where the route came from:
 *   a) from a non-client peer: reflect to all the clients (not to other non-clients);
 *   b) from a client peer: reflect to all the non-client peers and to all the clients
 *      other than the originator;
 *   c) from an EBGP peer: send to all the client and non-client peers.
 * And never back to the peer it came from (split horizon; `fromPeer`/`toPeer` are the
 * peer ids — the update groups apply it per member, since they share one encoding).
 */
export function mayAdvertise(from: PeerClass, to: PeerClass, fromPeer?: string, toPeer?: string): boolean {
  if (fromPeer !== undefined && fromPeer === toPeer) return false;
  if (to === 'external') return false; // out of scope, see the header
  if (from === 'nonClient') return to === 'client';
  return true; // from a client, or from an external peer: to every internal peer
}

/**
 * RFC 4456 §8, on import:
 *   "A router that recognizes the ORIGINATOR_ID attribute SHOULD ignore a route received
 *    with its BGP Identifier as the ORIGINATOR_ID."
 *   "If the local CLUSTER_ID is found in the CLUSTER_LIST, the advertisement received
 *    SHOULD be ignored."
 * Returns why the route must be ignored (kept as rejected, never selected), or null. (Three replicas sharing a CLUSTER_ID is
 * what stops a route from going round between them.)
 */
export function reflectionLoop(a: Readonly<PathAttributes>, self: ReflectorIdentity): Rejection | null {
  if (a.originatorId !== undefined && a.originatorId === self.routerId) return LOOP_ORIGINATOR;
  if (a.clusterList !== undefined && a.clusterList.includes(self.clusterId)) return LOOP_CLUSTER;
  return null;
}

const LOOP_ORIGINATOR: Rejection = { kind: 'loop', text: 'RFC 4456 §8: ORIGINATOR_ID is our own router id' };
const LOOP_CLUSTER: Rejection = { kind: 'loop', text: 'RFC 4456 §8: our CLUSTER_ID is in the CLUSTER_LIST' };

/**
 * The attributes `path` carries when advertised to internal peers.
 *
 * Reflected (learned from an internal peer), RFC 4456 §8:
 *   - ORIGINATOR_ID: "created by an RR in reflecting a route ... the BGP Identifier of the
 *     originator of the route in the local AS"; kept when already present.
 *   - CLUSTER_LIST: "When an RR reflects a route, it MUST prepend the local CLUSTER_ID".
 *   - Everything else as received (§10: an RR must not change NEXT_HOP, LOCAL_PREF, MED,
 *     communities...; unknown transitive attributes are re-sent, the codec sets Partial).
 * Learned from an external peer (not reflection; RFC 4271 §5.1.5): LOCAL_PREF is our
 *   degree of preference (the default, see decision.ts); no ORIGINATOR_ID/CLUSTER_LIST.
 */
export function exportAttributes(path: Path, self: ReflectorIdentity): PathAttributes {
  const a = path.attrs.attrs;
  if (!path.peer.isIbgp) {
    const out: PathAttributes = { ...a, localPref: a.localPref ?? DEFAULT_LOCAL_PREF };
    delete out.originatorId;
    delete out.clusterList;
    return out;
  }
  return {
    ...a,
    originatorId: a.originatorId ?? path.peer.routerId,
    clusterList: [self.clusterId, ...(a.clusterList ?? [])],
  };
}
