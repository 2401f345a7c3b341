/**
 * The control API's handler: each request answered from read-only views (the speaker's
 * peer table, the route engine's views, the daemon's facts) through control/views.ts;
 * `drain` is the one request that acts, through the function the daemon gives.
 */
import type { Peer, Speaker } from '@bgp-rr/bgp-speaker';
import type { RouteEngine } from '../engine/engine.js';
import type { DrainResult, Request, StatusInfo } from '../control/protocol.js';
import { ControlError, type ControlHandler } from '../control/server.js';
import { peerDetail, peerRow, routeRows } from '../control/views.js';
import { comparePeers } from '../control/natural-order.js';
import type { PeerSpec } from './reconcile.js';

/** What the handler reads and may do; the daemon implements it over its private parts. */
export interface ControlContext {
  readonly speaker: Pick<Speaker, 'peers' | 'getPeer'>;
  readonly engine: RouteEngine;
  spec(address: string): PeerSpec | undefined;
  specs(): Iterable<PeerSpec>;
  status(): StatusInfo;
  drain(message: string | undefined): DrainResult;
}

/** A peer by address, or by the node name it was derived for. */
function findPeer(c: ControlContext, key: string): Peer | undefined {
  const byAddress = c.speaker.getPeer(key);
  if (byAddress !== undefined) return byAddress;
  for (const spec of c.specs()) if (spec.node === key) return c.speaker.getPeer(spec.address);
  return undefined;
}

export function controlHandler(c: ControlContext): ControlHandler {
  return (req: Request) => {
    switch (req.method) {
      case 'peers':
        return [...c.speaker.peers()].map((p) => peerRow(c.engine, p, c.spec(p.address))).sort(comparePeers);
      case 'peer': {
        const p = findPeer(c, req.address);
        if (p === undefined) throw new ControlError('NO_SUCH_PEER', `no peer ${req.address} (try 'bgp-rr peers')`);
        return peerDetail(c.engine, p, c.spec(p.address));
      }
      case 'routes':
        return routeRows(c.engine, req.prefix, req.rejected ?? false);
      case 'status':
        return c.status();
      case 'drain':
        return c.drain(req.message);
    }
  };
}
