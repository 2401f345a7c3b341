/**
 * OPEN negotiation: what we advertise (our capabilities, from local settings) and what
 * the session gets once the peer's OPEN is known (hold time, families, capabilities both
 * ways, the decoder's CodecContext). Pure.
 *
 * Rules, each where it lives:
 * - Checks (wire/validate-open.ts): peer AS (2/2), BGP Identifier (2/3), hold time 1-2 (2/6).
 * - Hold time (RFC 4271 §4.2): 0 or >= 3 s; the smaller of the two offers is used;
 *   KeepaliveTime is a third of it (§4.4, §10).
 * - Families (RFC 4760 §8): the intersection of both sides' MULTIPROTOCOL capabilities; a
 *   side that advertises none supports IPv4 unicast only.
 * - 4-octet AS (RFC 6793 §3): on when both advertise it; the peer's AS is then the
 *   capability's value, else the My AS field.
 * - ADD-PATH (RFC 7911 §5): per family, we send path identifiers when we advertised Send
 *   and the peer Receive; we receive them when we advertised Receive and the peer Send.
 * - Extended message (RFC 8654 §3): on when both advertise it.
 * - Route refresh (RFC 2918 §3, RFC 7313): we may send ROUTE-REFRESH when the peer advertised it.
 * - Graceful restart (RFC 4724 §3): the peer's capability (restart time, R-bit, F-bits)
 *   is kept as is; `gracefulRestart` is true when both sides advertised it.
 */
import {
  AS_TRANS,
  AddPathMode,
  CapabilityCode,
  familyKey,
  type Capability,
  type CodecContext,
  type Family,
  type GracefulRestartFamily,
  type OpenMessage,
} from '../wire/types.js';
import { findCapability, peerAsOf, validateOpen } from '../wire/validate-open.js';
import type { NotificationSpec } from './state.js';

/** ADD-PATH wish for one family: whether we want to send and/or receive path identifiers. */
export interface AddPathSetting {
  readonly afi: number;
  readonly safi: number;
  readonly send: boolean;
  readonly receive: boolean;
}

/** Our RFC 4724 Graceful Restart capability. */
export interface GracefulRestartSetting {
  /** Restart Time, seconds (12 bits). */
  readonly restartTime: number;
  /** R-bit: we are restarting (our table comes again, then End-of-RIB). */
  readonly restarting: boolean;
  /** Families whose forwarding state we preserve (F-bit); families listed are the GR families. */
  readonly families: readonly GracefulRestartFamily[];
}

/** What we advertise in our OPEN. */
export interface LocalSettings {
  readonly localAs: number;
  /** BGP Identifier as uint32. */
  readonly routerId: number;
  /** Offered HoldTime, seconds: 0 or >= 3. */
  readonly holdTime: number;
  readonly families: readonly Family[];
  readonly addPath: readonly AddPathSetting[];
  readonly gracefulRestart?: GracefulRestartSetting | undefined;
  /** RFC 8654; default off. */
  readonly extendedMessage?: boolean;
}

/** The peer's RFC 4724 capability as received. */
export interface PeerGracefulRestart {
  readonly restartTime: number;
  readonly restarting: boolean;
  readonly families: readonly GracefulRestartFamily[];
}

/** Per family and direction, negotiated (RFC 7911 §5). */
export interface AddPathNegotiated {
  readonly afi: number;
  readonly safi: number;
  readonly send: boolean;
  readonly receive: boolean;
}

/** The result of the OPEN exchange; no times in it (hold and keepalive times are durations, seconds). */
export interface Negotiated {
  /** The peer's AS (4-octet capability value when present, else My AS). */
  readonly peerAs: number;
  /** The peer's BGP Identifier as uint32. */
  readonly peerId: number;
  readonly holdTime: number;
  readonly keepaliveTime: number;
  readonly families: readonly Family[];
  readonly fourOctetAs: boolean;
  readonly extendedMessage: boolean;
  /**
   * The peer advertised Route Refresh (RFC 2918) / Enhanced Route Refresh (RFC 7313). We
   * always advertise both, so these say what the session negotiated: whether we may
   * send a request / BoRR and EoRR, and whether a request from the peer is answered
   * between BoRR and EoRR.
   */
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  readonly addPath: readonly AddPathNegotiated[];
  /** Both sides advertised graceful restart. */
  readonly gracefulRestart: boolean;
  /** The peer's GR capability, when it sent one. */
  readonly peerGracefulRestart: PeerGracefulRestart | null;
  readonly localCapabilities: readonly Capability[];
  readonly peerCapabilities: readonly Capability[];
  /** For the decoder and encoder of this session. */
  readonly codec: CodecContext;
}

export type NegotiationResult = { readonly ok: true; readonly negotiated: Negotiated } | { readonly ok: false; readonly error: NotificationSpec };


