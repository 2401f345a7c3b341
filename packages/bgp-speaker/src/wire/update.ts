/**
 * UPDATE decoding (RFC 4271 §4.3) with the error handling of RFC 4271 §6.3 as revised by
 * RFC 7606: each error found is a WireError with its NOTIFICATION code/subcode/data and a
 * severity; session-reset errors are thrown, milder ones are collected and the worst
 * decides the `action` (RFC 7606 §3 (i)).
 *
 *   Withdrawn Routes Length (2) | Withdrawn Routes | Total Path Attribute Length (2) |
 *   Path Attributes | NLRI
 */
import { ATTRIBUTE_BY_CODE } from './attributes.js';
import { mergeAs4Path, reconcileAggregator } from './as-path.js';
import { ErrorCode, Severity, UpdateSubcode, WireError } from './errors.js';
import { DISCARD_ATTRIBUTE } from './mp.js';
import { decodeNlri } from './nlri.js';
import {
  Afi,
  AttrCode,
  AttrFlag,
  IPV4_UNICAST,
  MessageType,
  familyKey,
  type CodecContext,
  type Family,
  type Nlri,
  type PathAttributes,
  type RawAttribute,
  type UpdateMessage,
} from './types.js';

export type UpdateAction = 'none' | 'attribute-discard' | 'treat-as-withdraw';

export interface DecodedUpdate {
  readonly update: UpdateMessage;
  /** RFC 7606 approach for this UPDATE: with 'treat-as-withdraw' every NLRI it carries is withdrawn. */
  readonly action: UpdateAction;
  /** Non-fatal errors found (attribute-discard, treat-as-withdraw), for logging. */
  readonly errors: readonly WireError[];
  /** Set when this UPDATE is an End-of-RIB marker (RFC 4724 §2). */
  readonly endOfRib?: Family;
}

const NO_ERRORS: readonly WireError[] = Object.freeze([]);
const NO_NLRI: readonly Nlri[] = Object.freeze([]);
const ACTIONS: readonly UpdateAction[] = ['none', 'attribute-discard', 'treat-as-withdraw'];

/** Attribute codes already seen in the UPDATE being decoded: stamp per decode (no per-call allocation). */
const seenStamp = new Uint32Array(256);
let stamp = 0;

function err(subcode: number, message: string, data?: Uint8Array, severity: Severity = Severity.SESSION_RESET): WireError {
  return new WireError(ErrorCode.UPDATE_MESSAGE, subcode, message, data, severity);
}

/**
 * RFC 7606 §4: when the attribute list cannot be walked to its end, treat-as-withdraw.
 * What we do beyond the RFC: treat-as-withdraw needs every NLRI located (RFC 7606 §5.1),
 * so when the UPDATE has no classic NLRI/withdrawn routes and no MP_REACH/MP_UNREACH was
 * found before the break (it may hide in the unparsed rest), we reset the session instead
 * of silently keeping routes the peer meant to change.
 */
function framingError(message: string, attrs: PathAttributes, withdrawn: readonly Nlri[], nlri: readonly Nlri[]): WireError {
  const located = nlri.length > 0 || withdrawn.length > 0 || attrs.mpReach !== undefined || attrs.mpUnreach !== undefined;
  if (!located) throw err(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `${message}; no NLRI located`);
  return err(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, message, undefined, Severity.TREAT_AS_WITHDRAW);
}

/** Decodes an UPDATE body (the bytes after the 19-byte header). */
export function decodeUpdate(body: Uint8Array, ctx: CodecContext): DecodedUpdate {
  return decodeUpdateAt(body, 0, body.length, ctx);
}

