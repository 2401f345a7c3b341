/**
 * Calico host block affinity (lib/backend/model/block_affinity.go) at
 * /calico/ipam/v2/host/<node>/ipv4/block/<cidr-with-dash>:
 * {"state":"confirmed","deleted":false}. States go pending -> confirmed ->
 * pendingDeletion. An empty value (older releases) means confirmed.
 */
import type { IssueSink } from './issues.js';
import { parseCidr, type Cidr } from './ip.js';
import { objectAt, oneOf, optBool, optString } from './json.js';

export type AffinityState = 'pending' | 'confirmed' | 'pendingDeletion';

export interface BlockAffinity {
  readonly node: string;
  readonly cidr: Cidr;
  readonly state: AffinityState;
  readonly deleted: boolean;
}

export function parseBlockAffinity(value: unknown, node: string, keyCidr: string, _sink: IssueSink): BlockAffinity {
  const cidr = parseCidr(keyCidr, 'key');
  if (value === undefined) return { node, cidr, state: 'confirmed', deleted: false };
  const o = objectAt(value, 'value');
  const state = oneOf(optString(o, 'state', ''), ['pending', 'confirmed', 'pendingDeletion'] as const, 'state', 'confirmed');
  return { node, cidr, state, deleted: optBool(o, 'deleted', '') ?? false };
}
