/**
 * The route engine's vocabulary (OpenBGPD's imsg types between its session engine and
 * its route decision engine): the only things that cross the engine's boundary.
 *
 *   EngineInput     what happened: the session layer and the configuration tell the
 *                   engine, one typed event at a time (RouteEngine.input).
 *   RouteEvent      the change feed: what the engine did with it, for observers only
 *                   (logs, metrics, exporters). Observers read; they never call input().
 *   SessionCommand  what the engine asks of the session layer (close a session for its
 *                   prefix limit, start it again, ask the peer for a route refresh).
 *                   Commands are handed out after the input that caused them is done, so
 *                   a command that makes the speaker emit events (a session going down)
 *                   never re-enters the engine half-way through an UPDATE.
 *
 * Families are `familyKey(afi, safi)` numbers; peers are their normalised addresses.
 */
import type { DecodedUpdate, Family, Negotiated, PathAttributes, PeerInfo, Prefix, Rejection, RouteRefreshSubtypeName, UpdateAction } from '@bgp-rr/bgp-speaker';
import type { ImportPolicy } from './import-policy.js';
import type { PrefixLimitAction } from './prefix-limit.js';

/**
 * A path as the engine hands it out: what it is, never how the engine keeps it (no
 * reference counts, no encodings). `Path` has this shape; nothing outside can change it.
 */
export interface ReadonlyPath {
  readonly prefix: Prefix;
  /** RFC 7911 path identifier as received (0 without ADD-PATH). */
  readonly pathId: number;
  readonly attrs: { readonly attrs: Readonly<PathAttributes> };
  readonly peer: PeerInfo;
  /** Kept through a restart or a re-advertisement, not yet refreshed (RFC 4724 §4.2, RFC 7313). */
  readonly stale: boolean;
  readonly rejected: Rejection | null;
}

/** What the engine needs to know of a configured peer. */
export interface PeerSettings {
  /** Normalised peer address: the peer's key everywhere. */
  readonly address: string;
  /** Calico node name (import policy decides by it; logs and views show it). */
  readonly node: string;
  /** RFC 4456 §2 route-reflector client; a node that is itself a reflector is a non-client. */
  readonly isClient: boolean;
  /** The AS we are in toward this peer (internal peer: the same as its AS). */
  readonly localAs: number;
}

export type EngineInput =
  /** A peer we expect (or one whose settings changed: a new class or AS starts it afresh). */
  | { readonly type: 'peerConfigured'; readonly peer: PeerSettings }
  /** The peer left the configuration: its routes go now. */
  | { readonly type: 'peerRemoved'; readonly peer: string }
  /** The first complete configuration is in (sent after every one; only the first counts): the RFC 4724 §4.1 selection deferral timer starts. */
  | { readonly type: 'configurationDone' }
  | { readonly type: 'policyChanged'; readonly policy: ImportPolicy }
  | { readonly type: 'sessionUp'; readonly peer: string; readonly negotiated: Negotiated }
  /**
   * The session left Established. `graceful`: it ended without a NOTIFICATION either way,
   * so RFC 4724 §4.2 retention applies if the peer negotiated graceful restart (we do not
   * advertise the RFC 8538 N-bit).
   */
  | { readonly type: 'sessionDown'; readonly peer: string; readonly reason: string; readonly graceful: boolean }
  | { readonly type: 'update'; readonly peer: string; readonly update: DecodedUpdate }
  | { readonly type: 'endOfRib'; readonly peer: string; readonly family: Family }
  /**
   * A ROUTE-REFRESH received (RFC 2918 request, RFC 7313 BoRR/EoRR). The session layer has
   * already ignored unknown subtypes (RFC 7313 §5) and families not negotiated (RFC 2918 §4).
   */
  | { readonly type: 'routeRefresh'; readonly peer: string; readonly family: Family; readonly subtype: RouteRefreshSubtypeName };

/** Why a path left the Adj-RIB-In. */
export type WithdrawCause =
  /** The peer withdrew it. */
  | 'withdrawn'
  /** The session went down and graceful restart did not keep it. */
  | 'session-down'
  /** It was kept stale (graceful restart or route refresh) and not refreshed in time. */
  | 'stale'
  /** The peer left the configuration. */
  | 'peer-removed'
  /** The peer sent it again in a malformed UPDATE (RFC 7606 §2 treat-as-withdraw). */
  | 'treat-as-withdraw';

