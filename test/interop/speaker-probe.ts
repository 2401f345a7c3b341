/**
 * Our side of the interop tests: a Speaker in the test process with a record of what it
 * saw (states with reasons, NOTIFICATIONs, ROUTE-REFRESHes) and a small Adj-RIB-In
 * (prefix + path id → next hop) built from its UPDATEs, to wait on.
 */
import type { Test } from 'tap';
import { Speaker, type NotificationEvent, type Peer, type PeerConfig } from '../../packages/bgp-speaker/src/speaker.js';
import { formatIpv4, formatIpv6 } from '../../packages/bgp-speaker/src/wire/address.js';
import { formatPrefix } from '../../packages/bgp-speaker/src/wire/prefix.js';
import type { Family, Nlri } from '../../packages/bgp-speaker/src/wire/types.js';
import type { RouteRefreshSubtypeName } from '../../packages/bgp-speaker/src/wire/route-refresh.js';
import { waitFor } from '../harness/index.js';

export interface Seen {
  readonly nextHop: string | null;
  readonly pathId: number;
  readonly localPref: number | undefined;
}

export class Probe {
  readonly speaker = new Speaker();
  readonly states: string[] = [];
  readonly notifications: { direction: string; n: NotificationEvent }[] = [];
  readonly refreshes: { family: Family; subtype: RouteRefreshSubtypeName }[] = [];
  readonly eors: Family[] = [];
  /** "prefix#pathId" → what the peer announced. */
  readonly rib = new Map<string, Seen & { prefix: string }>();
  updates = 0;

  constructor(t: Test) {
    t.teardown(() => this.speaker.stop());
    const s = this.speaker;
    s.on('state', (_p, _f, to, reason) => this.states.push(`${to}: ${reason}`));
    s.on('notification', (_p, direction, n) => this.notifications.push({ direction, n }));
    s.on('routeRefresh', (_p, family, subtype) => this.refreshes.push({ family, subtype }));
    s.on('eor', (_p, f) => this.eors.push(f));
    s.on('update', (_p, d) => {
      this.updates++;
      const u = d.update;
      const a = u.attributes;
      const drop = (n: Nlri): void => void this.rib.delete(`${formatPrefix(n.prefix)}#${n.pathId}`);
      u.withdrawn.forEach(drop);
      a.mpUnreach?.withdrawn.forEach(drop);
      const nh4 = a.nextHop !== undefined ? formatIpv4(a.nextHop) : null;
      const nh6 = a.mpReach && a.mpReach.nextHop.length >= 16 ? formatIpv6(a.mpReach.nextHop.subarray(0, 16)) : null;
      const add = (n: Nlri, nextHop: string | null): void => {
        if (d.action === 'treat-as-withdraw') return drop(n);
        const prefix = formatPrefix(n.prefix);
        this.rib.set(`${prefix}#${n.pathId}`, { prefix, nextHop, pathId: n.pathId, localPref: a.localPref });
      };
      u.nlri.forEach((n) => add(n, nh4));
      a.mpReach?.nlri.forEach((n) => add(n, nh6));
    });
  }

  addPeer(config: PeerConfig): Peer {
    return this.speaker.addPeer(config);
  }

  peer(address: string): Peer {
    const p = this.speaker.getPeer(address);
    if (!p) throw new Error(`no peer ${address}`);
    return p;
  }

  routes(prefix: string): (Seen & { prefix: string })[] {
    return [...this.rib.values()].filter((r) => r.prefix === prefix);
  }

  async waitState(address: string, state: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(() => this.speaker.getPeer(address)?.state === state, {
      what: `our session with ${address} in ${state} (states so far: ${this.states.join(' | ')})`,
      timeoutMs,
    });
  }

  async waitRoute(prefix: string, present = true, timeoutMs = 30_000): Promise<void> {
    await waitFor(() => (this.routes(prefix).length > 0) === present, { what: `${prefix} ${present ? 'received' : 'withdrawn'}`, timeoutMs });
  }

  async waitNotification(direction: string, code: number, subcode: number, timeoutMs = 30_000): Promise<NotificationEvent> {
    return (
      await waitFor(() => this.notifications.find((x) => x.direction === direction && x.n.code === code && x.n.subcode === subcode), {
        what: `NOTIFICATION ${code}/${subcode} ${direction}`,
        timeoutMs,
      })
    ).n;
  }
}
