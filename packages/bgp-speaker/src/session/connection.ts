/**
 * One TCP connection of a peer and what it learnt in its OPEN exchange. A peer has at
 * most two (RFC 4271 §6.8): the one its FSM runs on and, during a collision, a second
 * one tracked until the collision is resolved.
 */
import { connect, type Socket } from 'node:net';
import { KEEPALIVE_BYTES } from '../wire/message.js';
import { encodeNotification } from '../wire/notification.js';
import { encodeOpen } from '../wire/open.js';
import { DEFAULT_CODEC_CONTEXT, MessageType, type CodecContext, type OpenMessage } from '../wire/types.js';
import type { Negotiated } from '../fsm/negotiate.js';
import type { NotificationSpec } from '../fsm/state.js';
import { Transport, type TransportHandlers } from './transport.js';

export type Direction = 'outgoing' | 'incoming';

export class Connection {
  transport: Transport | null = null;
  openSent = false;
  keepaliveSent = false;
  peerOpen: OpenMessage | null = null;
  negotiated: Negotiated | null = null;
  keepaliveReceived = false;
  codec: CodecContext = DEFAULT_CODEC_CONTEXT;
  /** Hold deadline while this is the second connection of a collision. */
  deadline: number | null = null;

  constructor(
    readonly direction: Direction,
    readonly socket: Socket,
  ) {}

  static dial(opts: { host: string; port: number; localAddress?: string | undefined; localPort?: number | undefined }): Connection {
    const socket = connect({
      host: opts.host,
      port: opts.port,
      ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
      ...(opts.localPort !== undefined ? { localPort: opts.localPort } : {}),
      noDelay: true,
    });
    return new Connection('outgoing', socket);
  }

  /** Starts framing and the write path once the TCP connection is up. */
  attach(handlers: TransportHandlers): void {
    this.transport = new Transport(this.socket, () => this.codec, handlers);
  }

  get connected(): boolean {
    return this.transport !== null;
  }

  write(frame: Uint8Array): void {
    this.transport?.writeOne(frame);
  }

  sendOpen(open: OpenMessage): boolean {
    if (this.openSent || !this.transport) return false;
    this.openSent = true;
    this.write(encodeOpen(open));
    return true;
  }

  sendKeepalive(): void {
    this.keepaliveSent = true;
    this.write(KEEPALIVE_BYTES);
  }

  sendNotification(n: NotificationSpec): Uint8Array {
    const data = n.data ?? new Uint8Array(0);
    this.write(encodeNotification({ type: MessageType.NOTIFICATION, code: n.code, subcode: n.subcode, data }));
    return data;
  }

  /** Flush and close (see Transport.end); a connection still dialling is destroyed. */
  end(): void {
    if (this.transport) this.transport.end();
    else this.socket.destroy();
  }

  whenClosed(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  destroy(): void {
    if (this.transport) this.transport.destroy();
    else this.socket.destroy();
  }
}
