/** Big-endian byte helpers used across the codec (direct byte math, no DataView). */

export function read16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

export function read32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

export function write16(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 8;
  b[p + 1] = v;
}

export function write32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/**
 * Zeroed output buffers for encoded messages, carved from shared 8 KiB slabs (as Node's
 * Buffer pool does): a fresh small Uint8Array above V8's 64-byte on-heap limit costs a
 * malloc'd backing store each, which dominated encoding (1.1M -> 3.2M UPDATEs/s).
 * A message kept long-term keeps its slab (at most 8 KiB) alive; copy it (`slice()`) if
 * it is stored for long among many short-lived ones. Messages over 4 KiB get their own buffer.
 */
const SLAB_SIZE = 8 * 1024;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabOffset = 0;

export function allocMessage(n: number): Uint8Array {
  if (n > 4096) return new Uint8Array(n);
  if (slabOffset + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOffset = 0;
  }
  const b = new Uint8Array(slab, slabOffset, n);
  slabOffset = (slabOffset + n + 7) & ~7;
  return b;
}
