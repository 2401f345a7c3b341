/**
 * Framing of a TCP byte stream into whole BGP messages (RFC 4271 §4.1), for any split of
 * the bytes. Chunks are queued, not concatenated: each byte is copied at most once (only
 * when a message straddles chunks); a message inside one chunk is returned as a subarray
 * of that chunk without copying, so callers must not reuse a pushed chunk's memory.
 *
 * Header errors (RFC 4271 §6.1) are thrown as `WireError` by `next()`; after an error the
 * framer is unusable (the session must close).
 */
import { checkHeader, maxMessageLength } from './header.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, type CodecContext } from './types.js';

/** The negotiated maximum message length, or how to get it (it changes after OPEN). */
export type FramerLimit = number | (() => number | CodecContext);

export class Framer {
  private chunks: Uint8Array[] = [];
  /** Index of the first live chunk in `chunks`. */
  private first = 0;
  /** Read offset inside `chunks[first]`. */
  private offset = 0;
  /** Bytes buffered and not yet returned. */
  private total = 0;
  private readonly header = new Uint8Array(HEADER_LENGTH);

  constructor(private readonly limit: FramerLimit = MAX_MESSAGE_LENGTH) {}

  /** Bytes received but not yet returned as a message. */
  get buffered(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** One whole message including its header, or null when more bytes are needed. */
  next(): Uint8Array | null {
    if (this.total < HEADER_LENGTH) return null;
    const head = this.chunks[this.first]!;
    let hb: Uint8Array;
    let ho: number;
    if (head.length - this.offset >= HEADER_LENGTH) {
      hb = head;
      ho = this.offset;
    } else {
      this.copyOut(this.header, HEADER_LENGTH);
      hb = this.header;
      ho = 0;
    }
    const len = checkHeader(hb, ho, this.maxLength());
    if (this.total < len) return null;
    let msg: Uint8Array;
    if (head.length - this.offset >= len) {
      msg = head.subarray(this.offset, this.offset + len);
      this.offset += len;
      this.total -= len;
      if (this.offset === head.length) this.dropHead();
    } else {
      msg = new Uint8Array(len);
      this.copyOut(msg, len);
      this.consume(len);
    }
    return msg;
  }

  private maxLength(): number {
    if (typeof this.limit === 'number') return this.limit;
    const l = this.limit();
    return typeof l === 'number' ? l : maxMessageLength(l);
  }

  /** Copies the first `n` buffered bytes into `dst` without consuming them. */
  private copyOut(dst: Uint8Array, n: number): void {
    let i = this.first;
    let off = this.offset;
    let done = 0;
    while (done < n) {
      const c = this.chunks[i]!;
      const take = Math.min(n - done, c.length - off);
      dst.set(c.subarray(off, off + take), done);
      done += take;
      i++;
      off = 0;
    }
  }

  private consume(n: number): void {
    this.total -= n;
    while (n > 0) {
      const c = this.chunks[this.first]!;
      const avail = c.length - this.offset;
      if (n < avail) {
        this.offset += n;
        return;
      }
      n -= avail;
      this.dropHead();
    }
  }

  private dropHead(): void {
    this.first++;
    this.offset = 0;
    if (this.first === this.chunks.length) {
      this.chunks = [];
      this.first = 0;
    } else if (this.first >= 1024 && this.first * 2 >= this.chunks.length) {
      // Amortised O(1): drop the consumed prefix of the queue now and then.
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}
