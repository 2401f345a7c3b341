// Types for generate.mjs (the fuzz harness is plain JS so it runs on dist/ without a build step).
import type { CodecContext } from '../src/wire/types.js';

/** The codec module: src/index.ts in tests, dist/index.js for the CLI. */
export type Codec = typeof import('../src/index.js');
export interface FuzzContext {
  readonly name: string;
  readonly ctx: CodecContext;
}
export interface FuzzCase {
  readonly kind: string;
  readonly ctx: number;
  readonly frame: Uint8Array;
}
export declare const KINDS: readonly string[];
export declare function prng(seed: number): () => number;
export declare function contexts(c: Codec): FuzzContext[];
export declare function fixLength(b: Uint8Array): Uint8Array;
export declare function seedMessages(c: Codec, ctx: CodecContext): Uint8Array[];
export declare function generator(
  c: Codec,
  seed: number,
  ctxList?: readonly FuzzContext[],
): { contexts: FuzzContext[]; next(): FuzzCase; nextFor(ci: number): FuzzCase; rnd: () => number };
