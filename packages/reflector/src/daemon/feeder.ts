/**
 * The outbound pump (DESIGN.md §4 "Backpressure, then coalescing", "Batch writes"):
 * moves frames from the update groups to sockets, only while sockets drain.
 *
 * - A peer is fed by pulling up to `chunkBytes` of shared frames at a time and handing
 *   them to the speaker in one call (one socket write for many UPDATEs). When `send`
 *   reports the socket above its high-water mark the peer is parked until its 'drain'
 *   event; its cursor stays where it is, so when it resumes it gets the latest state of
 *   each prefix (the groups coalesce), never a backlog.
 * - Work is done in rounds on setImmediate with a byte budget per round, so timers
 *   (KeepaliveTimer, HoldTimer) and socket reads run between rounds: keepalives are
 *   never starved while thousands of peers converge.
 * - New work is picked up at a pace: the peers the engine names
 *   (`takePeersWithWork`) are taken at most every `members / 100` ms (at most 50 ms).
 *   Taking them hands every member what arrived since the last time, at a cost per
 *   member (its share of a new block, one socket write): with 5,000 members and UPDATEs
 *   trickling in, a pickup per event-loop turn gave each member thousands of one-UPDATE
 *   writes, the largest cost at N = 5000. A change after a quiet spell goes out at once;
 *   under load, changes are batched for at most that interval. What was picked up
 *   (a backlog over several rounds) and drained sockets are served without waiting.
 */
import type { Peer, Speaker } from '@bgp-rr/bgp-speaker';
import type { FrameSource } from '../engine/vocabulary.js';

export interface FeederOptions {
  /** Bytes pulled for one peer per send (default 256 KiB). */
  readonly chunkBytes?: number;
  /**
   * Bytes written per round across all peers before yielding (default 1 MiB: on a busy
   * 2-core machine a round of 4 MiB held the event loop for up to ~180 ms).
   */
  readonly roundBytes?: number;
  /**
   * Peers served per round before yielding (default 500): a round that hands 5,000
   * members a few bytes each is short in bytes but long in time.
   */
  readonly roundPeers?: number;
  /** Told of every batch written (metrics): BGP messages and bytes. */
  readonly onSent?: (peer: Peer, messages: number, bytes: number) => void;
  /** Least time between two pickups of new work for `members` members (default members/100 ms, at most 50). */
  readonly roundIntervalMs?: (members: number) => number;
}

const defaultInterval = (members: number): number => Math.min(50, members / 100);

export class Feeder {
  readonly #parked = new Set<string>();
  /**
   * Peers that may have frames to pull, in the order they will be served: the engine
   * names the peers it gave work to (`takePeersWithWork`), a drained socket
   * puts its peer back. A round visits these only, never every peer: with thousands of
   * peers and a round per 'drain' event, walking them all was most of the CPU.
   */
  readonly #ready = new Set<string>();
  /** A round is queued on setImmediate. */
  #immediate = false;
  #closed = false;
  /** New work was announced (schedule) and not yet picked up from the update groups. */
  #workWaiting = false;
  #lastPickup = -Infinity;
  /** The paced pickup of new work. */
  #timer: NodeJS.Timeout | undefined;
  readonly #interval: (members: number) => number;
  readonly #chunk: number;
  readonly #round: number;
  readonly #roundPeers: number;

  constructor(
    private readonly speaker: Speaker,
    private readonly source: FrameSource,
    private readonly o: FeederOptions = {},
  ) {
    this.#chunk = o.chunkBytes ?? 256 * 1024;
    this.#round = o.roundBytes ?? 1024 * 1024;
    this.#roundPeers = o.roundPeers ?? 500;
    this.#interval = o.roundIntervalMs ?? defaultInterval;
  }

  /** New work in the update groups: picked up in a round soon (see "New work is picked up at a pace" above). */
  schedule(): void {
    if (this.#closed) return;
    this.#workWaiting = true;
    const wait = this.#lastPickup + this.#interval(this.source.memberCount) - performance.now();
    if (wait <= 1) return this.#runSoon();
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#runSoon();
    }, wait);
  }

  /** The peer's socket drained below its low-water mark: it is served at once. */
  drained(peer: Peer): void {
    this.#parked.delete(peer.address);
    this.#ready.add(peer.address);
    this.#runSoon();
  }

  /** The session went down: a new one starts unparked (and is named by its groups when it joins). */
  reset(address: string): void {
    this.#parked.delete(address);
    this.#ready.delete(address);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A round on the next turn of the event loop (one at a time). */
  #runSoon(): void {
    if (this.#immediate || this.#closed) return;
    this.#immediate = true;
    setImmediate(() => {
      this.#immediate = false;
      this.#roundRobin();
    });
  }

  #roundRobin(): void {
    if (this.#closed || !this.source.released) return;
    const interval = this.#interval(this.source.memberCount);
    const now = performance.now();
    if (this.#workWaiting && now - this.#lastPickup >= interval - 1) {
      this.#workWaiting = false;
      this.#lastPickup = now;
      for (const address of this.source.takePeersWithWork()) this.#ready.add(address);
    }
    let budget = this.#round;
    let visits = this.#roundPeers;
    // A peer served is moved to the back (delete, then add if it has more): fair rounds.
    // The Set is walked while it changes; a peer re-added is visited again only while
    // budget is left, and never if it was given nothing.
    for (const address of this.#ready) {
      if (budget <= 0 || visits-- <= 0) break;
      this.#ready.delete(address);
      if (this.#parked.has(address)) continue; // drained() brings it back
      const peer = this.speaker.getPeer(address);
      if (peer === undefined || peer.state !== 'Established') continue;
      const sent = this.#feed(peer, budget);
      budget -= sent;
      if (sent > 0 && !this.#parked.has(address) && this.source.pending(address) > 0) this.#ready.add(address);
    }
    // A backlog goes on at once (pacing it capped the output at roundBytes per interval);
    // new work not picked up yet waits for its turn.
    if (this.#ready.size > 0) this.#runSoon();
    else if (this.#workWaiting) this.schedule();
  }

  /** Feeds one peer until it is in sync, its socket is full or `budget` is spent; returns bytes sent. */
  #feed(peer: Peer, budget: number): number {
    let sent = 0;
    while (sent < budget) {
      // The update groups count the messages they hand out (their chunks know it): no
      // walk over the bytes, which was the largest single CPU cost of the feeder at N = 2000.
      const p = this.source.pull(peer.address, Math.min(this.#chunk, budget - sent));
      if (p.frames.length === 0) break;
      sent += p.bytes;
      const below = this.speaker.send(peer, p.frames);
      this.o.onSent?.(peer, p.messages, p.bytes);
      if (!below) {
        this.#parked.add(peer.address);
        break;
      }
    }
    return sent;
  }
}
