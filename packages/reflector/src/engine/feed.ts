/**
 * The change feed: the route engine's events (vocabulary.ts RouteEvent) to whoever
 * subscribed — logs, metrics, later BMP and MRT exporters. Subscribers are called
 * synchronously, in the order they subscribed, while the engine is in the middle of an
 * input: they read what they are given (and the engine's views), never call the engine's
 * input, and keep no reference to a path beyond the call (a dropped path's attributes may
 * be released right after). A subscriber that throws is isolated: the error goes to
 * `onError` and the others still get the event.
 *
 * `active` lets the engine skip building an event nobody listens to.
 */
import type { RouteEvent } from './vocabulary.js';

export type RouteListener = (e: RouteEvent) => void;

export class ChangeFeed {
  #listeners: readonly RouteListener[] = [];

  constructor(private readonly onError: (err: unknown, e: RouteEvent) => void = () => {}) {}

  get active(): boolean {
    return this.#listeners.length > 0;
  }

  /** Returns the function that unsubscribes. */
  subscribe(fn: RouteListener): () => void {
    this.#listeners = [...this.#listeners, fn];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== fn);
    };
  }

  emit(e: RouteEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        this.onError(err, e);
      }
    }
  }
}