export type RouteEvent =
  | { readonly type: 'peerUp'; readonly peer: string; readonly node: string; readonly negotiated: Negotiated }
  /** `retained`: families whose paths were kept stale (RFC 4724 §4.2); `stale`: how many. */
  | { readonly type: 'peerDown'; readonly peer: string; readonly node: string; readonly reason: string; readonly retained: readonly number[]; readonly stale: number }
  /** A path entered the Adj-RIB-In eligible. `replaced`: the path it updates (an implicit withdraw, RFC 4271 §9). */
  | { readonly type: 'pathAccepted'; readonly peer: string; readonly node: string; readonly family: number; readonly path: ReadonlyPath; readonly replaced: ReadonlyPath | undefined }
  /**
   * A path was rejected, with why. `stored`: kept in the Adj-RIB-In as rejected (loop,
   * policy), or not stored (treat-as-withdraw; a prefix limit with action block).
   */
  | { readonly type: 'pathRejected'; readonly peer: string; readonly node: string; readonly family: number; readonly path: ReadonlyPath; readonly rejection: Rejection; readonly replaced: ReadonlyPath | undefined; readonly stored: boolean }
  | { readonly type: 'pathWithdrawn'; readonly peer: string; readonly node: string; readonly family: number; readonly path: ReadonlyPath; readonly cause: WithdrawCause }
  /** Import policy in warn mode would have rejected this path: accepted, with why it would not have been. */
  | { readonly type: 'policyWarning'; readonly peer: string; readonly node: string; readonly family: number; readonly prefix: Prefix; readonly pathId: number; readonly warning: string }
  /** The Loc-RIB best path of a prefix changed (RFC 4271 §9.1.2). */
  | { readonly type: 'bestChanged'; readonly family: number; readonly prefix: Prefix; readonly oldBest: ReadonlyPath | undefined; readonly newBest: ReadonlyPath | undefined }
  /** An UPDATE had errors handled per RFC 7606 (treat-as-withdraw, attribute-discard). */
  | { readonly type: 'updateErrors'; readonly peer: string; readonly node: string; readonly action: UpdateAction; readonly errors: readonly string[] }
  /** Paths of a family marked stale: the session dropped with graceful restart (RFC 4724 §4.2), or a BoRR (RFC 7313 §4). */
  | { readonly type: 'staleMarked'; readonly peer: string; readonly node: string; readonly family: number; readonly count: number; readonly cause: 'graceful-restart' | 'route-refresh' }
  /** Stale paths removed (each also as a pathWithdrawn with cause 'stale'); `family` undefined: every family. */
  | { readonly type: 'staleSwept'; readonly peer: string; readonly node: string; readonly family: number | undefined; readonly count: number; readonly reason: string }
  /** The peer went past its prefix limit in `family` (once per crossing). `reconnectInMs`: action cease only. */
  | { readonly type: 'limitExceeded'; readonly peer: string; readonly node: string; readonly family: number; readonly limit: number; readonly action: PrefixLimitAction; readonly prefix: Prefix; readonly reconnectInMs?: number; readonly attempt?: number }
  /** The peer is back within its limit in `family`. */
  | { readonly type: 'limitCleared'; readonly peer: string; readonly node: string; readonly family: number; readonly limit: number }
  /** A ROUTE-REFRESH from the peer and what was done with it (`ignored` says why not). */
  | { readonly type: 'routeRefresh'; readonly peer: string; readonly node: string; readonly family: number; readonly subtype: RouteRefreshSubtypeName; readonly enhanced: boolean; readonly ignored?: string }
  /** Import policy replaced: how many held paths changed verdict. */
  | { readonly type: 'policyApplied'; readonly changed: number }
  /** RFC 4724 §4.1: the selection deferral is over, tables go out. */
  | { readonly type: 'tablesReleased'; readonly reason: string };

export type SessionCommand =
  /** Close the session with this Cease (RFC 4486) and keep it down until a 'start'. */
  | { readonly type: 'cease'; readonly peer: string; readonly subcode: number; readonly data: Uint8Array; readonly reason: string }
  /** The peer may have a session again (its prefix-limit backoff is over). */
  | { readonly type: 'start'; readonly peer: string }
  /** Ask the peer to send `family` again (RFC 2918): paths a prefix limit dropped may now fit. */
  | { readonly type: 'requestRefresh'; readonly peer: string; readonly family: Family };

/** Frames for one peer's socket (see RouteEngine.pull). */
export interface Pulled {
  readonly frames: Uint8Array[];
  /** BGP messages in them (for counters). */
  readonly messages: number;
  readonly bytes: number;
}

/** What the outbound pump (daemon/feeder.ts) needs of the engine: nothing else. */
export interface FrameSource {
  /** RFC 4724 §4.1: false while the selection deferral holds every table back. */
  readonly released: boolean;
  /** Peers that are members of some update group. */
  readonly memberCount: number;
  /** The peers that may have frames to pull since the last call. */
  takePeersWithWork(): Iterable<string>;
  /** Frames due to `peer`, about `maxBytes` (at least one whole message when any is due). */
  pull(peer: string, maxBytes: number): Pulled;
  /** Work left for `peer` (0: in sync). */
  pending(peer: string): number;
}
