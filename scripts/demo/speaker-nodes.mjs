// Demo nodes without BIRD: each node is a BGP speaker of our own (@bgp-rr/bgp-speaker,
// built to dist/ by `npm run build`) in this process, configured like calico/node
// toward the reflectors: it dials each replica from its own address, AS 64512, ADD-PATH,
// announces its block (ORIGIN IGP, empty AS_PATH, LOCAL_PREF 100, NEXT_HOP itself) and
// End-of-RIB, and keeps what it receives so the demo can count it.
import { IPV4_UNICAST, Speaker, formatIpv4, formatPrefix, parseIpv4, parsePrefix } from '@bgp-rr/bgp-speaker';

export async function startSpeakerNodes(t, { nodes, replicas, log }) {
  const held = new Map(); // node name -> Map(prefix -> Map(replica/pathId -> path))
  const speakers = [];
  for (const n of nodes) {
    const table = new Map();
    held.set(n.name, table);
    const speaker = new Speaker();
    speaker.on('error', () => undefined);
    speaker.on('established', (peer) => {
      speaker.sendUpdate(peer, IPV4_UNICAST, { origin: 0, asPath: [], localPref: 100, nextHop: parseIpv4(n.address) }, [{ prefix: parsePrefix(n.block), pathId: 1 }]);
      speaker.sendEndOfRib(peer, IPV4_UNICAST);
    });
    speaker.on('update', (peer, u) => {
      for (const w of u.update.withdrawn) table.get(formatPrefix(w.prefix))?.delete(`${peer.address}/${w.pathId}`);
      const attrs = u.update.attributes;
      for (const a of u.update.nlri) {
        const p = formatPrefix(a.prefix);
        if (!table.has(p)) table.set(p, new Map());
        table.get(p).set(`${peer.address}/${a.pathId}`, {
          from: peer.address,
          nextHop: attrs.nextHop === undefined ? undefined : formatIpv4(attrs.nextHop),
          originatorId: attrs.originatorId === undefined ? undefined : formatIpv4(attrs.originatorId),
          clusterList: (attrs.clusterList ?? []).map(formatIpv4),
        });
      }
    });
    speaker.on('state', (peer, _from, to) => {
      // A session that goes down takes its paths with it (no graceful restart here).
      if (to !== 'Established') for (const paths of table.values()) for (const k of [...paths.keys()]) if (k.startsWith(`${peer.address}/`)) paths.delete(k);
    });
    for (const r of replicas) {
      speaker.addPeer({
        peerAddress: r.address,
        localAddress: n.address,
        localAs: 64512,
        peerAs: 64512,
        routerId: n.address,
        holdTime: 240,
        connectRetrySeconds: 5,
        families: [IPV4_UNICAST],
        addPath: [{ afi: IPV4_UNICAST.afi, safi: IPV4_UNICAST.safi, send: true, receive: true }],
        description: n.name,
      });
    }
    speakers.push(speaker);
  }
  t.teardown(() => Promise.all(speakers.map((s) => s.stop())));
  log(`${nodes.length} nodes started (bgp-speaker library, one speaker per node in this process, 3 sessions each)`);
  return {
    /** What node n holds: prefix -> paths [{ from, nextHop, originatorId, clusterList }] (as test/harness/bird-routes.ts). */
    paths(n) {
      return new Map([...(held.get(n.name) ?? new Map())].map(([p, m]) => [p, [...m.values()]]).filter(([, l]) => l.length > 0));
    },
  };
}
