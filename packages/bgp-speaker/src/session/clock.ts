/**
 * The injectable clock: time, one-shot timers and randomness (for RFC 4271 §10 jitter).
 * Sessions use only this, so tests can drive time by hand (`ManualClock`).
 *
 * Two readings, never mixed:
 * - `now()`: monotonic milliseconds from an arbitrary origin. For timers, deadlines and
 *   durations; it never jumps, but it is no date.
 * - `wallNow()`: milliseconds since the Unix epoch. For timestamps shown to people and
 *   written to logs (`new Date(ms)`); it may jump (NTP, an operator), so never for timers.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds (arbitrary origin): timers, deadlines, durations. */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch: timestamps for people and logs, never timers. */
  wallNow(): number;
  /** Calls `fn` once after `ms` (>= 0) of `now()` time. The timer does not keep the process alive. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /** Uniform in [0, 1). */
  random(): number;
}

/** The real clock: performance.now(), Date.now(), setTimeout (unref'd), Math.random. */
export const realClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  random: Math.random,
};

/** RFC 4271 §10: jitter timers by a random factor in [0.75, 1.0]. */
export function jitterFactor(clock: Clock): number {
  return 0.75 + 0.25 * clock.random();
}

/**
 * A clock moved by hand: `advance(ms)` fires due timers in deadline order. For tests and
 * simulations. `now()` starts at 0; `wallNow()` is `wallBase + now()`, so wall-clock
 * timestamps are deterministic too (default base 2026-01-01T00:00:00Z).
 */
export class ManualClock implements Clock {
  static readonly DEFAULT_WALL_BASE = Date.UTC(2026, 0, 1);
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(
    private readonly rnd: () => number = () => 0.5,
    /** Wall-clock ms (since the epoch) at `now()` = 0. */
    readonly wallBase: number = ManualClock.DEFAULT_WALL_BASE,
  ) {}

  now(): number {
    return this.t;
  }

  wallNow(): number {
    return this.wallBase + this.t;
  }

  random(): number {
    return this.rnd();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.seq++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return { cancel: () => void this.timers.delete(id) };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }

  get pending(): number {
    return this.timers.size;
  }
}
