/**
 * One entry point from an etcd key/value to a typed, validated resource (the kind
 * and its parser come from the kinds table, kinds.ts).
 * Nothing thrown inside a parser escapes: a bad value becomes an `error` issue
 * for its key (and the resource is skipped); ignored details become `warning`s.
 */
import { lookupKey, type Kind, type Resource } from '../kinds.js';
import type { BGPConfiguration } from './bgp-configuration.js';
import type { BGPPeer } from './bgp-peer.js';
import type { BlockAffinity } from './block-affinity.js';
import type { IPAMBlock } from './ipam-block.js';
import type { IPPool } from './ip-pool.js';
import { FieldError, type ValidationIssue } from './issues.js';
import type { CalicoNode } from './node.js';

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
  const found = lookupKey(key);
  if (found === undefined) return undefined;
  const { row, parsed: k } = found;
  const issues: ValidationIssue[] = [];
  const sink = { warn: (reason: string): void => void issues.push({ key, reason, severity: 'warning' }) };
  try {
    // The parser of the key's row (kinds.ts).
    return { kind: k.kind, name: k.name, resource: row.read(value, k, sink), issues };
  } catch (err) {
    // Any failure (even an unexpected one) stays with this key and nothing else.
    const reason = err instanceof FieldError ? err.message : `unexpected value: ${String(err)}`;
    issues.push({ key, reason, severity: 'error' });
    return { kind: k.kind, name: k.name, issues };
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
