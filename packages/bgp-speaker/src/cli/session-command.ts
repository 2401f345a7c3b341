/**
 * `bgp-speaker session`: one BGP session for operators and tests. Dials the peer (or,
 * with --passive, listens on --local-address:--local-port, default 179), announces the
 * --announce prefixes once Established followed by End-of-RIB, prints every event as a
 * JSON line (render.ts), and on SIGINT/SIGTERM sends Cease 6/2 and exits 0.
 *
 * ROUTE-REFRESH: every one sent or received prints a line. A received request is
 * answered with our routes for that family: between a BoRR and an EoRR when the peer
 * advertised enhanced route refresh (RFC 7313 §4), else followed by End-of-RIB. Received
 * BoRR/EoRR are only printed (we keep no routes to mark stale). Command lines on stdin
 * send one (session-input.ts); stdin at its end changes nothing.
 *
 * Families: IPv4 unicast and/or IPv6 unicast, from the peer address and the prefixes.
 * Attributes we announce: ORIGIN IGP; AS_PATH empty toward an internal peer, our AS
 * toward an external one (RFC 4271 §5.1.2); NEXT_HOP / MP_REACH next hop = @NEXTHOP or the
 * local address; LOCAL_PREF 100 toward an internal peer only (RFC 4271 §5.1.5).
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseIpv4, parseIpv6, tryParseIpv4 } from '../wire/address.js';
import { parsePrefix } from '../wire/prefix.js';
import { Afi, AsPathSegmentType, IPV4_UNICAST, IPV6_UNICAST, familyKey, type Family, type Nlri, type PathAttributes, type Prefix } from '../wire/types.js';
import { Speaker, type Peer, type PeerConfig } from '../speaker.js';
import type { Negotiated } from '../fsm/negotiate.js';
import type { RouteRefreshSubtypeName } from '../wire/route-refresh.js';
import { eorEvent, establishedEvent, inputErrorEvent, notificationJson, routeRefreshEvent, stateEvent, updateEvents, type JsonEvent } from './render.js';
import { parseSessionCommand } from './session-input.js';

export interface SessionOptions {
  localAddress: string;
  peerAddress: string;
  peerPort: number;
  localPort?: number;
  passive: boolean;
  localAs: number;
  peerAs: number;
  routerId: string;
  holdTime: number;
  announce: string[];
  addPath: boolean;
  gracefulRestart?: number;
}

export interface SignalSource {
  once(signal: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
}

interface Announcement {
  readonly family: Family;
  readonly prefix: Prefix;
  readonly nextHop: string;
}

/** PREFIX[@NEXTHOP]; the next hop defaults to the local address of the same family. */
export function parseAnnouncements(specs: readonly string[], localAddress: string): Announcement[] {
  return specs.map((spec) => {
    const [p, nh] = spec.split('@') as [string, string | undefined];
    const prefix = parsePrefix(p);
    const family = prefix.afi === Afi.IPV4 ? IPV4_UNICAST : IPV6_UNICAST;
    const nextHop = nh ?? localAddress;
    const v4 = tryParseIpv4(nextHop) !== null;
    if (v4 !== (family === IPV4_UNICAST)) {
      throw new RangeError(`--announce ${spec}: the next hop ${nextHop} is not of the prefix's family; write PREFIX@NEXTHOP`);
    }
    if (!v4) parseIpv6(nextHop);
    return { family, prefix, nextHop };
  });
}

export function peerConfigFor(o: SessionOptions, ann: readonly Announcement[]): PeerConfig {
  const families: Family[] = [];
  const want = (f: Family): void => void (families.includes(f) || families.push(f));
  want(tryParseIpv4(o.peerAddress) !== null ? IPV4_UNICAST : IPV6_UNICAST);
  for (const a of ann) want(a.family);
  families.sort((x, y) => x.afi - y.afi);
  return {
    peerAddress: o.peerAddress,
    peerPort: o.peerPort,
    localAddress: o.localAddress,
    ...(o.localPort !== undefined && !o.passive ? { localPort: o.localPort } : {}),
    localAs: o.localAs,
    peerAs: o.peerAs,
    routerId: o.routerId,
    holdTime: o.holdTime,
    passive: o.passive,
    connectRetrySeconds: 5,
    families,
    addPath: o.addPath ? families.map((f) => ({ afi: f.afi, safi: f.safi, send: true, receive: true })) : [],
    ...(o.gracefulRestart !== undefined
      ? { gracefulRestart: { restartTime: o.gracefulRestart, restarting: false, families: families.map((f) => ({ ...f, forwardingPreserved: false })) } }
      : {}),
  };
}

