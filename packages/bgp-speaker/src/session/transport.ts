/**
 * One TCP connection: framing in (wire Framer), batched writes out, backpressure.
 *
 * Write path (DESIGN.md §4 "batch writes"): every write in the same tick goes into one
 * corked batch that is flushed with a single writev(2) on the next tick. `write` returns
 * false once the socket buffer is above its high-water mark; the owner stops feeding and
 * waits for `onDrain`.
 *
 * Closing: `end()` flushes what is queued (e.g. a NOTIFICATION), sends FIN, discards
 * further input and destroys the socket when the peer closes or after a grace period,
 * so that unread input never turns our FIN into an RST that loses the NOTIFICATION.
 */
import type { Socket } from 'node:net';
import { WireError } from '../wire/errors.js';
import { Framer, type FramerLimit } from '../wire/framer.js';
import type { Clock } from './clock.js';

export interface TransportHandlers {
  /** One whole message, header included. May be a view into a received chunk. */
  onMessage(message: Uint8Array): void;
  /** A header error (RFC 4271 §6.1) from the framer; the stream is unusable afterwards. */
  onFramingError(error: WireError): void;
  /** The connection is gone (not called after `end`/`destroy` by us). */
  onClose(cause: string): void;
  onDrain(): void;
}

/** Grace period for the peer to read our last messages and close. */
const END_GRACE_MS = 3000;

/** Frames below this size are joined before writing (see `write`). */
const SMALL_FRAME = 4096;
/** At most this many bytes per joined buffer. */
const JOIN_BYTES = 64 * 1024;

export class Transport {
  private readonly framer: Framer;
  private corked = false;
  private closing = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(
    readonly socket: Socket,
    limit: FramerLimit,
    private readonly handlers: TransportHandlers,
  ) {
    this.framer = new Framer(limit);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => {
      if (!this.closing) this.handlers.onDrain();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.gone(describeSocketError(err)));
    socket.on('end', () => this.gone('connection closed by peer'));
    socket.on('close', () => this.gone('connection closed'));
    if (socket.isPaused()) socket.resume();
  }

  get localEndpoint(): string {
    return endpoint(this.socket.localAddress, this.socket.localPort);
  }

  get remoteEndpoint(): string {
    return endpoint(this.socket.remoteAddress, this.socket.remotePort);
  }

  /** True when the socket buffer is above the high-water mark: wait for onDrain. */
  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  /**
   * Stops reading the socket for `ms` (input fairness: a peer over its UPDATE budget
   * waits while the others are served). Messages already read are still processed;
   * TCP flow control holds the peer meanwhile. Keep `ms` well below the hold time.
   */
  pauseReading(ms: number, clock: Clock): void {
    const s = this.socket;
    if (ms <= 0 || s.destroyed || s.isPaused()) return;
    s.pause();
    clock.setTimer(ms, () => {
      if (!s.destroyed) s.resume();
    });
  }

  get writable(): boolean {
    return !this.closing && this.socket.writable;
  }

  /** Queues messages for one batched write; false = above high-water mark. */
  write(frames: readonly Uint8Array[]): boolean {
    if (!this.writable) return false;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    let ok = true;
    // Runs of small frames (one UPDATE each, as a reflector hands out in a storm) are
    // joined into one buffer: one Writable entry and one iovec instead of one per
    // message (Node's per-write bookkeeping and its garbage were a quarter of the CPU at
    // 5,000 peers). Large frames (shared 64 KiB chunks) are written as they are.
    for (let i = 0; i < frames.length; ) {
      let j = i;
      let bytes = 0;
      while (j < frames.length && frames[j]!.length < SMALL_FRAME && bytes < JOIN_BYTES) bytes += frames[j++]!.length;
      if (j - i > 1) {
        ok = this.socket.write(Buffer.concat(frames.slice(i, j), bytes));
        i = j;
      } else {
        ok = this.socket.write(frames[i++]!);
      }
    }
    return ok;
  }

  writeOne(frame: Uint8Array): boolean {
    return this.write([frame]);
  }

  /** Flushes queued messages, then closes (see header). Idempotent. */
  end(): void {
    if (this.closing) return;
    this.closing = true;
    const s = this.socket;
    if (this.corked) {
      this.corked = false;
      s.uncork();
    }
    s.end();
    s.on('end', () => s.destroy());
    setTimeout(() => s.destroy(), END_GRACE_MS).unref();
  }

  /** Closes at once, dropping anything queued. Idempotent. */
  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.closing) return;
    this.framer.push(chunk);
    try {
      for (let m = this.framer.next(); m !== null && !this.closing; m = this.framer.next()) this.handlers.onMessage(m);
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      this.handlers.onFramingError(err);
    }
  }

  private gone(cause: string): void {
    if (this.closing) return;
    this.closing = true;
    this.socket.destroy();
    this.handlers.onClose(cause);
  }
}

export function endpoint(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return '?';
  return address.includes(':') ? `[${address}]:${port ?? '?'}` : `${address}:${port ?? '?'}`;
}

/** "connection refused (ECONNREFUSED)" and the like, for FSM reasons. */
export function describeSocketError(err: NodeJS.ErrnoException): string {
  const text: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by peer',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    EADDRINUSE: 'local address in use',
    EADDRNOTAVAIL: 'local address not available',
    EPIPE: 'broken pipe',
  };
  return err.code ? `${text[err.code] ?? err.message} (${err.code})` : err.message;
}
