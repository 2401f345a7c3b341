/**
 * Calico IPAM block (libcalico-go lib/backend/model/block.go) at
 * /calico/ipam/v2/assignment/ipv4/block/<cidr-with-dash>.
 *
 * Owner: `affinity` "host:<node>" ("virtual:<name>" for KubeVirt: no node owner),
 * or the deprecated `hostAffinity` (a node name). `allocations[i]` indexes
 * `attributes`; an attribute's `secondary.node` says where that address is used,
 * so an address used on another node than the owner is "borrowed".
 */
import { fail, type IssueSink } from './issues.js';
import { parseCidr, type Cidr } from './ip.js';
import { isObject, objectAt, optArray, optBool, optString, type JsonObject } from './json.js';
import { Address4, Address6 } from 'ip-address';

export interface BorrowedAddress {
  readonly address: string;
  readonly node: string;
}

export interface IPAMBlock {
  readonly cidr: Cidr;
  /** The node that owns the block by affinity, if any. */
  readonly node?: string;
  /** The raw affinity text ("host:node-1", "virtual:vm-1"), if any. */
  readonly affinity?: string;
  readonly deleted: boolean;
  readonly borrowed: readonly BorrowedAddress[];
}

export function parseIPAMBlock(value: unknown, keyCidr: string, sink: IssueSink): IPAMBlock {
  const o = objectAt(value, 'value');
  const cidrText = optString(o, 'cidr', '');
  if (!cidrText) fail('cidr: required');
  const cidr = parseCidr(cidrText, 'cidr');
  const fromKey = parseCidr(keyCidr, 'key');
  if (fromKey.cidr !== cidr.cidr) fail(`cidr ${cidr.cidr} does not match the key (${fromKey.cidr})`);
  const affinity = optString(o, 'affinity', '') ?? undefined;
  let node: string | undefined;
  if (affinity) {
    if (affinity.startsWith('host:')) node = affinity.slice(5) || undefined;
    else if (!affinity.startsWith('virtual:')) sink.warn(`affinity: unknown form ${JSON.stringify(affinity)}, block has no owner`);
  } else {
    node = optString(o, 'hostAffinity', '') || undefined;
  }
  return { cidr, node, affinity: affinity || undefined, deleted: optBool(o, 'deleted', '') ?? false, borrowed: borrowedAddresses(o, cidr, node) };
}

function borrowedAddresses(o: JsonObject, cidr: Cidr, owner: string | undefined): BorrowedAddress[] {
  const allocations = optArray(o, 'allocations', '');
  const attributes = optArray(o, 'attributes', '');
  const out: BorrowedAddress[] = [];
  for (let i = 0; i < allocations.length; i++) {
    const a = allocations[i];
    if (a === null || a === undefined) continue;
    if (typeof a !== 'number' || !Number.isInteger(a)) fail(`allocations[${i}]: expected an attribute index or null`);
    const attr = attributes[a];
    if (!isObject(attr)) fail(`allocations[${i}]: attribute ${a} does not exist`);
    const sec = attr.secondary;
    const used = isObject(sec) && typeof sec.node === 'string' ? sec.node : undefined;
    if (used !== undefined && used !== owner) out.push({ address: nth(cidr, i), node: used });
  }
  return out;
}

function nth(cidr: Cidr, i: number): string {
  const v = cidr.network + BigInt(i);
  return cidr.family === 4 ? Address4.fromBigInt(v).correctForm() : Address6.fromBigInt(v).correctForm();
}
