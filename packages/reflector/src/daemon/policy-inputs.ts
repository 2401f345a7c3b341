/**
 * Binds the import policy (engine/import-policy.ts) to the datastore: its inputs from an
 * etcd-store snapshot and the configuration derived from it (enabled pools, block
 * owners by IPAM affinity, borrowed addresses, service CIDRs of the default
 * BGPConfiguration) and the --route-policy mode.
 */
import type { DesiredConfig, Snapshot } from '@bgp-rr/etcd-store';
import { buildImportPolicy, type ImportPolicy, type PolicyInputs, type RoutePolicyMode } from '../engine/import-policy.js';

export function policyInputs(s: Snapshot, c: DesiredConfig, mode: RoutePolicyMode): PolicyInputs {
  const g = s.configs.get('default')?.value;
  const serviceCidrs = g === undefined ? [] : [...g.serviceClusterIPs, ...g.serviceExternalIPs, ...g.serviceLoadBalancerIPs].map((x) => x.cidr);
  return { pools: c.pools, blocks: c.blockOwners, borrowed: c.borrowed, serviceCidrs, mode };
}

/** The daemon's default PolicyFactory: the real import policy. */
export function snapshotPolicy(s: Snapshot, c: DesiredConfig, mode: RoutePolicyMode): ImportPolicy {
  return buildImportPolicy(policyInputs(s, c, mode));
}