/** Our capabilities, in the order BIRD sends them. */
export function localCapabilities(s: LocalSettings): Capability[] {
  const caps: Capability[] = [];
  for (const f of s.families) caps.push({ code: CapabilityCode.MULTIPROTOCOL, afi: f.afi, safi: f.safi });
  caps.push({ code: CapabilityCode.ROUTE_REFRESH });
  caps.push({ code: CapabilityCode.ENHANCED_ROUTE_REFRESH });
  if (s.extendedMessage) caps.push({ code: CapabilityCode.EXTENDED_MESSAGE });
  if (s.gracefulRestart) {
    caps.push({
      code: CapabilityCode.GRACEFUL_RESTART,
      restarting: s.gracefulRestart.restarting,
      notification: false,
      restartTime: s.gracefulRestart.restartTime & 0xfff,
      families: s.gracefulRestart.families,
    });
  }
  caps.push({ code: CapabilityCode.FOUR_OCTET_AS, asn: s.localAs });
  const ap = s.addPath.filter((a) => a.send || a.receive);
  if (ap.length > 0) {
    caps.push({
      code: CapabilityCode.ADD_PATH,
      families: ap.map((a) => ({
        afi: a.afi,
        safi: a.safi,
        mode: (a.send && a.receive ? AddPathMode.BOTH : a.send ? AddPathMode.SEND : AddPathMode.RECEIVE) as AddPathMode,
      })),
    });
  }
  return caps;
}

/** Our OPEN message (RFC 4271 §4.2; My AS is AS_TRANS above 65535, RFC 6793 §4.2.1). */
export function buildOpen(s: LocalSettings): OpenMessage {
  return {
    type: 1,
    version: 4,
    myAs: s.localAs > 0xffff ? AS_TRANS : s.localAs,
    holdTime: s.holdTime,
    bgpId: s.routerId >>> 0,
    capabilities: localCapabilities(s),
  };
}

function families(caps: readonly Capability[]): Family[] {
  const out: Family[] = [];
  for (const c of caps) {
    if (c.code === CapabilityCode.MULTIPROTOCOL && 'afi' in c) out.push({ afi: c.afi as Family['afi'], safi: c.safi });
  }
  return out.length > 0 ? out : [{ afi: 1, safi: 1 }];
}

/**
 * Negotiates a session from our settings and the peer's OPEN; an error is the
 * NOTIFICATION to send (RFC 4271 §6.2). `expectedPeerAs` is the configured remote AS.
 */
export function negotiate(local: LocalSettings, expectedPeerAs: number, open: OpenMessage): NegotiationResult {
  // RFC 4271 §6.2, RFC 6286, RFC 6793 (version and structure were checked by decodeOpen).
  const bad = validateOpen(open, { peerAs: expectedPeerAs, localAs: local.localAs, localBgpId: local.routerId >>> 0 });
  if (bad) return { ok: false, error: { code: bad.code, subcode: bad.subcode, data: bad.data, message: bad.message } };
  const peerAs = peerAsOf(open);
  const peerId = open.bgpId >>> 0;
  const holdTime = Math.min(local.holdTime, open.holdTime);
  const keepaliveTime = Math.floor(holdTime / 3);
  const localCaps = localCapabilities(local);
  const peerCaps = open.capabilities;

  const peerFamilies = new Set(families(peerCaps).map((f) => familyKey(f.afi, f.safi)));
  const common = families(localCaps).filter((f) => peerFamilies.has(familyKey(f.afi, f.safi)));
  const commonKeys = new Set(common.map((f) => familyKey(f.afi, f.safi)));

  const fourOctetAs = findCapability(open, CapabilityCode.FOUR_OCTET_AS) !== undefined;
  const extendedMessage = !!local.extendedMessage && findCapability(open, CapabilityCode.EXTENDED_MESSAGE) !== undefined;

  const peerAddPath = new Map<number, number>();
  for (const f of findCapability(open, CapabilityCode.ADD_PATH)?.families ?? []) peerAddPath.set(familyKey(f.afi, f.safi), f.mode);
  const addPath: AddPathNegotiated[] = [];
  const addPathSend = new Set<number>();
  const addPathReceive = new Set<number>();
  for (const a of local.addPath) {
    const key = familyKey(a.afi, a.safi);
    const peerMode = peerAddPath.get(key) ?? 0;
    if (!commonKeys.has(key)) continue;
    const send = a.send && (peerMode & AddPathMode.RECEIVE) !== 0;
    const receive = a.receive && (peerMode & AddPathMode.SEND) !== 0;
    if (!send && !receive) continue;
    addPath.push({ afi: a.afi, safi: a.safi, send, receive });
    if (send) addPathSend.add(key);
    if (receive) addPathReceive.add(key);
  }

  const gr = findCapability(open, CapabilityCode.GRACEFUL_RESTART);
  const peerGracefulRestart: PeerGracefulRestart | null = gr
    ? { restartTime: gr.restartTime, restarting: gr.restarting, families: gr.families }
    : null;

  return {
    ok: true,
    negotiated: {
      peerAs,
      peerId,
      holdTime,
      keepaliveTime,
      families: common,
      fourOctetAs,
      extendedMessage,
      routeRefresh: findCapability(open, CapabilityCode.ROUTE_REFRESH) !== undefined,
      enhancedRouteRefresh: findCapability(open, CapabilityCode.ENHANCED_ROUTE_REFRESH) !== undefined,
      addPath,
      gracefulRestart: peerGracefulRestart !== null && local.gracefulRestart !== undefined,
      peerGracefulRestart,
      localCapabilities: localCaps,
      peerCapabilities: peerCaps,
      codec: { fourOctetAs, extendedMessage, addPathSend, addPathReceive },
    },
  };
}
