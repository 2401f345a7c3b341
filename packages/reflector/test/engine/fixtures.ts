/**
 * Literal speaker events for the route engine (engine/engine.ts), a `Driver` that plays
 * the session layer (each call is one input of the engine's vocabulary; the change feed
 * goes through the real log exporter into `logs`), and a `Receiver` that decodes, with
 * the real codec, what the engine gives a peer to send.
 */
import {
  IPV4_UNICAST,
  IPV6_UNICAST,
  ManualClock,
  MessageType,
  decodeMessage,
  familyKey,
  formatIpv4,
  formatPrefix,
  parseIpv4,
  parseIpv6,
  parsePrefix,
  type DecodedUpdate,
  type Family,
  type Negotiated,
  type PathAttributes,
  type PeerGracefulRestart,
  type RouteRefreshSubtypeName,
  type Prefix,
} from '@bgp-rr/bgp-speaker';
import { RouteEngine } from '../../src/engine/engine.js';
import type { ImportPolicy } from '../../src/engine/import-policy.js';
import type { PrefixLimitAction } from '../../src/engine/prefix-limit.js';
import type { RouteEvent, SessionCommand } from '../../src/engine/vocabulary.js';
import { routeLogs, type RouteLogger } from '../../src/exporters/logs.js';

export const LOCAL_AS = 64512;
export const ROUTER_ID = '10.255.0.1';
export const CLUSTER_ID = '244.0.0.1';

export const acceptAll: ImportPolicy = { mode: 'enforce', issues: [], evaluate: () => ({ accepted: true }) };

/** Accepts a prefix only from the node that `owners` names for it (a test table, like IPAM affinity). */
export function ownerPolicy(owners: Record<string, string>): ImportPolicy {
  return {
    mode: 'enforce',
    issues: [],
    evaluate(prefix: Prefix, node: string) {
      const owner = owners[formatPrefix(prefix)];
      if (owner === undefined) return { accepted: false, reason: 'not inside an enabled IP pool' };
      return owner === node ? { accepted: true } : { accepted: false, reason: `block belongs to ${owner}` };
    },
  };
}

export interface LogLine {
  readonly level: string;
  readonly obj: object;
  readonly msg: string;
}

/** The session layer, played by the test: every call is one input of the engine's vocabulary. */
export class Driver {
  constructor(readonly engine: RouteEngine) {}

  configurePeer(address: string, node: string, isClient: boolean, localAs: number): void {
    this.engine.input({ type: 'peerConfigured', peer: { address, node, isClient, localAs } });
  }

  unconfigurePeer(address: string): void {
    this.engine.input({ type: 'peerRemoved', peer: address });
  }

  sessionUp(address: string, negotiated: Negotiated): void {
    this.engine.input({ type: 'sessionUp', peer: address, negotiated });
  }

  /** `byNotification`: a NOTIFICATION was sent or received, so graceful restart does not apply. */
  sessionDown(address: string, byNotification: boolean): void {
    this.engine.input({ type: 'sessionDown', peer: address, reason: byNotification ? 'NOTIFICATION' : 'TCP connection closed', graceful: !byNotification });
  }

  update(address: string, update: DecodedUpdate): void {
    this.engine.input({ type: 'update', peer: address, update });
  }

  endOfRib(address: string, family: Family): void {
    this.engine.input({ type: 'endOfRib', peer: address, family });
  }

  routeRefresh(address: string, family: Family, subtype: RouteRefreshSubtypeName = 'request'): void {
    this.engine.input({ type: 'routeRefresh', peer: address, family, subtype });
  }

  setPolicy(policy: ImportPolicy): void {
    this.engine.input({ type: 'policyChanged', policy });
  }

  /** Frames due to `address` (as the feeder pulls them). */
  pull(address: string, maxBytes: number): Uint8Array[] {
    return this.engine.pull(address, maxBytes).frames;
  }
}

export function engine(o: { policy?: ImportPolicy; maxPrefixes?: number; limitAction?: PrefixLimitAction; deferralMs?: number } = {}) {
  const clock = new ManualClock();
  const logs: LogLine[] = [];
  const events: RouteEvent[] = [];
  const commands: SessionCommand[] = [];
  const logger: RouteLogger = {
    info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
    debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
  };
  const engine = new RouteEngine({
    identity: { routerId: parseIpv4(ROUTER_ID), clusterId: parseIpv4(CLUSTER_ID) },
    policy: o.policy ?? acceptAll,
    prefixLimit: { max: o.maxPrefixes ?? 0, action: o.limitAction ?? 'cease', backoff: { initialMs: 60_000, maxMs: 300_000, jitter: 0 } },
    clock,
    selectionDeferralMs: o.deferralMs ?? 0,
    onCommand: (c) => commands.push(c),
  });
  engine.subscribe(routeLogs(logger));
  engine.subscribe((e) => events.push(e));
  engine.input({ type: 'configurationDone' });
  return { e: new Driver(engine), engine, clock, logs, events, commands };
}

