/**
 * Speaker events → route engine inputs (the daemon's wiring), plus the session-level
 * logs and counters the engine does not see (FSM transitions with their reasons,
 * NOTIFICATIONs, messages in).
 *
 * A session that left Established after a NOTIFICATION (either way) is not graceful:
 * RFC 4724 §4.2 retention applies only to a session that ended without one (we do not
 * advertise the RFC 8538 N-bit).
 */
import type { Speaker } from '@bgp-rr/bgp-speaker';
import type { RouteEngine } from '../engine/engine.js';
import type { Counter } from 'prom-client';
import type { Feeder } from './feeder.js';
import type { Logger } from './log.js';
import { familyName } from '../control/views.js';

export interface SpeakerWiring {
  readonly speaker: Speaker;
  readonly engine: RouteEngine;
  readonly feeder: Feeder;
  readonly log: Logger;
  readonly updatesIn: Counter;
}

export function wireSpeaker(w: SpeakerWiring): void {
  const { speaker, engine, feeder, log } = w;
  /** Peers that sent or received a NOTIFICATION since they were last Established. */
  const notified = new Set<string>();
  const node = (address: string): string => engine.nodeOf(address) ?? '';

  speaker.on('state', (peer, from, to, reason) => {
    // A NOTIFICATION just before this transition decides whether it was graceful; the flag
    // goes with the transition (a removed peer leaves nothing behind).
    const notification = notified.delete(peer.address);
    if (from === 'Established') {
      engine.input({ type: 'sessionDown', peer: peer.address, reason, graceful: !notification });
      feeder.reset(peer.address);
      log.info({ peer: peer.address, node: node(peer.address), from, to, reason }, 'session down');
    } else {
      log.debug({ peer: peer.address, node: node(peer.address), from, to, reason }, 'session state');
    }
  });
  speaker.on('established', (peer, n) => {
    engine.input({ type: 'sessionUp', peer: peer.address, negotiated: n });
    log.info(
      {
        peer: peer.address,
        node: node(peer.address),
        as: n.peerAs,
        families: n.families.map((f) => familyName(f.afi)),
        holdTime: n.holdTime,
        addPath: n.addPath.map((a) => `${familyName(a.afi)}:${a.send ? 's' : ''}${a.receive ? 'r' : ''}`),
        gracefulRestart: n.gracefulRestart ? (n.peerGracefulRestart?.restartTime ?? 0) : false,
        routeRefresh: n.enhancedRouteRefresh ? 'enhanced' : n.routeRefresh,
        remote: peer.remoteEndpoint,
      },
      'session established',
    );
  });
  speaker.on('update', (peer, u) => {
    w.updatesIn.inc();
    engine.input({ type: 'update', peer: peer.address, update: u });
  });
  speaker.on('eor', (peer, family) => {
    log.debug({ peer: peer.address, family: familyName(family.afi) }, 'End-of-RIB received');
    engine.input({ type: 'endOfRib', peer: peer.address, family });
  });
  speaker.on('routeRefresh', (peer, family, subtype) => engine.input({ type: 'routeRefresh', peer: peer.address, family, subtype }));
  speaker.on('notification', (peer, direction, n) => {
    notified.add(peer.address);
    log.info({ peer: peer.address, node: node(peer.address), direction, code: n.code, subcode: n.subcode, text: n.text }, `NOTIFICATION ${direction}`);
  });
  speaker.on('unknownConnection', (remote, local) => {
    log.debug({ remote, local }, 'connection from an unknown address refused');
  });
  speaker.on('drain', (peer) => feeder.drained(peer));
  speaker.on('error', (err) => log.error({ err: err.message }, 'speaker error'));
}
