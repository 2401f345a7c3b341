/** Address families as operators read them in logs and metric labels: "ipv4-unicast". */
import { Afi, Safi } from '@bgp-rr/bgp-speaker';

/** A familyKey (afi << 8 | safi) as text. */
export function familyText(fk: number): string {
  const afi = fk >>> 8;
  const safi = fk & 0xff;
  const a = afi === Afi.IPV4 ? 'ipv4' : afi === Afi.IPV6 ? 'ipv6' : `afi-${afi}`;
  return safi === Safi.UNICAST ? `${a}-unicast` : `${a}-safi-${safi}`;
}
