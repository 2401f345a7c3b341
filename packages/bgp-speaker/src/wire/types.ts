/**
 * The BGP-4 message vocabulary: what the codec produces and consumes, what the FSM and
 * sessions exchange, what the RIB stores. Pure data, no behaviour.
 *
 * Representation choices (hot path, see DESIGN.md §4):
 * - An IPv4 address is a uint32 `number`; an IPv6 address is a 16-byte Uint8Array.
 * - A prefix keeps its address with host bits zero; `prefixKey` (prefix.ts) turns it
 *   into a compact map key (a number for IPv4, a short string for IPv6).
 * - Path attributes are a flat record, one optional field per known attribute
 *   (RFC 4271 §4.3, §5), plus unknown optional transitive ones kept as raw bytes.
 */

/** RFC 4271 §4.1 message types (plus RFC 2918 ROUTE-REFRESH). */
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Address Family Identifiers (IANA) and SAFIs we carry. */
export const Afi = { IPV4: 1, IPV6: 2 } as const;
export type Afi = (typeof Afi)[keyof typeof Afi];
export const Safi = { UNICAST: 1 } as const;
export type Safi = number;

/** An AFI/SAFI pair. `familyKey` = afi << 8 | safi is used as a compact map key. */
export interface Family {
  readonly afi: Afi;
  readonly safi: Safi;
}
export const familyKey = (afi: number, safi: number): number => (afi << 8) | safi;
export const IPV4_UNICAST: Family = { afi: Afi.IPV4, safi: Safi.UNICAST };
export const IPV6_UNICAST: Family = { afi: Afi.IPV6, safi: Safi.UNICAST };

export interface Ipv4Prefix {
  readonly afi: typeof Afi.IPV4;
  /** Network address as uint32, host bits zero. */
  readonly addr: number;
  readonly len: number;
}
export interface Ipv6Prefix {
  readonly afi: typeof Afi.IPV6;
  /** 16 bytes, host bits zero. */
  readonly addr: Uint8Array;
  readonly len: number;
}
export type Prefix = Ipv4Prefix | Ipv6Prefix;

/** One NLRI entry: a prefix and its RFC 7911 path identifier (0 when ADD-PATH is off). */
export interface Nlri {
  readonly prefix: Prefix;
  readonly pathId: number;
}

/** RFC 4271 §4.3 ORIGIN values. */
export const Origin = { IGP: 0, EGP: 1, INCOMPLETE: 2 } as const;
export type Origin = (typeof Origin)[keyof typeof Origin];

/** AS_PATH segment types: RFC 4271 (SET, SEQUENCE), RFC 5065 (CONFED_SEQUENCE, CONFED_SET). */
export const AsPathSegmentType = { AS_SET: 1, AS_SEQUENCE: 2, AS_CONFED_SEQUENCE: 3, AS_CONFED_SET: 4 } as const;
export type AsPathSegmentType = (typeof AsPathSegmentType)[keyof typeof AsPathSegmentType];
export interface AsPathSegment {
  readonly type: AsPathSegmentType;
  readonly asns: readonly number[];
}

/** Path attribute type codes (IANA). */
export const AttrCode = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITY: 32,
} as const;

/** Attribute flag bits (RFC 4271 §4.3). */
export const AttrFlag = { OPTIONAL: 0x80, TRANSITIVE: 0x40, PARTIAL: 0x20, EXTENDED_LENGTH: 0x10 } as const;

export interface Aggregator {
  readonly asn: number;
  /** IPv4 address as uint32. */
  readonly address: number;
}

/** An attribute we do not understand, kept to be re-sent (RFC 4271 §5, §9.1.4 with Partial set). */
export interface RawAttribute {
  readonly flags: number;
  readonly code: number;
  readonly value: Uint8Array;
}

/** RFC 4760 MP_REACH_NLRI. nextHop is 4, 16 or 32 (global + link-local) bytes. */
export interface MpReach {
  readonly afi: number;
  readonly safi: number;
  readonly nextHop: Uint8Array;
  readonly nlri: readonly Nlri[];
}
/** RFC 4760 MP_UNREACH_NLRI. An empty `withdrawn` list is End-of-RIB for that family (RFC 4724 §2). */
export interface MpUnreach {
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: readonly Nlri[];
}

/**
 * The path attributes of one UPDATE. After decoding, AS4_PATH/AS4_AGGREGATOR have already
 * been merged into asPath/aggregator per RFC 6793 §4.2.3 when the session is 2-octet; the
 * AS4 fields are only set on encode-side use or when kept for diagnostics.
 */
export interface PathAttributes {
  origin?: Origin;
  asPath?: readonly AsPathSegment[];
  /** IPv4 NEXT_HOP as uint32 (attribute 3). IPv6 next hops live in mpReach.nextHop. */
  nextHop?: number;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: Aggregator;
  /** RFC 1997 communities, each a uint32. */
  communities?: readonly number[];
  /** RFC 4456 ORIGINATOR_ID as uint32. */
  originatorId?: number;
  /** RFC 4456 CLUSTER_LIST, each a uint32, first = most recently prepended. */
  clusterList?: readonly number[];
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  /** RFC 4360 extended communities, each 8 bytes. */
  extCommunities?: readonly Uint8Array[];
  /** RFC 8092 large communities: [globalAdmin, localData1, localData2] triples. */
  largeCommunities?: readonly (readonly [number, number, number])[];
  as4Path?: readonly AsPathSegment[];
  as4Aggregator?: Aggregator;
  /** Unknown optional transitive attributes, in arrival order. */
  unknown?: readonly RawAttribute[];
}

