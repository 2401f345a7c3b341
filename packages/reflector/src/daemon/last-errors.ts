/**
 * When each peer's last error happened. The speaker keeps only the text (PeerStats
 * lastError); the daemon notes the time it saw each new one so that `bgp-rr peer`
 * can say "last error ... 5m ago" and `bgp-rr peers` can tell a current error from a
 * historical one. PURE: the caller passes the time.
 *
 * A new error is: another text, or the same text again on a transition that sets it
 * (the session falling to Idle, or to Active from a state other than Idle, as
 * session.ts does), or a NOTIFICATION we sent.
 */
export interface NotedError {
  readonly error: string;
  /** ms since the epoch. */
  readonly at: number;
}

export class LastErrors {
  readonly #by = new Map<string, NotedError>();

  /** `fresh`: the error was (re)set just now even if its text is unchanged. */
  note(address: string, error: string | null, now: number, fresh = false): void {
    if (error === null) return void this.#by.delete(address);
    const prev = this.#by.get(address);
    if (prev === undefined || prev.error !== error || fresh) this.#by.set(address, { error, at: now });
  }

  /** The time of `error` if it is the one noted for the peer. */
  at(address: string, error: string): number | undefined {
    const e = this.#by.get(address);
    return e !== undefined && e.error === error ? e.at : undefined;
  }

  forget(address: string): void {
    this.#by.delete(address);
  }
}

/** RFC 4271 §8 states in which session.ts records the transition's reason as the last error. */
export function setsLastError(from: string, to: string): boolean {
  return to === 'Idle' || (to === 'Active' && from !== 'Idle');
}
