/**
 * A Calico node that is our own Speaker in the test process (speaker-probe.ts), dialling
 * the replica of a ReflectorCluster from node i's address: for tests that must choose
 * what a node sends and when (part of its routes between a BoRR and an EoRR, a malformed
 * UPDATE as raw bytes), which neither BIRD nor `bgp-speaker session` can be told to do.
 * IPv4 and IPv6 unicast with ADD-PATH both ways, no graceful restart, as
 * `bgp-speaker session --add-path`; routes carry ORIGIN IGP, an empty AS_PATH and
 * LOCAL_PREF 100, as BIRD sends its static blocks to an internal peer.
 */
import type { Test } from 'tap';
import type { Peer } from '../../packages/bgp-speaker/src/speaker.js';
import { parseIpv4, parseIpv6 } from '../../packages/bgp-speaker/src/wire/address.js';
import { parsePrefix } from '../../packages/bgp-speaker/src/wire/prefix.js';
import { IPV4_UNICAST, IPV6_UNICAST, type Family, type Nlri } from '../../packages/bgp-speaker/src/wire/types.js';
import { AS, type ReflectorCluster } from '../harness/reflector-cluster.js';
import { Probe } from './speaker-probe.js';

const BOTH = [IPV4_UNICAST, IPV6_UNICAST];

export class NodeProbe {
  readonly probe: Probe;
  /** Node i's address, ours. */
  readonly address: string;
  readonly #rr: string;

  constructor(
    t: Test,
    c: ReflectorCluster,
    i: number,
    /** Next hop of its IPv6 routes (its Node's ipv6Address). */
    readonly ipv6NextHop = `fd00::${i}`,
  ) {
    this.probe = new Probe(t);
    this.address = c.block.addr(i);
    this.#rr = c.rrAddress;
    this.probe.addPeer({
      peerAddress: c.rrAddress,
      localAddress: this.address,
      localAs: AS,
      peerAs: AS,
      routerId: this.address,
      families: BOTH,
      addPath: BOTH.map((f) => ({ ...f, send: true, receive: true })),
      connectRetrySeconds: 1,
    });
  }

  get peer(): Peer {
    return this.probe.peer(this.#rr);
  }

  async established(): Promise<void> {
    await this.probe.waitState(this.#rr, 'Established', 90_000);
  }

  /** Announces prefixes (path id 1), IPv4 with our address as NEXT_HOP, IPv6 with `ipv6NextHop`. */
  announce(prefixes: readonly string[]): void {
    for (const [family, nlri] of byFamily(prefixes)) {
      const v4 = family === IPV4_UNICAST;
      const attrs = { origin: 0 as const, asPath: [], localPref: 100, ...(v4 ? { nextHop: parseIpv4(this.address) } : {}) };
      if (!this.probe.speaker.sendUpdate(this.peer, family, attrs, nlri, v4 ? undefined : parseIpv6(this.ipv6NextHop))) {
        throw new Error(`could not send the UPDATE for ${prefixes.join(' ')} (session ${this.peer.state})`);
      }
    }
  }

  withdraw(prefixes: readonly string[]): void {
    for (const [family, nlri] of byFamily(prefixes)) this.probe.speaker.sendWithdrawals(this.peer, family, nlri);
  }

  /** End-of-RIB for both families, as a node does after its initial table (RFC 4724 §2). */
  endOfRib(): void {
    for (const f of BOTH) this.probe.speaker.sendEndOfRib(this.peer, f);
  }

  /** A raw message (header included), as it is. */
  sendRaw(frame: Uint8Array): void {
    if (!this.probe.speaker.send(this.peer, [frame])) throw new Error(`could not send (session ${this.peer.state})`);
  }
}

function byFamily(prefixes: readonly string[]): Map<Family, Nlri[]> {
  const out = new Map<Family, Nlri[]>();
  for (const p of prefixes) {
    const family = p.includes(':') ? IPV6_UNICAST : IPV4_UNICAST;
    const list = out.get(family) ?? [];
    list.push({ prefix: parsePrefix(p), pathId: 1 });
    out.set(family, list);
  }
  return out;
}