/** Capability codes (IANA). */
export const CapabilityCode = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  EXTENDED_MESSAGE: 6,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
  ADD_PATH: 69,
  ENHANCED_ROUTE_REFRESH: 70,
  LONG_LIVED_GR: 71,
  FQDN: 73,
} as const;

/** RFC 7911 §4 Send/Receive field. */
export const AddPathMode = { RECEIVE: 1, SEND: 2, BOTH: 3 } as const;
export type AddPathMode = (typeof AddPathMode)[keyof typeof AddPathMode];

export interface GracefulRestartFamily {
  readonly afi: number;
  readonly safi: number;
  /** F-bit: forwarding state preserved. */
  readonly forwardingPreserved: boolean;
}
export interface LlgrFamily {
  readonly afi: number;
  readonly safi: number;
  readonly forwardingPreserved: boolean;
  /** 24-bit long-lived stale time, seconds. */
  readonly staleTime: number;
}

/** One capability, as a discriminated union on `code`. */
export type Capability =
  | { readonly code: typeof CapabilityCode.MULTIPROTOCOL; readonly afi: number; readonly safi: number }
  | { readonly code: typeof CapabilityCode.ROUTE_REFRESH }
  | { readonly code: typeof CapabilityCode.ENHANCED_ROUTE_REFRESH }
  | { readonly code: typeof CapabilityCode.EXTENDED_MESSAGE }
  | { readonly code: typeof CapabilityCode.FOUR_OCTET_AS; readonly asn: number }
  | {
      readonly code: typeof CapabilityCode.GRACEFUL_RESTART;
      /** R-bit. */
      readonly restarting: boolean;
      /** N-bit (RFC 8538), decoded and kept. */
      readonly notification: boolean;
      /** 12-bit restart time, seconds. */
      readonly restartTime: number;
      readonly families: readonly GracefulRestartFamily[];
    }
  | {
      readonly code: typeof CapabilityCode.ADD_PATH;
      readonly families: readonly { readonly afi: number; readonly safi: number; readonly mode: AddPathMode }[];
    }
  | { readonly code: typeof CapabilityCode.LONG_LIVED_GR; readonly families: readonly LlgrFamily[] }
  | { readonly code: typeof CapabilityCode.FQDN; readonly hostname: string; readonly domain: string }
  | { readonly code: number; readonly raw: Uint8Array; readonly unknown: true };

export interface OpenMessage {
  readonly type: typeof MessageType.OPEN;
  readonly version: number;
  /** The 2-octet My AS field as sent (AS_TRANS 23456 when the real AS is > 65535). */
  readonly myAs: number;
  readonly holdTime: number;
  /** BGP Identifier as uint32. */
  readonly bgpId: number;
  readonly capabilities: readonly Capability[];
  /** Optional parameters other than capabilities (type != 2), kept raw. */
  readonly otherParams?: readonly { readonly type: number; readonly value: Uint8Array }[];
}

export interface UpdateMessage {
  readonly type: typeof MessageType.UPDATE;
  /** IPv4 withdrawn routes (the classic field). */
  readonly withdrawn: readonly Nlri[];
  readonly attributes: PathAttributes;
  /** IPv4 NLRI (the classic field). */
  readonly nlri: readonly Nlri[];
}

export interface NotificationMessage {
  readonly type: typeof MessageType.NOTIFICATION;
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

export interface KeepaliveMessage {
  readonly type: typeof MessageType.KEEPALIVE;
}

/** RFC 2918 / RFC 7313 subtypes: 0 normal request, 1 BoRR, 2 EoRR. */
export const RouteRefreshSubtype = { REQUEST: 0, BORR: 1, EORR: 2 } as const;
export interface RouteRefreshMessage {
  readonly type: typeof MessageType.ROUTE_REFRESH;
  readonly afi: number;
  readonly subtype: number;
  readonly safi: number;
}

export type Message = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/**
 * What the decoder needs to know about the session (negotiated capabilities).
 * Before OPEN is exchanged, use `DEFAULT_CODEC_CONTEXT`.
 */
export interface CodecContext {
  /** RFC 6793: both sides advertised 4-octet AS. */
  readonly fourOctetAs: boolean;
  /** RFC 8654: both sides advertised extended message (max 65535 instead of 4096). */
  readonly extendedMessage: boolean;
  /** familyKeys for which we RECEIVE path identifiers (RFC 7911). */
  readonly addPathReceive: ReadonlySet<number>;
  /** familyKeys for which we SEND path identifiers (RFC 7911). */
  readonly addPathSend: ReadonlySet<number>;
}
export const DEFAULT_CODEC_CONTEXT: CodecContext = {
  fourOctetAs: false,
  extendedMessage: false,
  addPathReceive: new Set(),
  addPathSend: new Set(),
};

export const AS_TRANS = 23456;
export const BGP_PORT = 179;
export const HEADER_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;
