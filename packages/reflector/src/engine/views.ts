/**
 * Read-only views of the route engine, for the control API, metrics and exporters: plain
 * values built on request, so nothing outside the engine holds or changes its parts.
 */
import type { AdjRibInCounts, Prefix } from '@bgp-rr/bgp-speaker';
import type { ReadonlyPath } from './vocabulary.js';

/** One Loc-RIB entry: every path held for the prefix, rejected ones last, and the best. */
export interface ReadonlyLocRibEntry {
  readonly prefix: Prefix;
  readonly paths: readonly ReadonlyPath[];
  readonly best: ReadonlyPath | undefined;
}

/** One peer's paths of one family: Adj-RIB-In counts and what its update group advertises to it. */
export interface PeerFamilyCounts extends Readonly<AdjRibInCounts> {
  /** Paths the peer should hold from us (its group's Adj-RIB-Out minus its own). */
  readonly advertised: number;
}

export interface PeerView {
  readonly address: string;
  readonly node: string;
  readonly isClient: boolean;
  readonly established: boolean;
  /** UPDATE messages and withdrawn NLRI received in this engine's life. */
  readonly updatesIn: number;
  readonly withdrawalsIn: number;
  /** Update groups of the current session (one per negotiated family). */
  readonly updateGroups: readonly string[];
  /** Work left to send it (0: in sync). */
  readonly pendingOut: number;
  /** RFC 4724 §4.2 helper state while its paths are kept stale. */
  readonly gracefulRestart: { readonly phase: 'restart' | 'stale'; readonly families: readonly number[]; readonly expiresInMs: number } | null;
  /** Families with a BoRR open (RFC 7313: re-advertisement under way). */
  readonly refreshing: readonly number[];
  /** While kept down after a prefix-limit Cease: ms until it may come back (0 otherwise). */
  readonly limitBackoffMs: number;
}

export interface LocRibSummary {
  /** Prefixes with a best path, per family key. */
  readonly prefixes: ReadonlyMap<number, number>;
  /** Paths held (eligible and rejected). */
  readonly paths: number;
  readonly rejected: number;
  readonly updateGroups: number;
}
