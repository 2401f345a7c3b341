/**
 * Calico BGPConfiguration (api/.../v3/bgpconfig.go): "default" is global,
 * "node.<name>" overrides listenPort (and a few fields we do not use) for one
 * node. Defaults applied on read as Calico applies them: asNumber 64512,
 * nodeToNodeMeshEnabled true, listenPort 179 (applied in desired-peers, because
 * a node-specific value overrides the global one).
 */
import { fail, type IssueSink } from './issues.js';
import { parseCidr, type Cidr } from './ip.js';
import { isObject, optArray, optBool, optInt, optString, warnUnknown, type JsonObject } from './json.js';
import { readEnvelope } from './metadata.js';
import { parseAsNumber, parseDuration } from './scalars.js';

export const DEFAULT_AS_NUMBER = 64512;
export const DEFAULT_BGP_PORT = 179;

export interface BGPConfiguration {
  readonly name: string;
  /** "node.<name>" objects: the node; undefined for "default" (and other names). */
  readonly node?: string;
  readonly asNumber?: number;
  readonly nodeToNodeMeshEnabled?: boolean;
  readonly listenPort?: number;
  readonly nodeMeshMaxRestartTime?: number;
  readonly serviceClusterIPs: readonly Cidr[];
  readonly serviceExternalIPs: readonly Cidr[];
  readonly serviceLoadBalancerIPs: readonly Cidr[];
}

const FIELDS = new Set([
  'asNumber', 'nodeToNodeMeshEnabled', 'logSeverityScreen', 'listenPort', 'bindMode', 'nodeMeshPassword',
  'nodeMeshMaxRestartTime', 'serviceClusterIPs', 'serviceExternalIPs', 'serviceLoadBalancerIPs', 'communities',
  'prefixAdvertisements', 'programClusterRoutes', 'ipv4NormalRoutePriority', 'ipv6NormalRoutePriority',
  'localWorkloadPeeringIPV4', 'localWorkloadPeeringIPV6', 'ignoredInterfaces',
]);

function cidrList(spec: JsonObject, field: string): Cidr[] {
  return optArray(spec, field, 'spec').map((item, i) => {
    if (!isObject(item) || typeof item.cidr !== 'string') fail(`spec.${field}[${i}].cidr: expected a CIDR string`);
    return parseCidr(item.cidr, `spec.${field}[${i}].cidr`);
  });
}

export function parseBGPConfiguration(value: unknown, name: string, sink: IssueSink): BGPConfiguration {
  const { spec } = readEnvelope(value, 'BGPConfiguration', name, sink);
  warnUnknown(spec, FIELDS, 'spec', sink);
  optString(spec, 'logSeverityScreen', 'spec');
  const node = name.startsWith('node.') ? name.slice('node.'.length) : undefined;
  const asNumber = parseAsNumber(spec.asNumber, 'spec.asNumber');
  if (node !== undefined && asNumber !== undefined) sink.warn('spec.asNumber: not allowed on a node-specific BGPConfiguration, ignored');
  return {
    name,
    node,
    asNumber: node === undefined ? asNumber : undefined,
    nodeToNodeMeshEnabled: optBool(spec, 'nodeToNodeMeshEnabled', 'spec'),
    listenPort: optInt(spec, 'listenPort', 'spec', 1, 65535),
    nodeMeshMaxRestartTime: parseDuration(spec.nodeMeshMaxRestartTime, 'spec.nodeMeshMaxRestartTime'),
    serviceClusterIPs: cidrList(spec, 'serviceClusterIPs'),
    serviceExternalIPs: cidrList(spec, 'serviceExternalIPs'),
    serviceLoadBalancerIPs: cidrList(spec, 'serviceLoadBalancerIPs'),
  };
}
