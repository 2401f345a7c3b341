/**
 * Semantic checks of a received OPEN (RFC 4271 §6.2, RFC 6286, RFC 6793), separate from
 * parsing (open.ts) so the FSM can call them with its configuration. Returns the error to
 * send as NOTIFICATION, or null.
 */
import { ErrorCode, OpenSubcode, WireError } from './errors.js';
import { AS_TRANS, CapabilityCode, type Capability, type OpenMessage } from './types.js';

export interface OpenExpectations {
  /** The AS the peer must have (a number or the accepted set); undefined accepts any. */
  readonly peerAs?: number | readonly number[];
  /** Our AS: with an internal peer an identical BGP Identifier is refused (RFC 6286 §2.2). */
  readonly localAs?: number;
  /** Our BGP Identifier. */
  readonly localBgpId: number;
  /** Hold times the peer may offer below this (but non-zero) are refused with 2/6; default 3. */
  readonly minHoldTime?: number;
}

/** First capability of a given code. */
export function findCapability<C extends Capability['code']>(open: OpenMessage, code: C): Extract<Capability, { code: C }> | undefined {
  return open.capabilities.find((c) => c.code === code && !('unknown' in c)) as Extract<Capability, { code: C }> | undefined;
}

/** RFC 6793 §4.1: the peer's real AS is in the 4-octet AS capability when present, else My AS. */
export function peerAsOf(open: OpenMessage): number {
  const cap = findCapability(open, CapabilityCode.FOUR_OCTET_AS);
  return cap !== undefined ? cap.asn : open.myAs;
}

const err = (sub: number, msg: string, data?: Uint8Array): WireError => new WireError(ErrorCode.OPEN_MESSAGE, sub, msg, data);

export function validateOpen(open: OpenMessage, expect: OpenExpectations): WireError | null {
  // RFC 5492 §5: parameters other than capabilities are unsupported (2/4).
  if (open.otherParams !== undefined && open.otherParams.length > 0) {
    return err(OpenSubcode.UNSUPPORTED_OPTIONAL_PARAMETER, `unsupported optional parameter ${open.otherParams[0]!.type}`);
  }
  const asn = peerAsOf(open);
  const cap = findCapability(open, CapabilityCode.FOUR_OCTET_AS);
  // RFC 6793 §4.1: My AS is the real AS when it fits in 2 octets, else AS_TRANS (which we also
  // accept for a small AS: BIRD sends AS_TRANS for AS 65535).
  if (cap !== undefined && open.myAs !== AS_TRANS && open.myAs !== asn) {
    return err(OpenSubcode.BAD_PEER_AS, `My AS ${open.myAs} disagrees with 4-octet AS ${asn}`);
  }
  if (cap === undefined && open.myAs === AS_TRANS) return err(OpenSubcode.BAD_PEER_AS, 'AS_TRANS without 4-octet AS capability');
  if (expect.peerAs !== undefined) {
    const ok = typeof expect.peerAs === 'number' ? asn === expect.peerAs : expect.peerAs.includes(asn);
    if (!ok) return err(OpenSubcode.BAD_PEER_AS, `peer AS ${asn} is not the configured ${String(expect.peerAs)}`);
  }
  // RFC 6286 §2.2: the BGP Identifier is a non-zero 32-bit value; an internal peer may not share ours.
  if (open.bgpId === 0) return err(OpenSubcode.BAD_BGP_IDENTIFIER, 'BGP Identifier 0');
  if (open.bgpId === expect.localBgpId && (expect.localAs === undefined || expect.localAs === asn)) {
    return err(OpenSubcode.BAD_BGP_IDENTIFIER, 'BGP Identifier equals ours');
  }
  const min = expect.minHoldTime ?? 3;
  if (open.holdTime !== 0 && open.holdTime < min) {
    return err(OpenSubcode.UNACCEPTABLE_HOLD_TIME, `hold time ${open.holdTime} below ${min}`);
  }
  return null;
}
