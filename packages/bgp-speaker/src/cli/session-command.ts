/**
 * `bgp-speaker session`: one BGP session for operators and tests. Dials the peer (or,
 * with --passive, listens on --local-address:--local-port, default 179), announces the
 * --announce prefixes once Established followed by End-of-RIB, prints every event as a
 * JSON line (render.ts), and on SIGINT/SIGTERM sends Cease 6/2 and exits 0.
 *
 * Families: IPv4 unicast and/or IPv6 unicast, from the peer address and the prefixes.
 * Attributes we announce: ORIGIN IGP; AS_PATH empty toward an internal peer, our AS
 * toward an external one (RFC 4271 §5.1.2); NEXT_HOP / MP_REACH next hop = @NEXTHOP or the
 * local address; LOCAL_PREF 100 toward an internal peer only (RFC 4271 §5.1.5).
 */
import type { Writable } from 'node:stream';
import { parseIpv4, parseIpv6, tryParseIpv4 } from '../wire/address.js';
import { parsePrefix } from '../wire/prefix.js';
import { Afi, AsPathSegmentType, IPV4_UNICAST, IPV6_UNICAST, familyKey, type Family, type Nlri, type PathAttributes, type Prefix } from '../wire/types.js';
import { Speaker, type Peer, type PeerConfig } from '../speaker.js';
import type { Negotiated } from '../fsm/negotiate.js';
import { eorEvent, notificationJson, stateEvent, updateEvents, type JsonEvent } from './render.js';

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

/** Sends our announcements for the negotiated families, then End-of-RIB for each (RFC 4724 §2). */
function announce(speaker: Speaker, peer: Peer, n: Negotiated, o: SessionOptions, ann: readonly Announcement[]): void {
  const internal = o.localAs === o.peerAs;
  const seen = new Map<string, number>();
  for (const family of n.families) {
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
    speaker.sendEndOfRib(peer, family);
  }
}

/** Runs until a signal; resolves with the exit code. */
export async function runSession(o: SessionOptions, io: { stdout: Writable; signals: SignalSource }): Promise<number> {
  const ann = parseAnnouncements(o.announce, o.localAddress);
  const config = peerConfigFor(o, ann);
  const out = (e: JsonEvent): void => void io.stdout.write(`${JSON.stringify(e)}\n`);
  const speaker = new Speaker();
  speaker.on('state', (_p, _from, to, reason) => out(stateEvent(to, reason)));
  speaker.on('established', (p, n) => announce(speaker, p, n, o, ann));
  speaker.on('update', (_p, u) => updateEvents(u).forEach(out));
  speaker.on('eor', (_p, f) => out(eorEvent(f)));
  speaker.on('notification', (_p, dir, n) => out(notificationJson(dir, n)));
  speaker.on('routeRefresh', (p, f) => {
    // RFC 2918 §4: answer with the routes again (and End-of-RIB).
    if (p.negotiated) announce(speaker, p, { ...p.negotiated, families: [f] }, o, ann);
  });
  if (o.passive) await speaker.listen([{ address: o.localAddress, port: o.localPort ?? 179 }]);
  speaker.addPeer(config);
  await new Promise<void>((resolve) => {
    const done = (): void => {
      io.signals.off('SIGINT', done);
      io.signals.off('SIGTERM', done);
      resolve();
    };
    io.signals.once('SIGINT', done);
    io.signals.once('SIGTERM', done);
  });
  await speaker.stop({ subcode: 2, message: 'bgp-speaker stopped' });
  return 0;
}
