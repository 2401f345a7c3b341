/** Calico values as calicoctl / calico/node write them, for tests. */
import { affinityKey, blockKey, resourceKey } from '../src/keys.js';

type Obj = Record<string, unknown>;

const v3 = (kind: string, name: string, spec: Obj, labels?: Record<string, string>): string =>
  JSON.stringify({ kind, apiVersion: 'projectcalico.org/v3', metadata: { name, ...(labels ? { labels } : {}) }, spec });

export const nodeKey = (name: string): string => resourceKey('nodes', name);
export const peerKey = (name: string): string => resourceKey('bgppeers', name);
export const configKey = (name: string): string => resourceKey('bgpconfigurations', name);
export const poolKey = (name: string): string => resourceKey('ippools', name);
export { affinityKey, blockKey };

export function nodeValue(name: string, bgp: Obj = {}, labels: Record<string, string> = {}): string {
  return v3('Node', name, { bgp, orchRefs: [{ nodeName: name, orchestrator: 'k8s' }] }, { 'kubernetes.io/hostname': name, ...labels });
}

export function peerValue(name: string, spec: Obj): string {
  return v3('BGPPeer', name, spec);
}

export function configValue(name: string, spec: Obj = {}): string {
  return v3('BGPConfiguration', name, spec);
}

export function poolValue(name: string, spec: Obj): string {
  return v3('IPPool', name, spec);
}

export function blockValue(cidr: string, node: string | null, extra: Obj = {}): string {
  return JSON.stringify({ cidr, affinity: node === null ? null : `host:${node}`, allocations: [], unallocated: [], attributes: [], deleted: false, ...extra });
}

export function affinityValue(state = 'confirmed'): string {
  return JSON.stringify({ state, deleted: false });
}
