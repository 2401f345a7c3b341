/**
 * What callers see of one peer: its configuration (PeerConfig), its read-only view (Peer)
 * with counters and timestamps (PeerStats), and the NOTIFICATION events. Types only; the
 * speaker (speaker.ts) and the sessions (session.ts) share them without importing each other.
 */
import type { Family } from '../wire/types.js';
import type { FsmState, NotificationSpec, State } from '../fsm/state.js';
import type { AddPathSetting, GracefulRestartSetting, Negotiated } from '../fsm/negotiate.js';

/** One configured neighbour. Addresses are textual IPv4 or IPv6. */
export interface PeerConfig {
  readonly peerAddress: string;
  /** Port to dial (default 179). */
  readonly peerPort?: number;
  /** Source address for our outgoing connection (and the next hop we would announce). */
  readonly localAddress?: string;
  /** Source port for our outgoing connection (default: ephemeral). */
  readonly localPort?: number;
  readonly localAs: number;
  readonly peerAs: number;
  /** Our BGP Identifier, dotted quad. */
  readonly routerId: string;
  /** Offered HoldTime, seconds: 0 or >= 3 (default 90). */
  readonly holdTime?: number;
  /** Never dial; wait for the peer (BIRD `passive on`). */
  readonly passive?: boolean;
  /** ConnectRetryTime, seconds (default 5, as calico/node's BIRD). */
  readonly connectRetrySeconds?: number;
  /** Delay before restarting after the session went down (default: 0 passive, connectRetrySeconds active). */
  readonly idleHoldSeconds?: number;
  /** AFI/SAFIs to advertise (IPV4_UNICAST / IPV6_UNICAST from wire/types). Default: the peer address family. */
  readonly families?: readonly Family[];
  /** RFC 7911 wishes per family. Default none. */
  readonly addPath?: readonly AddPathSetting[];
  /** RFC 4724 capability to advertise. Default: none (no GR capability). */
  readonly gracefulRestart?: GracefulRestartSetting;
  /** RFC 8654. Default off. */
  readonly extendedMessage?: boolean;
  /**
   * IP TTL for the session. Node's net.Socket cannot set IP_TTL, so only the system
   * default (64 on Linux, which is what BIRD `multihop` uses) is possible: a value other
   * than 64 is refused by addPeer. Kept for documentation and future use.
   */
  readonly ttl?: number;
  /**
   * RFC 2385 TCP MD5 password (1..80 octets). Set on the listening sockets for this
   * peer's address (session/tcp-md5.ts); Node cannot sign a connection it dials, so such
   * a peer must be `passive` (addPeer refuses it otherwise).
   */
  readonly password?: string;
  readonly description?: string;
}

/** Messages counted per type and direction. */
export interface MessageCounts {
  open: number;
  update: number;
  notification: number;
  keepalive: number;
  routeRefresh: number;
}

export interface PeerStats {
  readonly received: Readonly<MessageCounts>;
  readonly sent: Readonly<MessageCounts>;
  /** Wall clock, ms since the epoch (Clock.wallNow()): the last state change, or addPeer. */
  readonly since: number;
  /**
   * Why the session last went down, or null: the reason of the last transition to Idle,
   * or to Active from a state other than Idle, or "notification sent: ..." for the last
   * NOTIFICATION we sent, whichever came last. Kept across re-establishment.
   */
  readonly lastError: string | null;
  /** Wall clock, ms since the epoch (Clock.wallNow()): when lastError was last set (also when set to the same text again); null while lastError is null. */
  readonly lastErrorAt: number | null;
  /** How many times the session reached Established. */
  readonly establishedTransitions: number;
}

/** What callers hold for a peer: read-only views, valid until removePeer. */
export interface Peer {
  /** Normalised peer address: the peer table key. */
  readonly address: string;
  readonly config: PeerConfig;
  readonly state: State;
  /** Set while OpenConfirm/Established; null otherwise. */
  readonly negotiated: Negotiated | null;
  /** Local and remote endpoints of the current connection, if any. */
  readonly localEndpoint: string | null;
  readonly remoteEndpoint: string | null;
  readonly stats: PeerStats;
  /** The FSM's data; its timer deadlines are monotonic ms on the clock (Clock.now()). */
  readonly fsm: FsmState;
  /** The socket buffer is above its high-water mark: wait for 'drain' before sending more. */
  readonly needsDrain: boolean;
}

export type NotificationDirection = 'sent' | 'received';

/** A NOTIFICATION with its decoded shutdown communication (RFC 8203/9003), if any. */
export interface NotificationEvent extends NotificationSpec {
  readonly data: Uint8Array;
  /** Human readable: "Cease / Administrative Shutdown (6/2)" plus any shutdown communication. */
  readonly text: string;
  readonly shutdownCommunication?: string;
}