/** Decodes the UPDATE body at `b[start..end)`. Throws WireError for session-reset errors. */
export function decodeUpdateAt(b: Uint8Array, start: number, end: number, ctx: CodecContext): DecodedUpdate {
  // RFC 4271 §6.3 / RFC 7606 §4: lengths that cannot locate the fields are Malformed Attribute List.
  if (end - start < 4) throw err(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, 'UPDATE shorter than its length fields');
  const wLen = (b[start]! << 8) | b[start + 1]!;
  const wEnd = start + 2 + wLen;
  if (wEnd + 2 > end) throw err(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, 'withdrawn routes length overruns the UPDATE');
  const aLen = (b[wEnd]! << 8) | b[wEnd + 1]!;
  const aStart = wEnd + 2;
  const aEnd = aStart + aLen;
  if (aEnd > end) throw err(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, 'total path attribute length overruns the UPDATE');

  const v4AddPath = ctx.addPathReceive.has(familyKey(Afi.IPV4, 1));
  // RFC 7606 §5.3: unparseable withdrawn routes / NLRI are a session reset.
  const withdrawn =
    wLen === 0 ? NO_NLRI : decodeNlri(b, start + 2, wEnd, Afi.IPV4, v4AddPath, ErrorCode.UPDATE_MESSAGE, UpdateSubcode.INVALID_NETWORK_FIELD);
  const nlri =
    aEnd === end ? NO_NLRI : decodeNlri(b, aEnd, end, Afi.IPV4, v4AddPath, ErrorCode.UPDATE_MESSAGE, UpdateSubcode.INVALID_NETWORK_FIELD);

  const attrs: PathAttributes = {};
  let errors: WireError[] | null = null;
  let worst = 0;
  const note = (e: WireError): void => {
    (errors ??= []).push(e);
    if (e.severity > worst) worst = e.severity;
  };
  let unknown: RawAttribute[] | undefined;
  stamp = (stamp + 1) >>> 0;
  if (stamp === 0) {
    seenStamp.fill(0);
    stamp = 1;
  }

  let p = aStart;
  while (p < aEnd) {
    const flags = b[p]!;
    const hdr = flags & AttrFlag.EXTENDED_LENGTH ? 4 : 3;
    if (p + hdr > aEnd) {
      // RFC 7606 §4: too few octets left for an attribute header: treat-as-withdraw.
      note(framingError('truncated attribute header', attrs, withdrawn, nlri));
      break;
    }
    const code = b[p + 1]!;
    const len = hdr === 4 ? (b[p + 2]! << 8) | b[p + 3]! : b[p + 2]!;
    const vs = p + hdr;
    const ve = vs + len;
    if (ve > aEnd) {
      // RFC 7606 §4: the attribute overruns the Total Path Attribute Length: treat-as-withdraw.
      note(framingError(`attribute ${code} overruns the attribute list`, attrs, withdrawn, nlri));
      break;
    }
    p = ve;
    const row = ATTRIBUTE_BY_CODE[code];
    if (seenStamp[code] === stamp) {
      // RFC 7606 §3 (g): a repeated MP_REACH/MP_UNREACH is a session reset; other repeats are dropped.
      if (code === AttrCode.MP_REACH_NLRI || code === AttrCode.MP_UNREACH_NLRI) {
        throw err(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `attribute ${code} repeated`);
      }
      note(err(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `attribute ${code} repeated`, undefined, Severity.ATTRIBUTE_DISCARD));
      continue;
    }
    seenStamp[code] = stamp;
    if (row === undefined) {
      if (!(flags & AttrFlag.OPTIONAL)) {
        // RFC 4271 §6.3: unrecognized well-known attribute, session reset (not revised by RFC 7606).
        throw err(UpdateSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, `unrecognized well-known attribute ${code}`, b.slice(vs - hdr, ve));
      }
      // RFC 4271 §5: unknown optional transitive kept (re-sent with Partial set); non-transitive dropped.
      if (flags & AttrFlag.TRANSITIVE) (unknown ??= []).push({ flags, code, value: b.slice(vs, ve) });
      continue;
    }
    // RFC 4271 §5, §6.3: the Optional/Transitive bits must match the attribute; Partial only on optional transitive.
    const flagsOk =
      (flags & (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE)) === row.flags &&
      (row.flags === (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE) || !(flags & AttrFlag.PARTIAL));
    const result = flagsOk ? row.decode(b, vs, ve, attrs, ctx) : UpdateSubcode.ATTRIBUTE_FLAGS_ERROR;
    if (result === 0) continue;
    const severity = result & DISCARD_ATTRIBUTE ? Severity.ATTRIBUTE_DISCARD : row.malformed;
    const e = err(result & 0xff, `malformed ${row.name}`, b.slice(vs - hdr, ve), severity);
    if (severity === Severity.SESSION_RESET) throw e;
    note(e); // the attribute's decoder did not store it: discarded
  }

  // RFC 6793 §4.2.3: on a 2-octet session rebuild the 4-octet AS_PATH and AGGREGATOR.
  if (attrs.as4Path !== undefined || attrs.as4Aggregator !== undefined) {
    const r = reconcileAggregator(attrs.aggregator, attrs.as4Aggregator);
    if (r.aggregator !== undefined) attrs.aggregator = r.aggregator;
    if (r.useAs4Path && attrs.as4Path !== undefined && attrs.asPath !== undefined) {
      attrs.asPath = mergeAs4Path(attrs.asPath, attrs.as4Path);
    }
    delete attrs.as4Path;
    delete attrs.as4Aggregator;
  }
  if (unknown !== undefined) attrs.unknown = unknown;

  // RFC 7606 §3 (d): missing well-known mandatory attributes with NLRI present: treat-as-withdraw.
  const hasMpNlri = attrs.mpReach !== undefined && attrs.mpReach.nlri.length > 0;
  if (nlri.length > 0 || hasMpNlri) {
    const missing = (code: number): void =>
      note(err(UpdateSubcode.MISSING_WELL_KNOWN_ATTRIBUTE, `missing well-known attribute ${code}`, Uint8Array.of(code), Severity.TREAT_AS_WITHDRAW));
    if (seenStamp[AttrCode.ORIGIN] !== stamp) missing(AttrCode.ORIGIN);
    if (seenStamp[AttrCode.AS_PATH] !== stamp) missing(AttrCode.AS_PATH);
    // RFC 4760 §3: NEXT_HOP is only required for NLRI in the classic field.
    if (nlri.length > 0 && seenStamp[AttrCode.NEXT_HOP] !== stamp) missing(AttrCode.NEXT_HOP);
  }

  const update: UpdateMessage = { type: MessageType.UPDATE, withdrawn, attributes: attrs, nlri };
  const result: { update: UpdateMessage; action: UpdateAction; errors: readonly WireError[]; endOfRib?: Family } = {
    update,
    action: ACTIONS[worst]!,
    errors: errors ?? NO_ERRORS,
  };
  // RFC 4724 §2: End-of-RIB is an UPDATE with nothing in it (IPv4 unicast), or only an
  // empty MP_UNREACH_NLRI for its AFI/SAFI.
  if (withdrawn.length === 0 && nlri.length === 0) {
    if (aLen === 0) result.endOfRib = IPV4_UNICAST;
    else if (worst === 0 && attrs.mpUnreach !== undefined && attrs.mpUnreach.withdrawn.length === 0 && onlyMpUnreach(attrs)) {
      result.endOfRib = { afi: attrs.mpUnreach.afi as Family['afi'], safi: attrs.mpUnreach.safi };
    }
  }
  return result;
}

function onlyMpUnreach(a: PathAttributes): boolean {
  for (const k in a) if (k !== 'mpUnreach') return false;
  return true;
}