export const GR: PeerGracefulRestart = { restartTime: 120, restarting: false, families: [{ afi: 1, safi: 1, forwardingPreserved: true }, { afi: 2, safi: 1, forwardingPreserved: true }] };

export function negotiated(routerId: string, o: { addPath?: boolean; families?: Family[]; gr?: PeerGracefulRestart | null; enhanced?: boolean } = {}): Negotiated {
  const families = o.families ?? [IPV4_UNICAST];
  const keys = new Set(families.map((f) => familyKey(f.afi, f.safi)));
  const gr = o.gr === undefined ? GR : o.gr;
  return {
    peerAs: LOCAL_AS,
    peerId: parseIpv4(routerId),
    holdTime: 90,
    keepaliveTime: 30,
    families,
    fourOctetAs: true,
    extendedMessage: false,
    routeRefresh: true,
    enhancedRouteRefresh: o.enhanced ?? false,
    addPath: o.addPath ? families.map((f) => ({ afi: f.afi, safi: f.safi, send: true, receive: true })) : [],
    gracefulRestart: gr !== null,
    peerGracefulRestart: gr,
    localCapabilities: [],
    peerCapabilities: [],
    codec: { fourOctetAs: true, extendedMessage: false, addPathReceive: o.addPath ? keys : new Set(), addPathSend: o.addPath ? keys : new Set() },
  };
}

/** A node's announcement: ORIGIN IGP, empty AS_PATH, NEXT_HOP itself, LOCAL_PREF 100. */
export function announce(nextHop: string, prefixes: string[], o: { pathId?: number; attrs?: PathAttributes } = {}): DecodedUpdate {
  const v6 = nextHop.includes(':');
  const nlri = prefixes.map((p) => ({ prefix: parsePrefix(p), pathId: o.pathId ?? 0 }));
  const attributes: PathAttributes = v6
    ? { origin: 0, asPath: [], localPref: 100, mpReach: { afi: 2, safi: 1, nextHop: parseIpv6(nextHop), nlri }, ...o.attrs }
    : { origin: 0, asPath: [], nextHop: parseIpv4(nextHop), localPref: 100, ...o.attrs };
  return { update: { type: 2, withdrawn: [], attributes, nlri: v6 ? [] : nlri }, action: 'none', errors: [] };
}

export function withdraw(prefixes: string[], pathId = 0): DecodedUpdate {
  return { update: { type: 2, withdrawn: prefixes.map((p) => ({ prefix: parsePrefix(p), pathId })), attributes: {}, nlri: [] }, action: 'none', errors: [] };
}

/** What one peer holds after decoding everything the engine gave it. */
export class Receiver {
  readonly routes = new Map<string, PathAttributes>();
  readonly endOfRib = new Set<number>();
  /** ROUTE-REFRESH messages received, in order: 'borr:<familyKey>', 'eorr:<familyKey>'. */
  readonly refreshes: string[] = [];
  constructor(
    readonly address: string,
    readonly n: Negotiated,
  ) {}

  /** Pulls everything due and applies it. */
  drain(e: Driver): this {
    const ctx = { ...this.n.codec, addPathReceive: this.n.codec.addPathSend, addPathSend: new Set<number>() };
    for (;;) {
      const frames = e.pull(this.address, 64 * 1024);
      if (frames.length === 0) return this;
      for (const f of splitMessages(frames)) {
        const m = decodeMessage(f, ctx);
        if (m.message.type === MessageType.ROUTE_REFRESH) {
          this.refreshes.push(`${m.message.subtype === 1 ? 'borr' : m.message.subtype === 2 ? 'eorr' : m.message.subtype}:${familyKey(m.message.afi, m.message.safi)}`);
          continue;
        }
        const d = m.update;
        if (d === undefined) throw new Error('not an UPDATE');
        if (d.endOfRib) {
          this.endOfRib.add(familyKey(d.endOfRib.afi, d.endOfRib.safi));
          continue;
        }
        const u = d.update;
        const { mpReach, mpUnreach, ...rest } = u.attributes;
        for (const w of [...u.withdrawn, ...(mpUnreach?.withdrawn ?? [])]) this.routes.delete(`${formatPrefix(w.prefix)}#${w.pathId}`);
        for (const r of [...u.nlri, ...(mpReach?.nlri ?? [])]) this.routes.set(`${formatPrefix(r.prefix)}#${r.pathId}`, mpReach ? { ...rest, mpReach } : rest);
      }
    }
  }

  prefixes(): string[] {
    return [...new Set([...this.routes.keys()].map((k) => k.split('#')[0]!))].sort();
  }

  get(prefix: string): PathAttributes | undefined {
    for (const [k, v] of this.routes) if (k.startsWith(prefix + '#')) return v;
    return undefined;
  }
}

/** A write may carry several messages back to back: cut them at their header lengths (RFC 4271 §4.1). */
export function splitMessages(chunks: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    for (let off = 0; off < c.length; ) {
      const len = (c[off + 16]! << 8) | c[off + 17]!;
      out.push(c.subarray(off, off + len));
      off += len;
    }
  }
  return out;
}

export const fmt = formatIpv4;
export { IPV4_UNICAST, IPV6_UNICAST };
