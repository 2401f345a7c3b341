/**
 * Batch writes (DESIGN.md §4): the frames of a FrameSet are joined once into one buffer,
 * and handed out as chunks of whole BGP messages, back to back, at most `CHUNK_BYTES`
 * each (one message may exceed it only if it is alone). Every member that takes the whole
 * set gets the same chunk objects; a member that must leave frames out (split horizon)
 * gets views (`subarray`) of the same buffer: no copy either way, and a few large writes
 * per socket instead of one per UPDATE.
 */
import type { FrameSet } from './frames.js';

export const CHUNK_BYTES = 64 * 1024;

export interface Chunks {
  readonly chunks: readonly Uint8Array[];
  /** BGP messages in each chunk. */
  readonly messages: readonly number[];
}

interface Joined {
  readonly buf: Uint8Array;
  /** offsets[i] = start of frame i in `buf`; offsets[n] = buf.length. */
  readonly offsets: readonly number[];
  /** First frame of each chunk of the whole set, then the frame count (n). */
  readonly cuts: readonly number[];
  readonly all: Chunks;
}

const joinedSets = new WeakMap<FrameSet, Joined>();

/**
 * Joins the frames of `set` into one buffer and cuts it into chunks (once); the set's
 * frames become views of the buffer, so the bytes are held once.
 */
function join(set: FrameSet): Joined {
  let j = joinedSets.get(set);
  if (j !== undefined) return j;
  const n = set.frames.length;
  const buf = new Uint8Array(set.bytes);
  const offsets: number[] = [];
  let off = 0;
  for (let i = 0; i < n; i++) {
    const f = set.frames[i]!;
    offsets.push(off);
    buf.set(f, off);
    set.frames[i] = buf.subarray(off, off + f.length);
    off += f.length;
  }
  offsets.push(off);
  const cuts: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || offsets[i + 1]! - offsets[cuts.at(-1)!]! > CHUNK_BYTES) cuts.push(i);
  cuts.push(n);
  const all = { chunks: [] as Uint8Array[], messages: [] as number[] };
  for (let c = 0; c + 1 < cuts.length; c++) {
    all.chunks.push(buf.subarray(offsets[cuts[c]!]!, offsets[cuts[c + 1]!]!));
    all.messages.push(cuts[c + 1]! - cuts[c]!);
  }
  j = { buf, offsets, cuts, all };
  joinedSets.set(set, j);
  return j;
}

/** Every frame of `set`, as chunks shared by all who ask. */
export function allChunks(set: FrameSet): Chunks {
  return join(set).all;
}

/**
 * `first` (e.g. a member's own withdrawals), then every frame of `set` except those at
 * `skip` (ascending indexes): views of the shared buffer along the set's chunk cuts.
 * Costs O(chunks + skipped frames), not O(frames).
 */
export function chunksExcept(set: FrameSet, skip: readonly number[], first: readonly Uint8Array[]): Chunks {
  const j = join(set);
  const out = { chunks: [] as Uint8Array[], messages: [] as number[] };
  if (first.length > 0) {
    const c = framesToChunks(first);
    out.chunks.push(...c.chunks);
    out.messages.push(...c.messages);
  }
  let from = 0;
  for (let s = 0; s <= skip.length; s++) {
    const to = s < skip.length ? skip[s]! : set.frames.length;
    if (to > from) emitRun(j, from, to, out);
    from = to + 1;
  }
  return out;
}

/** Frames [from, to) as views, split where the set's chunks are. */
function emitRun(j: Joined, from: number, to: number, out: { chunks: Uint8Array[]; messages: number[] }): void {
  const cuts = j.cuts;
  let lo = 0;
  let hi = cuts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (cuts[mid]! <= from) lo = mid;
    else hi = mid - 1;
  }
  let start = from;
  for (let c = lo + 1; start < to; c++) {
    const end = Math.min(cuts[c]!, to);
    out.chunks.push(j.buf.subarray(j.offsets[start]!, j.offsets[end]!));
    out.messages.push(end - start);
    start = end;
  }
}

/** Frames made for one member (a private encoding), joined and cut. */
export function framesToChunks(frames: readonly Uint8Array[]): Chunks {
  if (frames.length === 1) return { chunks: frames, messages: [1] };
  let bytes = 0;
  for (const f of frames) bytes += f.length;
  return allChunks({ frames: [...frames], sources: [], announced: [], bySource: new Map(), bytes });
}
