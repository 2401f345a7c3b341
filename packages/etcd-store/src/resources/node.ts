/**
 * Calico Node (api/pkg/apis/projectcalico/v3 internalapi/node.go), the BGP part.
 * spec.bgp.ipv4Address is "addr/len" (a bare address means /32); it is the BGP
 * peer address and, by default, the node's router id and source address.
 */
import type { IssueSink } from './issues.js';
import { parseIp, parseIpWithPrefix, type IpWithPrefix } from './ip.js';
import { optObject, optString, warnUnknown } from './json.js';
import { readEnvelope } from './metadata.js';
import { parseAsNumber } from './scalars.js';

export interface CalicoNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** undefined: the node has no BGP spec (it is not a BGP speaker). */
  readonly bgp?: {
    readonly ipv4Address?: IpWithPrefix;
    readonly ipv6Address?: IpWithPrefix;
    /** undefined: the global AS applies. */
    readonly asNumber?: number;
    readonly routeReflectorClusterID?: string;
  };
}

const SPEC_FIELDS = new Set(['bgp', 'orchRefs', 'ipv4VXLANTunnelAddr', 'ipv6VXLANTunnelAddr', 'vxlanTunnelMACAddr', 'vxlanTunnelMACAddrV6', 'wireguard', 'addresses', 'interfaces']);
const BGP_FIELDS = new Set(['ipv4Address', 'ipv6Address', 'asNumber', 'routeReflectorClusterID', 'ipv4IPIPTunnelAddr']);

export function parseNode(value: unknown, name: string, sink: IssueSink): CalicoNode {
  const env = readEnvelope(value, 'Node', name, sink);
  warnUnknown(env.spec, SPEC_FIELDS, 'spec', sink);
  if (env.spec.bgp === undefined || env.spec.bgp === null) return { name, labels: env.labels };
  const bgp = optObject(env.spec, 'bgp', 'spec');
  warnUnknown(bgp, BGP_FIELDS, 'spec.bgp', sink);
  const v4 = optString(bgp, 'ipv4Address', 'spec.bgp');
  const v6 = optString(bgp, 'ipv6Address', 'spec.bgp');
  const ipv4Address = v4 ? parseIpWithPrefix(v4, 'spec.bgp.ipv4Address') : undefined;
  const ipv6Address = v6 ? parseIpWithPrefix(v6, 'spec.bgp.ipv6Address') : undefined;
  if (ipv4Address !== undefined && ipv4Address.family !== 4) sink.warn('spec.bgp.ipv4Address: not IPv4');
  if (ipv6Address !== undefined && ipv6Address.family !== 6) sink.warn('spec.bgp.ipv6Address: not IPv6');
  const cluster = optString(bgp, 'routeReflectorClusterID', 'spec.bgp');
  if (cluster) {
    const ip = parseIp(cluster, 'spec.bgp.routeReflectorClusterID');
    if (ip.family !== 4) sink.warn('spec.bgp.routeReflectorClusterID: not an IPv4 dotted quad');
  }
  return {
    name,
    labels: env.labels,
    bgp: {
      ipv4Address: ipv4Address?.family === 4 ? ipv4Address : undefined,
      ipv6Address: ipv6Address?.family === 6 ? ipv6Address : undefined,
      asNumber: parseAsNumber(bgp.asNumber, 'spec.bgp.asNumber'),
      routeReflectorClusterID: cluster || undefined,
    },
  };
}
