/** Literal-data builders shared by the RIB tests (no test of its own). */
import { AttributeTable } from '../../src/rib/attribute-table.js';
import { makePath, peerInfo, type Path, type PeerInfo } from '../../src/rib/path.js';
import { parseIpv4 } from '../../src/wire/address.js';
import { parsePrefix } from '../../src/wire/prefix.js';
import { AsPathSegmentType, Origin, type PathAttributes } from '../../src/wire/types.js';

export const LOCAL_AS = 64512;
export const ip = parseIpv4;

/** An iBGP route-reflector client at `address`, router id = its address unless given. */
export function peer(address: string, o: Partial<Omit<PeerInfo, 'address' | 'addressOrder'>> = {}): PeerInfo {
  return peerInfo({
    id: o.id ?? address,
    routerId: o.routerId ?? (address.includes(':') ? 0x01010101 : ip(address)),
    address,
    asn: o.asn ?? LOCAL_AS,
    isClient: o.isClient ?? true,
    isIbgp: o.isIbgp ?? true,
  });
}

export const seq = (...asns: number[]): PathAttributes['asPath'] => [{ type: AsPathSegmentType.AS_SEQUENCE, asns }];

/** Attributes of a Calico node's route: ORIGIN IGP, empty AS_PATH, NEXT_HOP = the node. */
export function attrs(nextHop: string, extra: PathAttributes = {}): PathAttributes {
  return { origin: Origin.IGP, asPath: [], nextHop: ip(nextHop), localPref: 100, ...extra };
}

export function path(
  table: AttributeTable,
  prefix: string,
  from: PeerInfo,
  a: PathAttributes = attrs(from.address),
  o: { pathId?: number; rejected?: string } = {},
): Path {
  return makePath(parsePrefix(prefix), o.pathId ?? 0, table.intern(a), from, o.rejected === undefined ? null : { kind: 'policy', text: o.rejected });
}

/** Every ordering of `xs` (Heap's algorithm) — OpenBGPD-style "try every insertion order". */
export function permutations<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  const a = [...xs];
  const gen = (n: number): void => {
    if (n <= 1) {
      out.push([...a]);
      return;
    }
    for (let i = 0; i < n - 1; i++) {
      gen(n - 1);
      const j = n % 2 === 0 ? i : 0;
      [a[j], a[n - 1]] = [a[n - 1]!, a[j]!];
    }
    gen(n - 1);
  };
  gen(a.length);
  return out;
}

export { AttributeTable };
