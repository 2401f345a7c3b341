/**
 * Speaker events → route engine, feeder, logs and metrics (the daemon's wiring).
 * Session up/down are logged with their reason; a session that left Established after
 * a NOTIFICATION (either way) is not graceful (RFC 4724 §4.2, no RFC 8538 N-bit).
 */
import { familyKey } from '@bgp-rr/bgp-speaker';
import type { Daemon } from './daemon.js';
import { familyName } from '../control/views.js';
import { setsLastError } from './last-errors.js';

export function wireSpeaker(d: Daemon): void {
  const { speaker, engine, feeder, log, metrics } = d;
  /** Peers that sent or received a NOTIFICATION since they were last Established. */
  const notified = new Set<string>();
  const node = (address: string): string => d.current.get(address)?.node ?? '';

  speaker.on('state', (peer, from, to, reason) => {
    d.lastErrors.note(peer.address, peer.stats.lastError, Date.now(), setsLastError(from, to));
    if (from === 'Established') {
      engine.sessionDown(peer.address, notified.has(peer.address));
      feeder.reset(peer.address);
      log.info({ peer: peer.address, node: node(peer.address), from, to, reason }, 'session down');
    } else {
      log.debug({ peer: peer.address, node: node(peer.address), from, to, reason }, 'session state');
    }
  });
  speaker.on('established', (peer, n) => {
    notified.delete(peer.address);
    engine.sessionUp(peer.address, n);
    log.info(
      {
        peer: peer.address,
        node: node(peer.address),
        as: n.peerAs,
        families: n.families.map((f) => familyName(f.afi)),
        holdTime: n.holdTime,
        addPath: n.addPath.map((a) => `${familyName(a.afi)}:${a.send ? 's' : ''}${a.receive ? 'r' : ''}`),
        gracefulRestart: n.gracefulRestart ? (n.peerGracefulRestart?.restartTime ?? 0) : false,
        remote: peer.remoteEndpoint,
      },
      'session established',
    );
  });
  speaker.on('update', (peer, u) => {
    metrics.updatesIn.inc();
    const before = engine.peer(peer.address)?.withdrawalsIn ?? 0;
    engine.update(peer.address, u);
    const after = engine.peer(peer.address)?.withdrawalsIn ?? 0;
    if (after > before) metrics.withdrawalsIn.inc(after - before);
  });
  speaker.on('eor', (peer, family) => {
    log.debug({ peer: peer.address, family: familyKey(family.afi, family.safi) }, 'End-of-RIB received');
    engine.endOfRib(peer.address, family);
  });
  speaker.on('routeRefresh', (peer, family, subtype) => {
    log.info({ peer: peer.address, node: node(peer.address), family: familyName(family.afi), subtype }, 'route refresh requested (RFC 2918): sending the table again');
    engine.routeRefresh(peer.address);
  });
  speaker.on('notification', (peer, direction, n) => {
    notified.add(peer.address);
    if (direction === 'sent') d.lastErrors.note(peer.address, peer.stats.lastError, Date.now(), true);
    log.info({ peer: peer.address, node: node(peer.address), direction, code: n.code, subcode: n.subcode, text: n.text }, `NOTIFICATION ${direction}`);
  });
  speaker.on('unknownConnection', (remote, local) => {
    log.debug({ remote, local }, 'connection from an unknown address refused');
  });
  speaker.on('drain', (peer) => feeder.drained(peer));
  speaker.on('error', (err) => log.error({ err: err.message }, 'speaker error'));
}
