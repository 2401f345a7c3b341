/**
 * Calico's etcd v3 key layout (libcalico-go lib/backend/model: resource.go,
 * block.go, block_affinity.go). Only the kinds a route reflector needs are mapped;
 * every other key (including legacy /calico/bgp/v1/...) maps to undefined and is
 * ignored.
 */
export const RESOURCE_ROOT = '/calico/resources/v3/projectcalico.org/';
export const IPAM_ROOT = '/calico/ipam/v2/';

export type Kind = 'Node' | 'BGPConfiguration' | 'BGPPeer' | 'IPPool' | 'IPAMBlock' | 'BlockAffinity';

/** Cluster-scoped resource plurals (one key per object: <root><plural>/<name>). */
export const PLURALS: Readonly<Record<string, Kind>> = {
  nodes: 'Node',
  bgpconfigurations: 'BGPConfiguration',
  bgppeers: 'BGPPeer',
  ippools: 'IPPool',
};

/**
 * The prefixes listed and watched. Narrower than the two roots on purpose: the
 * roots also hold WorkloadEndpoints, policies and IPAM handles, which churn with
 * every pod and which a reflector never reads.
 */
export const WATCHED_PREFIXES: readonly string[] = [
  `${RESOURCE_ROOT}nodes/`,
  `${RESOURCE_ROOT}bgpconfigurations/`,
  `${RESOURCE_ROOT}bgppeers/`,
  `${RESOURCE_ROOT}ippools/`,
  `${IPAM_ROOT}assignment/`,
  `${IPAM_ROOT}host/`,
];

export interface ParsedKey {
  readonly kind: Kind;
  /** Resource name; for blocks the CIDR; for affinities "<node>/<cidr>". */
  readonly name: string;
  /** Block affinity: the host. */
  readonly node?: string;
  /** Blocks and affinities: the block CIDR text as in the key ("10.65.3.0/26"). */
  readonly cidr?: string;
}

/** Calico name.go: names are stored unescaped; on read "%2f" -> "/" and "%25" -> "%". */
export function unescapeName(s: string): string {
  return s.replace(/%2f|%25/gi, (m) => (m.toLowerCase() === '%2f' ? '/' : '%'));
}

export function escapeName(s: string): string {
  return s.replace(/%/g, '%25').replace(/\//g, '%2f');
}

/** "10.65.3.0-26" -> "10.65.3.0/26" (block.go: the masked CIDR with '/' replaced by '-'). */
export function blockCidrFromKeyPart(part: string): string | undefined {
  const i = part.lastIndexOf('-');
  if (i <= 0) return undefined;
  return `${part.slice(0, i)}/${part.slice(i + 1)}`;
}

export function parseKey(key: string): ParsedKey | undefined {
  if (key.startsWith(RESOURCE_ROOT)) {
    const parts = key.slice(RESOURCE_ROOT.length).split('/');
    if (parts.length !== 2) return undefined; // namespaced kinds have three parts
    const kind = PLURALS[parts[0] ?? ''];
    const name = parts[1] ?? '';
    if (kind === undefined || name === '') return undefined;
    return { kind, name: unescapeName(name) };
  }
  if (key.startsWith(IPAM_ROOT)) {
    const parts = key.slice(IPAM_ROOT.length).split('/');
    // assignment/ipv4/block/10.65.3.0-26
    if (parts.length === 4 && parts[0] === 'assignment' && isFamilyDir(parts[1]) && parts[2] === 'block') {
      const cidr = blockCidrFromKeyPart(parts[3] ?? '');
      return cidr === undefined ? undefined : { kind: 'IPAMBlock', name: cidr, cidr };
    }
    // host/<node>/ipv4/block/10.65.3.0-26
    if (parts.length === 5 && parts[0] === 'host' && isFamilyDir(parts[2]) && parts[3] === 'block') {
      const node = unescapeName(parts[1] ?? '');
      const cidr = blockCidrFromKeyPart(parts[4] ?? '');
      if (node === '' || cidr === undefined) return undefined;
      return { kind: 'BlockAffinity', name: `${node}/${cidr}`, node, cidr };
    }
  }
  return undefined;
}

function isFamilyDir(s: string | undefined): boolean {
  return s === 'ipv4' || s === 'ipv6';
}

/** The etcd range end for a prefix: the prefix with its last byte incremented. */
export function prefixRangeEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

export const resourceKey = (plural: string, name: string): string => `${RESOURCE_ROOT}${plural}/${name}`;
export const blockKey = (cidr: string): string =>
  `${IPAM_ROOT}assignment/${cidr.includes(':') ? 'ipv6' : 'ipv4'}/block/${cidr.replace('/', '-')}`;
export const affinityKey = (node: string, cidr: string): string =>
  `${IPAM_ROOT}host/${node}/${cidr.includes(':') ? 'ipv6' : 'ipv4'}/block/${cidr.replace('/', '-')}`;
