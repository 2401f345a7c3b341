/**
 * Calico's etcd v3 key layout (libcalico-go lib/backend/model: resource.go,
 * block.go, block_affinity.go): the roots, name escaping and key builders. Which
 * keys a route reflector reads, and as what, is the kinds table (kinds.ts).
 */
export const RESOURCE_ROOT = '/calico/resources/v3/projectcalico.org/';
export const IPAM_ROOT = '/calico/ipam/v2/';

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
