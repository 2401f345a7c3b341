/**
 * The injectable clock: time, one-shot timers and randomness (for RFC 4271 §10 jitter).
 * Sessions use only this, so tests can drive time by hand (`ManualClock`).
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls `fn` once after `ms` (>= 0). The timer does not keep the process alive. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /** Uniform in [0, 1). */
  random(): number;
}

/** The real clock: performance.now(), setTimeout (unref'd), Math.random. */
export const realClock: Clock = {
  now: () => performance.now(),
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

/** A clock moved by hand: `advance(ms)` fires due timers in deadline order. For tests and simulations. */
export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(private readonly rnd: () => number = () => 0.5) {}

  now(): number {
    return this.t;
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
