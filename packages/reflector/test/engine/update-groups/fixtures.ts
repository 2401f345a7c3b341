/**
 * Test builders for the reflector's routing core (no test of its own): peers, codec
 * contexts, and `Holder` — what a peer holds after decoding the frames we sent it, with
 * the real codec.
 */
import {
  decodeMessage,
  formatPrefix,
  parseIpv4,
  peerInfo,
  type CodecContext,
  type PathAttributes,
  type PeerInfo,
} from '@bgp-rr/bgp-speaker';
import type { ReflectorIdentity } from '../../../src/engine/reflection.js';

export const LOCAL_AS = 64512;
export const ip = parseIpv4;
export const V4 = 0x101;
export const V6 = 0x201;
export const ID: ReflectorIdentity = { routerId: ip('10.255.0.1'), clusterId: ip('244.0.0.1') };

export function node(address: string, o: { client?: boolean; ibgp?: boolean; routerId?: number } = {}): PeerInfo {
  return peerInfo({
    id: address,
    address,
    routerId: o.routerId ?? (address.includes(':') ? ip('10.9.9.9') : ip(address)),
    asn: o.ibgp === false ? 65099 : LOCAL_AS,
    isClient: o.client ?? true,
    isIbgp: o.ibgp ?? true,
  });
}

/** Our side of a session: what we send with. */
export function sendCtx(o: { addPath?: boolean; v6?: boolean; fourOctetAs?: boolean } = {}): CodecContext {
  const fams = o.addPath ? [V4, V6] : [];
  return { fourOctetAs: o.fourOctetAs ?? true, extendedMessage: false, addPathSend: new Set(fams), addPathReceive: new Set() };
}

/** The peer's side of the same session: what it decodes with. */
export function recvCtx(ours: CodecContext): CodecContext {
  return { ...ours, addPathReceive: ours.addPathSend, addPathSend: new Set() };
}

/** A route as a node announces it: ORIGIN IGP, empty AS_PATH, LOCAL_PREF 100, NEXT_HOP = itself. */
export function nodeAttrs(nextHop: string, extra: PathAttributes = {}): PathAttributes {
  return { origin: 0, asPath: [], nextHop: ip(nextHop), localPref: 100, ...extra };
}

export class Holder {
  /** 'prefix#pathId' -> attributes as decoded. */
  readonly routes = new Map<string, PathAttributes>();
  endOfRib = 0;
  updates = 0;
  /** How many times each prefix text appeared in an announcement or withdrawal. */
  readonly touched = new Map<string, number>();
  readonly ctx: CodecContext;

  constructor(ours: CodecContext) {
    this.ctx = recvCtx(ours);
  }

  /** Applies chunks as sent: each holds one or more whole BGP messages. */
  apply(chunks: readonly Uint8Array[]): this {
    for (const f of splitMessages(chunks)) {
      const d = decodeMessage(f, this.ctx);
      if (d.update === undefined) throw new Error('not an UPDATE');
      if (d.update.endOfRib !== undefined) {
        this.endOfRib++;
        continue;
      }
      if (d.update.action !== 'none') throw new Error(`bad UPDATE: ${d.update.action}`);
      this.updates++;
      const u = d.update.update;
      const a = u.attributes;
      const { mpReach, mpUnreach, ...rest } = a;
      for (const n of [...u.withdrawn, ...(mpUnreach?.withdrawn ?? [])]) this.#touch(n.prefix, n.pathId, undefined);
      const nlri = [...u.nlri, ...(mpReach?.nlri ?? [])];
      for (const n of nlri) this.#touch(n.prefix, n.pathId, mpReach ? { ...rest, mpReach: { ...mpReach, nlri: [] } } : rest);
    }
    return this;
  }

  /** Prefix texts held, with their next hops, sorted: e.g. '172.16.1.0/24 via 10.0.0.1'. */
  summary(): string[] {
    return [...this.routes.entries()].map(([k, a]) => `${k.split('#')[0]} via ${a.nextHop !== undefined ? fmt4(a.nextHop) : 'mp'}`).sort();
  }

  #touch(p: Parameters<typeof formatPrefix>[0], pathId: number, a: PathAttributes | undefined): void {
    const text = formatPrefix(p);
    this.touched.set(text, (this.touched.get(text) ?? 0) + 1);
    const key = `${text}#${pathId}`;
    if (a === undefined) this.routes.delete(key);
    else this.routes.set(key, a);
  }
}

function fmt4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The BGP messages in `chunks` (RFC 4271 §4.1: the header's Length field delimits them). */
export function splitMessages(chunks: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    let off = 0;
    while (off < c.length) {
      const len = (c[off + 16]! << 8) | c[off + 17]!;
      if (len < 19 || off + len > c.length) throw new Error(`chunk cut inside a message at ${off}`);
      out.push(c.subarray(off, off + len));
      off += len;
    }
  }
  return out;
}
