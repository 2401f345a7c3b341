/**
 * Test builders for the route engine's outbound side (no test of their own): peers, codec
 * contexts, `Core` — a RouteEngine driven through its input vocabulary with peers and
 * codec contexts as literal data — and `Holder`: what a peer holds after decoding the
 * frames we sent it, with the real codec (RFC 7313 BoRR/EoRR included).
 */
import {
  ManualClock,
  MessageType,
  RouteRefreshSubtype,
  decodeMessage,
  familyKey,
  formatPrefix,
  parseIpv4,
  peerInfo,
  type CodecContext,
  type DecodedUpdate,
  type Family,
  type Negotiated,
  type Nlri,
  type PathAttributes,
  type PeerInfo,
  type Prefix,
  type RouteRefreshSubtypeName,
} from '@bgp-rr/bgp-speaker';
import type { ReflectorIdentity } from '../../../src/engine/reflection.js';
import { RouteEngine } from '../../../src/engine/engine.js';
import type { ImportPolicy } from '../../../src/engine/import-policy.js';
import type { PrefixLimitSettings } from '../../../src/engine/prefix-limit.js';
import type { ReadonlyLocRibEntry } from '../../../src/engine/views.js';
import type { RouteEvent, SessionCommand } from '../../../src/engine/vocabulary.js';

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

/** A policy as a function: why `prefix` from `node` is rejected, or null. */
export type PolicyFn = (prefix: Prefix, node: string) => string | null;

export function importPolicy(fn: PolicyFn): ImportPolicy {
  return {
    mode: 'enforce',
    issues: [],
    evaluate: (prefix, node) => {
      const why = fn(prefix, node);
      return why === null ? { accepted: true } : { accepted: false, reason: why };
    },
  };
}

/** The Negotiated of a session whose codec is `ctx` (our sending side), as the FSM would give it. */
export function sessionWith(p: PeerInfo, families: readonly Family[], ctx: CodecContext, o: { gr?: readonly Family[] | null; enhanced?: boolean } = {}): Negotiated {
  const gr = o.gr === undefined ? families : o.gr;
  const peerGr = gr === null ? null : { restartTime: 120, restarting: false, families: gr.map((f) => ({ afi: f.afi, safi: f.safi, forwardingPreserved: true })) };
  return {
    peerAs: p.asn,
    peerId: p.routerId,
    holdTime: 90,
    keepaliveTime: 30,
    families,
    fourOctetAs: ctx.fourOctetAs,
    extendedMessage: ctx.extendedMessage,
    routeRefresh: true,
    enhancedRouteRefresh: o.enhanced ?? false,
    addPath: families.filter((f) => ctx.addPathSend.has(familyKey(f.afi, f.safi))).map((f) => ({ afi: f.afi, safi: f.safi, send: true, receive: true })),
    gracefulRestart: peerGr !== null,
    peerGracefulRestart: peerGr,
    localCapabilities: [],
    peerCapabilities: [],
    codec: ctx,
  };
}

/** An UPDATE as decoded: `nlri` of `family` (a familyKey) with `attrs`; IPv6 goes in MP_REACH_NLRI. */
export function updateOf(family: number, nlri: readonly Nlri[], attrs: PathAttributes): DecodedUpdate {
  if (family === V4) return { update: { type: 2, withdrawn: [], attributes: attrs, nlri }, action: 'none', errors: [] };
  const mp = attrs.mpReach ?? { afi: family >>> 8, safi: 1, nextHop: new Uint8Array(16), nlri: [] };
  return { update: { type: 2, withdrawn: [], attributes: { ...attrs, mpReach: { ...mp, nlri } }, nlri: [] }, action: 'none', errors: [] };
}

export function withdrawalOf(family: number, nlri: readonly Nlri[]): DecodedUpdate {
  if (family === V4) return { update: { type: 2, withdrawn: nlri, attributes: {}, nlri: [] }, action: 'none', errors: [] };
  return { update: { type: 2, withdrawn: [], attributes: { mpUnreach: { afi: family >>> 8, safi: 1, withdrawn: nlri } }, nlri: [] }, action: 'none', errors: [] };
}

/**
 * A RouteEngine (tables released at once) driven through its input vocabulary, with a
 * ManualClock, every feed event and command recorded. Peers are named by their id.
 */
export class Core {
  readonly clock = new ManualClock();
  readonly e: RouteEngine;
  readonly events: RouteEvent[] = [];
  readonly commands: SessionCommand[] = [];
  readonly #messages = new Map<string, number>();

