/**
 * One entry point from an etcd key/value to a typed, validated resource.
 * Nothing thrown inside a parser escapes: a bad value becomes an `error` issue
 * for its key (and the resource is skipped); ignored details become `warning`s.
 */
import { parseKey, type Kind } from '../keys.js';
import { parseBGPConfiguration, type BGPConfiguration } from './bgp-configuration.js';
import { parseBGPPeer, type BGPPeer } from './bgp-peer.js';
import { parseBlockAffinity, type BlockAffinity } from './block-affinity.js';
import { parseIPAMBlock, type IPAMBlock } from './ipam-block.js';
import { parseIPPool, type IPPool } from './ip-pool.js';
import { FieldError, type ValidationIssue } from './issues.js';
import { parseNode, type CalicoNode } from './node.js';

export type Resource =
  | { readonly kind: 'Node'; readonly name: string; readonly value: CalicoNode }
  | { readonly kind: 'BGPConfiguration'; readonly name: string; readonly value: BGPConfiguration }
  | { readonly kind: 'BGPPeer'; readonly name: string; readonly value: BGPPeer }
  | { readonly kind: 'IPPool'; readonly name: string; readonly value: IPPool }
  | { readonly kind: 'IPAMBlock'; readonly name: string; readonly value: IPAMBlock }
  | { readonly kind: 'BlockAffinity'; readonly name: string; readonly value: BlockAffinity };

export interface ParseOutcome {
  /** The kind and name from the key (present whenever the key is one we read). */
  readonly kind: Kind;
  readonly name: string;
  /** undefined when the value was rejected (see issues). */
  readonly resource?: Resource;
  readonly issues: readonly ValidationIssue[];
}

/** undefined: a key we do not read (other kinds, legacy /calico/bgp/v1, handles...). */
export function parseResource(key: string, value: string): ParseOutcome | undefined {
  const k = parseKey(key);
  if (k === undefined) return undefined;
  const issues: ValidationIssue[] = [];
  const sink = { warn: (reason: string): void => void issues.push({ key, reason, severity: 'warning' }) };
  try {
    const json = parseJson(k.kind, value);
    const resource = build(k.kind, k.name, json, k.node ?? '', k.cidr ?? '', sink);
    return { kind: k.kind, name: k.name, resource, issues };
  } catch (err) {
    // Any failure (even an unexpected one) stays with this key and nothing else.
    const reason = err instanceof FieldError ? err.message : `unexpected value: ${String(err)}`;
    issues.push({ key, reason, severity: 'error' });
    return { kind: k.kind, name: k.name, issues };
  }
}

function parseJson(kind: Kind, value: string): unknown {
  // An empty affinity value means "confirmed" (older Calico releases).
  if (kind === 'BlockAffinity' && value.trim() === '') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    throw new FieldError(`malformed JSON: ${(err as Error).message}`);
  }
}

function build(kind: Kind, name: string, json: unknown, node: string, cidr: string, sink: { warn(r: string): void }): Resource {
  switch (kind) {
    case 'Node':
      return { kind, name, value: parseNode(json, name, sink) };
    case 'BGPConfiguration':
      return { kind, name, value: parseBGPConfiguration(json, name, sink) };
    case 'BGPPeer':
      return { kind, name, value: parseBGPPeer(json, name, sink) };
    case 'IPPool':
      return { kind, name, value: parseIPPool(json, name, sink) };
    case 'IPAMBlock':
      return { kind, name, value: parseIPAMBlock(json, name, sink) };
    case 'BlockAffinity':
      return { kind, name, value: parseBlockAffinity(json, node, cidr, sink) };
  }
}

export type { BGPConfiguration, BGPPeer, BlockAffinity, CalicoNode, IPAMBlock, IPPool, ValidationIssue };
export { DEFAULT_AS_NUMBER, DEFAULT_BGP_PORT } from './bgp-configuration.js';
export type { AffinityState } from './block-affinity.js';
export type { EncapMode } from './ip-pool.js';
export type { SecretKeyRef } from './bgp-peer.js';
export type { BorrowedAddress } from './ipam-block.js';
export { cidrContains, parseCidr, tryParseCidr, tryParseIp, type Cidr, type Family, type HostPort, type IpAddr, type IpWithPrefix } from './ip.js';
export { parseAsNumber, parseDuration } from './scalars.js';
export type { Severity } from './issues.js';
