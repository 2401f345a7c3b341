import { WireError } from '../../src/wire/errors.js';

/** Runs `fn`, returns the WireError it threw; anything else (or no throw) is rethrown as a failure. */
export function wireError(fn: () => unknown): { code: number; subcode: number; data: string; severity: number } {
  try {
    fn();
  } catch (e) {
    if (e instanceof WireError) return { code: e.code, subcode: e.subcode, data: Buffer.from(e.data).toString('hex'), severity: e.severity };
    throw e;
  }
  throw new Error('expected a WireError, nothing was thrown');
}

/** The type of a tap subtest's `t` (tap does not export it under one name). */
export type TapTest = Parameters<Parameters<typeof import('tap').default.test>[0]>[0];
