/**
 * One OS timer per session for all of its FSM timers (DESIGN.md §4: thousands of peers).
 * The HoldTimer moves on every received message, so re-arming is lazy: a timer that
 * fires early just re-arms for the current deadline; only an earlier deadline re-arms
 * at once.
 */
import type { Clock, TimerHandle } from './clock.js';

export class DeadlineTimer {
  private handle: TimerHandle | null = null;
  private armedAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: () => void,
  ) {}

  /** Ensures `onDue` runs at or before `deadline` (ms on the clock); null stops the timer. */
  set(deadline: number | null): void {
    if (deadline === null) return this.cancel();
    if (this.handle !== null && this.armedAt <= deadline) return;
    this.cancel();
    this.armedAt = deadline;
    this.handle = this.clock.setTimer(deadline - this.clock.now(), () => {
      this.handle = null;
      this.armedAt = Infinity;
      this.onDue();
    });
  }

  cancel(): void {
    this.handle?.cancel();
    this.handle = null;
    this.armedAt = Infinity;
  }
}
