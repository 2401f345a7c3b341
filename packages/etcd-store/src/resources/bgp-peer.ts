/**
 * Calico BGPPeer (api/.../v3/bgppeer.go). Which nodes: `node`, else
 * `nodeSelector`, else every node. The remote end: `peerIP` (optionally with a
 * port) or `peerSelector` (other Calico nodes; asNumber must then be empty).
 */
import { compileSelector, SelectorError, type Selector } from '../selector/index.js';
import { fail, type IssueSink } from './issues.js';
import { parseHostPort, type HostPort } from './ip.js';
import { optInt, optObject, optString, warnUnknown, oneOf, type JsonObject } from './json.js';
import { readEnvelope } from './metadata.js';
import { parseAsNumber, parseDuration } from './scalars.js';

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface BGPPeer {
  readonly name: string;
  readonly node?: string;
  readonly nodeSelector?: Selector;
  readonly peerSelector?: Selector;
  readonly peer?: HostPort;
  readonly asNumber?: number;
  readonly localASNumber?: number;
  /** Graceful-restart time in seconds (maxRestartTime). */
  readonly maxRestartTime?: number;
  /** keepaliveTime in seconds (v3.32+). */
  readonly keepaliveTime?: number;
  readonly password?: SecretKeyRef;
  readonly sourceAddress: 'UseNodeIP' | 'None';
  readonly ttlSecurity?: number;
}

const FIELDS = new Set([
  'node', 'nodeSelector', 'peerIP', 'peerSelector', 'asNumber', 'localASNumber', 'maxRestartTime', 'keepaliveTime',
  'password', 'sourceAddress', 'keepOriginalNextHop', 'nextHopMode', 'numAllowedLocalASNumbers', 'ttlSecurity',
  'reachableBy', 'filters', 'reversePeering', 'localWorkloadSelector',
]);

function selector(spec: JsonObject, field: string): Selector | undefined {
  const text = optString(spec, field, 'spec');
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return compileSelector(text);
  } catch (err) {
    if (err instanceof SelectorError) fail(`spec.${field}: ${err.message}`);
    throw err;
  }
}

function secretRef(spec: JsonObject): SecretKeyRef | undefined {
  const pw = optObject(spec, 'password', 'spec');
  if (pw.secretKeyRef === undefined || pw.secretKeyRef === null) return undefined;
  const ref = optObject(pw, 'secretKeyRef', 'spec.password');
  const name = optString(ref, 'name', 'spec.password.secretKeyRef');
  const key = optString(ref, 'key', 'spec.password.secretKeyRef');
  if (!name || !key) fail('spec.password.secretKeyRef: name and key are required');
  return { name, key };
}

export function parseBGPPeer(value: unknown, name: string, sink: IssueSink): BGPPeer {
  const { spec } = readEnvelope(value, 'BGPPeer', name, sink);
  warnUnknown(spec, FIELDS, 'spec', sink);
  const peerIP = optString(spec, 'peerIP', 'spec');
  const peer = peerIP ? parseHostPort(peerIP, 'spec.peerIP') : undefined;
  const peerSelector = selector(spec, 'peerSelector');
  const asNumber = parseAsNumber(spec.asNumber, 'spec.asNumber');
  if (peerSelector !== undefined && peer !== undefined) fail('spec: peerIP and peerSelector are mutually exclusive');
  if (peerSelector !== undefined && asNumber !== undefined) fail('spec.asNumber: must be empty with peerSelector');
  if (peerSelector === undefined && peer === undefined) fail('spec: one of peerIP or peerSelector is required');
  const node = optString(spec, 'node', 'spec') || undefined;
  const nodeSelector = selector(spec, 'nodeSelector');
  if (node !== undefined && nodeSelector !== undefined) fail('spec: node and nodeSelector are mutually exclusive');
  return {
    name,
    node,
    nodeSelector,
    peerSelector,
    peer,
    asNumber,
    localASNumber: parseAsNumber(spec.localASNumber, 'spec.localASNumber'),
    maxRestartTime: parseDuration(spec.maxRestartTime, 'spec.maxRestartTime'),
    keepaliveTime: parseDuration(spec.keepaliveTime, 'spec.keepaliveTime'),
    password: secretRef(spec),
    sourceAddress: oneOf(optString(spec, 'sourceAddress', 'spec'), ['UseNodeIP', 'None'] as const, 'spec.sourceAddress', 'UseNodeIP'),
    ttlSecurity: optInt(spec, 'ttlSecurity', 'spec', 0, 255),
  };
}
