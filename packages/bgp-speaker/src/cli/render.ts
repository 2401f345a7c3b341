/**
 * The `bgp-speaker session` output: one JSON object per line and per event, in the
 * shapes the README documents (the contract tests and scripts rely on):
 *   {"event":"state","state":"Established","reason":"..."}
 *   {"event":"update","prefix":"172.17.5.0/24","nextHop":"10.0.0.5","asPath":[],"localPref":100,
 *    "originatorId":"10.0.0.5","clusterList":["244.0.0.1"],"communities":[],"pathId":0}
 *   {"event":"withdraw","prefix":"...","pathId":0}
 *   {"event":"eor","afi":"ipv4"}
 *   {"event":"notification","direction":"sent","code":2,"subcode":2,"message":"..."}
 *   {"event":"established","peerAs":64512,"peerId":"10.0.0.5","holdTime":90,"keepaliveTime":30,
 *    "families":["ipv4"],"fourOctetAs":true,"extendedMessage":false,"routeRefresh":true,
 *    "enhancedRouteRefresh":true,"gracefulRestart":false,"addPath":[{"afi":"ipv4","send":true,"receive":true}]}
 *   {"event":"route-refresh","direction":"received","afi":"ipv4","safi":1,"subtype":"request"}
 *   {"event":"error","input":"refresh ipv5","message":"..."}
 * Absent attributes are null (scalars) or [] (lists). An AS_SET is a nested array.
 */
import { formatIpv4, formatIpv6 } from '../wire/address.js';
import { formatPrefix } from '../wire/prefix.js';
import { AsPathSegmentType, type Family, type Nlri, type PathAttributes } from '../wire/types.js';
import type { DecodedUpdate } from '../wire/update.js';
import type { NotificationDirection, NotificationEvent } from '../speaker.js';
import type { Negotiated } from '../fsm/negotiate.js';
import type { RouteRefreshSubtypeName } from '../wire/route-refresh.js';

export type JsonEvent = Record<string, unknown> & { event: string };

export function afiName(afi: number): string {
  return afi === 1 ? 'ipv4' : afi === 2 ? 'ipv6' : `afi-${afi}`;
}

export function stateEvent(state: string, reason: string): JsonEvent {
  return { event: 'state', state, reason };
}

export function eorEvent(f: Family): JsonEvent {
  return { event: 'eor', afi: afiName(f.afi) };
}

/**
 * What the OPEN exchange gave (after the Established state line). routeRefresh /
 * enhancedRouteRefresh: the peer advertised RFC 2918 / RFC 7313 (we always do).
 */
export function establishedEvent(n: Negotiated): JsonEvent {
  return {
    event: 'established',
    peerAs: n.peerAs,
    peerId: formatIpv4(n.peerId),
    holdTime: n.holdTime,
    keepaliveTime: n.keepaliveTime,
    families: n.families.map((f) => afiName(f.afi)),
    fourOctetAs: n.fourOctetAs,
    extendedMessage: n.extendedMessage,
    routeRefresh: n.routeRefresh,
    enhancedRouteRefresh: n.enhancedRouteRefresh,
    gracefulRestart: n.gracefulRestart,
    addPath: n.addPath.map((a) => ({ afi: afiName(a.afi), send: a.send, receive: a.receive })),
  };
}

/** A ROUTE-REFRESH sent or received: 'request' (RFC 2918), 'borr' / 'eorr' (RFC 7313). */
export function routeRefreshEvent(direction: NotificationDirection, f: Family, subtype: RouteRefreshSubtypeName): JsonEvent {
  return { event: 'route-refresh', direction, afi: afiName(f.afi), safi: f.safi, subtype };
}

/** A command line on stdin that could not be carried out; nothing was sent. */
export function inputErrorEvent(input: string, message: string): JsonEvent {
  return { event: 'error', input, message };
}

export function notificationJson(direction: NotificationDirection, n: NotificationEvent): JsonEvent {
  return { event: 'notification', direction, code: n.code, subcode: n.subcode, message: n.text };
}

function asPath(a: PathAttributes): (number | number[])[] {
  const out: (number | number[])[] = [];
  for (const seg of a.asPath ?? []) {
    if (seg.type === AsPathSegmentType.AS_SEQUENCE || seg.type === AsPathSegmentType.AS_CONFED_SEQUENCE) out.push(...seg.asns);
    else out.push([...seg.asns]);
  }
  return out;
}

function mpNextHop(a: PathAttributes): string | null {
  const nh = a.mpReach?.nextHop;
  if (!nh) return null;
  if (nh.length === 4) return formatIpv4((nh[0]! << 24) | (nh[1]! << 16) | (nh[2]! << 8) | nh[3]!);
  return nh.length >= 16 ? formatIpv6(nh.subarray(0, 16)) : null;
}

const community = (c: number): string => `${c >>> 16}:${c & 0xffff}`;

function announced(n: Nlri, a: PathAttributes, nextHop: string | null): JsonEvent {
  return {
    event: 'update',
    prefix: formatPrefix(n.prefix),
    nextHop,
    asPath: asPath(a),
    localPref: a.localPref ?? null,
    originatorId: a.originatorId !== undefined ? formatIpv4(a.originatorId) : null,
    clusterList: (a.clusterList ?? []).map(formatIpv4),
    communities: (a.communities ?? []).map(community),
    pathId: n.pathId,
  };
}

const withdrawn = (n: Nlri): JsonEvent => ({ event: 'withdraw', prefix: formatPrefix(n.prefix), pathId: n.pathId });

/** One event per prefix; RFC 7606 treat-as-withdraw turns announcements into withdrawals. */
export function updateEvents(d: DecodedUpdate): JsonEvent[] {
  const u = d.update;
  const a = u.attributes;
  const out: JsonEvent[] = [];
  for (const n of u.withdrawn) out.push(withdrawn(n));
  for (const n of a.mpUnreach?.withdrawn ?? []) out.push(withdrawn(n));
  const reach = [...u.nlri.map((n) => [n, a.nextHop !== undefined ? formatIpv4(a.nextHop) : null] as const)];
  const mpNh = mpNextHop(a);
  for (const n of a.mpReach?.nlri ?? []) reach.push([n, mpNh] as const);
  for (const [n, nh] of reach) out.push(d.action === 'treat-as-withdraw' ? withdrawn(n) : announced(n, a, nh));
  return out;
}
