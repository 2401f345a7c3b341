/**
 * Calico IPPool (api/.../v3/ippool.go; defaults from clientv3/ippool.go, filled in
 * on read because older objects may lack them): blockSize 26 (IPv4, 20..32) or
 * 122 (IPv6, 116..128); ipipMode/vxlanMode Never; nodeSelector all().
 */
import { compileSelector, SelectorError, type Selector } from '../selector/index.js';
import { fail, type IssueSink } from './issues.js';
import { parseCidr, type Cidr } from './ip.js';
import { optBool, optInt, optString, warnUnknown, oneOf } from './json.js';
import { readEnvelope } from './metadata.js';

export type EncapMode = 'Never' | 'Always' | 'CrossSubnet';
const ENCAP = ['Never', 'Always', 'CrossSubnet'] as const;

export interface IPPool {
  readonly name: string;
  readonly cidr: Cidr;
  readonly blockSize: number;
  readonly disabled: boolean;
  readonly disableBGPExport: boolean;
  readonly natOutgoing: boolean;
  readonly ipipMode: EncapMode;
  readonly vxlanMode: EncapMode;
  readonly nodeSelector: Selector;
}

const FIELDS = new Set([
  'cidr', 'blockSize', 'disabled', 'disableBGPExport', 'natOutgoing', 'ipipMode', 'vxlanMode', 'nodeSelector',
  'allowedUses', 'assignmentMode', 'ipip', 'nat-outgoing', 'namespaceSelector',
]);

export function parseIPPool(value: unknown, name: string, sink: IssueSink): IPPool {
  const { spec } = readEnvelope(value, 'IPPool', name, sink);
  warnUnknown(spec, FIELDS, 'spec', sink);
  const cidrText = optString(spec, 'cidr', 'spec');
  if (!cidrText) fail('spec.cidr: required');
  const cidr = parseCidr(cidrText, 'spec.cidr');
  const [min, max, dflt] = cidr.family === 4 ? [20, 32, 26] : [116, 128, 122];
  const blockSize = optInt(spec, 'blockSize', 'spec', min, max) ?? dflt;
  if (blockSize < cidr.prefixLength) fail(`spec.blockSize: ${blockSize} is shorter than the pool prefix /${cidr.prefixLength}`);
  const ipipMode = oneOf(optString(spec, 'ipipMode', 'spec'), ENCAP, 'spec.ipipMode', 'Never');
  const vxlanMode = oneOf(optString(spec, 'vxlanMode', 'spec'), ENCAP, 'spec.vxlanMode', 'Never');
  if (ipipMode !== 'Never' && vxlanMode !== 'Never') fail('spec: ipipMode and vxlanMode cannot both be enabled');
  if (ipipMode !== 'Never' && cidr.family === 6) fail('spec.ipipMode: IPIP is IPv4 only');
  const selText = optString(spec, 'nodeSelector', 'spec');
  let nodeSelector: Selector;
  try {
    nodeSelector = compileSelector(selText === undefined || selText.trim() === '' ? 'all()' : selText);
  } catch (err) {
    if (err instanceof SelectorError) fail(`spec.nodeSelector: ${err.message}`);
    throw err;
  }
  return {
    name,
    cidr,
    blockSize,
    disabled: optBool(spec, 'disabled', 'spec') ?? false,
    disableBGPExport: optBool(spec, 'disableBGPExport', 'spec') ?? false,
    natOutgoing: optBool(spec, 'natOutgoing', 'spec') ?? false,
    ipipMode,
    vxlanMode,
    nodeSelector,
  };
}
