/** RFC 4271 §6.8 connection collision resolution, with the RFC 6286 §2.3 tie-break. */
import t from 'tap';
import { collisionSurvivor } from '../../src/fsm/collision.js';

const cases: [string, number, number, number, number, 'outgoing' | 'incoming'][] = [
  ['§6.8: local identifier higher → keep the connection we initiated', 0x0a000002, 65000, 0x0a000001, 65000, 'outgoing'],
  ['§6.8: local identifier lower → keep the connection the peer initiated', 0x0a000001, 65000, 0x0a000002, 65000, 'incoming'],
  ['§6.8: identifiers compare as unsigned 32-bit numbers', 0xf0000000, 1, 0x70000000, 1, 'outgoing'],
  ['RFC 6286 §2.3: equal identifiers → the larger AS initiated the survivor (us)', 0x0a000001, 65001, 0x0a000001, 65000, 'outgoing'],
  ['RFC 6286 §2.3: equal identifiers → the larger AS initiated the survivor (peer)', 0x0a000001, 65000, 0x0a000001, 65001, 'incoming'],
];
for (const [rule, lid, las, rid, ras, want] of cases) {
  t.test(rule, async (t) => {
    t.equal(collisionSurvivor(lid, las, rid, ras), want);
    // Both sides must agree on which TCP connection survives.
    const mirror = collisionSurvivor(rid, ras, lid, las);
    t.not(mirror, want, 'the peer keeps the same connection (seen from its side the direction flips)');
  });
}
