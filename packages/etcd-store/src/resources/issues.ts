/**
 * Validation outcomes as data (GoBGP style: reasons are values, not exceptions).
 *
 * - `error`: the value is unusable; the resource is skipped (treated as absent) and
 *   nothing else is affected.
 * - `warning`: something was ignored (an unknown field, a deprecated form); the
 *   resource is still used.
 */
export type Severity = 'error' | 'warning';

export interface ValidationIssue {
  /** The etcd key holding the value. */
  readonly key: string;
  readonly reason: string;
  readonly severity: Severity;
}

/** Thrown only inside resource parsers and caught by parseResource(); never escapes. */
export class FieldError extends Error {
  override readonly name = 'FieldError';
}

/** Collects warnings while one value is parsed. */
export interface IssueSink {
  warn(reason: string): void;
}

export function fail(reason: string): never {
  throw new FieldError(reason);
}