/** Sends our announcements of one family (the Adj-RIB-Out, RFC 4271 §3.2). */
function announceFamily(speaker: Speaker, peer: Peer, family: Family, o: SessionOptions, ann: readonly Announcement[]): void {
  const internal = o.localAs === o.peerAs;
  const seen = new Map<string, number>();
  const byNextHop = new Map<string, Nlri[]>();
  for (const a of ann) {
    if (familyKey(a.family.afi, a.family.safi) !== familyKey(family.afi, family.safi)) continue;
    const key = JSON.stringify(a.prefix, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v));
    const pathId = (seen.get(key) ?? 0) + 1; // distinct ADD-PATH identifiers for one prefix
    seen.set(key, pathId);
    const list = byNextHop.get(a.nextHop) ?? [];
    list.push({ prefix: a.prefix, pathId });
    byNextHop.set(a.nextHop, list);
  }
  for (const [nh, nlri] of byNextHop) {
    const attrs: PathAttributes = {
      origin: 0,
      asPath: internal ? [] : [{ type: AsPathSegmentType.AS_SEQUENCE, asns: [o.localAs] }],
      ...(internal ? { localPref: 100 } : {}),
      ...(family.afi === Afi.IPV4 ? { nextHop: parseIpv4(nh) } : {}),
    };
    speaker.sendUpdate(peer, family, attrs, nlri, family.afi === Afi.IPV6 ? parseIpv6(nh) : undefined);
  }
}

/** Sends our announcements for the negotiated families, then End-of-RIB for each (RFC 4724 §2). */
function announce(speaker: Speaker, peer: Peer, n: Negotiated, o: SessionOptions, ann: readonly Announcement[]): void {
  for (const family of n.families) {
    announceFamily(speaker, peer, family, o, ann);
    speaker.sendEndOfRib(peer, family);
  }
}

/** Why a ROUTE-REFRESH of this subtype cannot be sent now, or null (RFC 2918 §3, RFC 7313 §4). */
function refreshRefusal(peer: Peer, subtype: RouteRefreshSubtypeName): string | null {
  const n = peer.negotiated;
  if (peer.state !== 'Established' || !n) return `the session is ${peer.state}, not Established`;
  if (subtype === 'request' && !n.routeRefresh) return 'the peer did not advertise Route Refresh (RFC 2918 §3)';
  if (subtype !== 'request' && !n.enhancedRouteRefresh) return 'the peer did not advertise Enhanced Route Refresh (RFC 7313 §4)';
  return null;
}

export interface SessionIo {
  stdout: Writable;
  signals: SignalSource;
  /** Command lines (session-input.ts); none read when absent. */
  stdin?: Readable;
}

/** Runs until a signal; resolves with the exit code. */
export async function runSession(o: SessionOptions, io: SessionIo): Promise<number> {
  const ann = parseAnnouncements(o.announce, o.localAddress);
  const config = peerConfigFor(o, ann);
  const out = (e: JsonEvent): void => void io.stdout.write(`${JSON.stringify(e)}\n`);
  const speaker = new Speaker();
  const refresh = (p: Peer, f: Family, subtype: RouteRefreshSubtypeName): void => {
    speaker.sendRouteRefresh(p, f, subtype);
    out(routeRefreshEvent('sent', f, subtype));
  };
  speaker.on('state', (_p, _from, to, reason) => out(stateEvent(to, reason)));
  speaker.on('established', (p, n) => {
    out(establishedEvent(n));
    announce(speaker, p, n, o, ann);
  });
  speaker.on('update', (_p, u) => updateEvents(u).forEach(out));
  speaker.on('eor', (_p, f) => out(eorEvent(f)));
  speaker.on('notification', (_p, dir, n) => out(notificationJson(dir, n)));
  speaker.on('routeRefresh', (p, f, subtype) => {
    out(routeRefreshEvent('received', f, subtype));
    if (subtype !== 'request' || !p.negotiated) return;
    // RFC 2918 §4: the routes again; RFC 7313 §4: between BoRR and EoRR when the peer can take them.
    const enhanced = p.negotiated.enhancedRouteRefresh;
    if (enhanced) refresh(p, f, 'borr');
    announceFamily(speaker, p, f, o, ann);
    if (enhanced) refresh(p, f, 'eorr');
    else speaker.sendEndOfRib(p, f);
  });
  const command = (line: string): void => {
    const c = parseSessionCommand(line);
    if (c.kind === 'none') return;
    if (c.kind === 'error') return out(inputErrorEvent(line, c.message));
    const p = speaker.getPeer(config.peerAddress);
    if (!p) return out(inputErrorEvent(line, 'no session yet'));
    const refusal = refreshRefusal(p, c.subtype);
    if (refusal !== null) return out(inputErrorEvent(line, refusal));
    for (const f of c.family ? [c.family] : (p.negotiated?.families ?? [])) refresh(p, f, c.subtype);
  };
  // Stdin is read only once the session is set up: a start-up error (a port in use) must
  // end the process, which an open reader of stdin would keep alive.
  if (o.passive) await speaker.listen([{ address: o.localAddress, port: o.localPort ?? 179 }]);
  speaker.addPeer(config);
  const input = io.stdin ? createInterface({ input: io.stdin, crlfDelay: Infinity }) : null;
  input?.on('line', command);
  await new Promise<void>((resolve) => {
    const done = (): void => {
      io.signals.off('SIGINT', done);
      io.signals.off('SIGTERM', done);
      resolve();
    };
    io.signals.once('SIGINT', done);
    io.signals.once('SIGTERM', done);
  });
  input?.close(); // pauses stdin: it no longer keeps the process alive
  await speaker.stop({ subcode: 2, message: 'bgp-speaker stopped' });
  return 0;
}
