// Types for oracle.mjs.
import type { CodecContext } from '../src/wire/types.js';
import type { Codec } from './generate.mjs';

export declare const TYPE_NAMES: Readonly<Record<number, string>>;
export declare const ALLOWED: Readonly<Record<number, readonly number[]>>;
export declare function decodeOutcome(c: Codec, frame: Uint8Array, ctx: CodecContext): { outcome: string; violation: string | null };
export declare function framerCheck(c: Codec, frame: Uint8Array, ctx: CodecContext, cuts: readonly number[]): string | null;
export declare function liveFrame(c: Codec, frame: Uint8Array, ctx: CodecContext): Uint8Array;
export declare function liveExpected(c: Codec, frame: Uint8Array, ctx: CodecContext): string;
