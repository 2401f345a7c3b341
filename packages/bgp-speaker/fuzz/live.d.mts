/** Types for live.mjs (the live target of the fuzz harness). */
export interface LiveReport {
  readonly target: 'live';
  readonly seed: number;
  readonly cases: number;
  readonly seconds: number;
  readonly casesPerSec: number;
  readonly result: 'done' | 'hang' | 'stuck';
  readonly violations: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly firstViolations: readonly unknown[];
  readonly extra: { readonly bystanderKeepalivesReceived: number; readonly unknownRefused: number };
  readonly growthMb: number;
}
export interface RssSampler {
  sample(progress: number): void;
  result(): { rssStartMb: number; rssWarmMb: number; rssMaxMb: number; growthMb: number };
}
export function runLive(o: { seed: number; cases: number; deadlineMs: number; log: (...a: unknown[]) => void; rssSampler: () => RssSampler }): Promise<LiveReport>;
