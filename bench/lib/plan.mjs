/**
 * The addressing plan of one run (all inside the run's own network namespace).
 *
 *   reflector        127.2.0.1:179, router id 127.2.0.1, cluster id 244.0.0.1, AS 64512
 *   etcd (bgp-rr)    http://127.3.0.1:2379
 *   client i         source address = router id = 127.1.(i/250).(i%250+1)
 *                    next hop 198.19.(i/250).(i%250+1) (GoBGP rejects loopback next hops;
 *                    198.18.0.0/15 is on veth nh0 so BIRD resolves it)
 *                    announces block i of 172.16.0.0/12: a /24 (blockSize 24); above
 *                    4096 clients the /12 has no room for a /24 each, so /26 (Calico's
 *                    default blockSize) is used
 *                    dials 127.2.0.1 port 20000+i, DNAT'd by nftables to port 179:
 *                    BIRD 2.0.12 lets only one protocol per process talk to one
 *                    neighbour address and port at a time.
 */
export const AS = 64512;
export const REFLECTOR = '127.2.0.1';
export const CLUSTER_ID = '244.0.0.1';
export const ETCD = '127.3.0.1';
export const DNAT_BASE = 20000;
export const MAX_CLIENTS = 9999;

const quad = (a, b, i) => `${a}.${b}.${Math.floor(i / 250)}.${(i % 250) + 1}`;

export function blockLength(n) {
  return n <= 4096 ? 24 : 26;
}

/** Block i of 172.16.0.0/12 with prefix length len. */
export function block(i, len) {
  const base = (172 << 24) + (16 << 16) + i * 2 ** (32 - len);
  return `${[24, 16, 8, 0].map((s) => (base >>> s) & 255).join('.')}/${len}`;
}

/** The fleet: one entry per simulated node. */
export function clients(n) {
  if (n < 2 || n > MAX_CLIENTS) throw new RangeError(`N must be 2..${MAX_CLIENTS}`);
  const len = blockLength(n);
  return Array.from({ length: n }, (_, i) => ({
    i,
    name: `node-${i}`,
    addr: quad(127, 1, i),
    nextHop: quad(198, 19, i),
    prefix: block(i, len),
    port: DNAT_BASE + i,
  }));
}
