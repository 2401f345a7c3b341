/**
 * Connection collision detection, RFC 4271 §6.8.
 *
 * What the RFC says: when an OPEN arrives on one connection while another connection to
 * the same peer is in OpenConfirm (or, optionally, Established), compare the BGP
 * Identifiers as unsigned 32-bit integers. The connection initiated by the speaker with
 * the higher BGP Identifier is kept; the other is closed with a Cease NOTIFICATION,
 * subcode 7 (RFC 4486). RFC 6286 §2.3: if the identifiers are equal, the connection
 * initiated by the speaker with the larger AS number is kept.
 *
 * What we do: exactly that, for connections in OpenSent/OpenConfirm. A connection that
 * collides with an Established session is closed (CollisionDetectEstablishedState off),
 * except when the peer had negotiated graceful restart, where the new connection means
 * the peer restarted (RFC 4724 §4.2): see session/session.ts.
 */

/** Which connection survives: the one we initiated (outgoing) or the one the peer initiated. */
export type Survivor = 'outgoing' | 'incoming';

export function collisionSurvivor(localId: number, localAs: number, remoteId: number, remoteAs: number): Survivor {
  const l = localId >>> 0;
  const r = remoteId >>> 0;
  if (l !== r) return l > r ? 'outgoing' : 'incoming';
  return localAs >= remoteAs ? 'outgoing' : 'incoming';
}

const dotted = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** The survivor and the reason text for the FSM ("kept the connection initiated by ..."). */
export function resolveCollision(
  localId: number,
  localAs: number,
  remoteId: number,
  remoteAs: number,
): { survivor: Survivor; detail: string } {
  const survivor = collisionSurvivor(localId, localAs, remoteId, remoteAs);
  const who = survivor === 'outgoing' ? 'us' : 'the peer';
  return { survivor, detail: `kept the connection initiated by ${who} (BGP Identifier ${dotted(localId >>> 0)} local, ${dotted(remoteId >>> 0)} remote)` };
}