  constructor(o: { policy?: PolicyFn; prefixLimit?: PrefixLimitSettings; identity?: ReflectorIdentity } = {}) {
    this.e = new RouteEngine({
      identity: o.identity ?? ID,
      policy: importPolicy(o.policy ?? (() => null)),
      prefixLimit: o.prefixLimit ?? { max: 0, action: 'cease' },
      clock: this.clock,
      selectionDeferralMs: 0,
      onCommand: (c) => this.commands.push(c),
    });
    this.e.subscribe((ev) => this.events.push(ev));
    this.e.input({ type: 'configurationDone' });
  }

  /** Configures `p` (if new) and brings its session up. */
  up(p: PeerInfo, families: readonly Family[], ctx: CodecContext, o: { gr?: readonly Family[] | null; enhanced?: boolean } = {}): Negotiated {
    if (!this.e.hasPeer(p.id)) this.e.input({ type: 'peerConfigured', peer: { address: p.id, node: p.id, isClient: p.isClient, localAs: LOCAL_AS } });
    const n = sessionWith(p, families, ctx, o);
    this.e.input({ type: 'sessionUp', peer: p.id, negotiated: n });
    return n;
  }

  /** The session goes down; `graceful`: without a NOTIFICATION (RFC 4724 §4.2 applies). */
  down(peer: string, graceful: boolean): void {
    this.e.input({ type: 'sessionDown', peer, reason: 'test', graceful });
  }

  announce(peer: string, family: number, nlri: readonly Nlri[], attrs: PathAttributes): void {
    this.e.input({ type: 'update', peer, update: updateOf(family, nlri, attrs) });
  }

  withdraw(peer: string, family: number, nlri: readonly Nlri[]): void {
    this.e.input({ type: 'update', peer, update: withdrawalOf(family, nlri) });
  }

  endOfRib(peer: string, family: Family): void {
    this.e.input({ type: 'endOfRib', peer, family });
  }

  /** A ROUTE-REFRESH from `peer`. */
  refresh(peer: string, family: Family, subtype: RouteRefreshSubtypeName = 'request'): void {
    this.e.input({ type: 'routeRefresh', peer, family, subtype });
  }

  /** Replaces the import policy; returns how many held paths changed verdict. */
  setPolicy(fn: PolicyFn): number {
    this.e.input({ type: 'policyChanged', policy: importPolicy(fn) });
    const last = this.events.findLast((ev) => ev.type === 'policyApplied');
    return last?.type === 'policyApplied' ? last.changed : 0;
  }

  pull(peer: string, maxBytes: number): Uint8Array[] {
    const p = this.e.pull(peer, maxBytes);
    this.#messages.set(peer, (this.#messages.get(peer) ?? 0) + p.messages);
    return p.frames;
  }

  /** BGP messages pulled for `peer` so far. */
  messagesOut(peer: string): number {
    return this.#messages.get(peer) ?? 0;
  }

  /** Adj-RIB-In counts (received, accepted, rejected, stale) of `peer`. */
  counts(peer: string, family: number): { received: number; accepted: number; rejected: number; stale: number } {
    const { received, accepted, rejected, stale } = this.e.peerCounts(peer, family);
    return { received, accepted, rejected, stale };
  }

  advertised(peer: string, family = V4): number {
    return this.e.peerCounts(peer, family).advertised;
  }

  entry(family: number, prefix: string): ReadonlyLocRibEntry | undefined {
    for (const e of this.e.routes(family)) if (formatPrefix(e.prefix) === prefix) return e;
    return undefined;
  }
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

  /** Route refreshes seen: BoRR, then EoRR (RFC 7313). */
  borr = 0;
  eorr = 0;
  /** Routes held when a BoRR came and not re-advertised since (RFC 7313 §4 stale). */
  readonly #stale = new Set<string>();

  /** Applies chunks as sent: each holds one or more whole BGP messages. */
  apply(chunks: readonly Uint8Array[]): this {
    for (const f of splitMessages(chunks)) {
      const d = decodeMessage(f, this.ctx);
      if (d.message.type === MessageType.ROUTE_REFRESH) {
        // RFC 7313 §4 as a receiver: BoRR marks what we hold stale, EoRR removes what is still stale.
        if (d.message.subtype === RouteRefreshSubtype.BORR) {
          this.borr++;
          for (const k of this.routes.keys()) this.#stale.add(k);
        } else if (d.message.subtype === RouteRefreshSubtype.EORR) {
          this.eorr++;
          for (const k of this.#stale) this.routes.delete(k);
          this.#stale.clear();
        } else throw new Error(`unexpected ROUTE-REFRESH subtype ${d.message.subtype}`);
        continue;
      }
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
    this.#stale.delete(key);
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
