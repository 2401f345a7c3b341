/**
 * The Calico kinds a route reflector reads, one row each: where its keys live in
 * etcd, how a key names an object, the parser that validates its value, the snapshot
 * collection holding it and what the reflector derives from it. The watched prefixes,
 * the key lookup, the parser dispatch (resources/index.ts) and the snapshot's
 * collections (snapshot.ts) all come from this table: adding a kind is adding a row
 * (and its parser). Every key under no row's prefix (WorkloadEndpoints, IPAM
 * handles, the legacy /calico/bgp/v1 tree...) is ignored.
 */
import { affinityKey, blockCidrFromKeyPart, blockKey, escapeName, IPAM_ROOT, RESOURCE_ROOT, unescapeName } from './keys.js';
import { parseBGPConfiguration } from './resources/bgp-configuration.js';
import { parseBGPPeer } from './resources/bgp-peer.js';
import { parseBlockAffinity } from './resources/block-affinity.js';
import { parseIPAMBlock } from './resources/ipam-block.js';
import { parseIPPool } from './resources/ip-pool.js';
import { FieldError, type IssueSink } from './resources/issues.js';
import { parseNode } from './resources/node.js';

/**
 * What the reflector derives from a kind. 'peers': its BGP sessions (desired-peers.ts:
 * the BGPPeers naming this replica, the nodes they select, AS numbers, listen ports).
 * 'policy': its import policy (enabled pools, block owners by IPAM affinity, borrowed
 * addresses, the service CIDRs of the default BGPConfiguration).
 */
export type Feed = 'peers' | 'policy';

/** An object's name as its key gives it; blocks and affinities also carry the CIDR (and host). */
export interface KeyName {
  /** Resource name; for blocks the CIDR; for affinities "<node>/<cidr>". */
  readonly name: string;
  /** Block affinity: the host. */
  readonly node?: string;
  /** Blocks and affinities: the block CIDR text as in the key ("10.65.3.0/26"). */
  readonly cidr?: string;
}

/** Where one kind's keys live: one prefix, and the key <-> name mapping below it. */
export interface KeyLayout {
  /** Listed and watched; no row's prefix is a prefix of another's. */
  readonly prefix: string;
  /** The key minus the prefix -> the name (undefined: not a key of this kind). */
  readonly name: (rest: string) => KeyName | undefined;
  /** The inverse: the key of a named object. */
  readonly key: (k: KeyName) => string;
}

export interface KindSpec<K extends string, C extends string, T> {
  readonly kind: K;
  /** The snapshot collection holding the valid objects of this kind, by name. */
  readonly collection: C;
  readonly keys: KeyLayout;
  /** Validates a decoded value (throws FieldError; warnings go to the sink). */
  readonly parse: (json: unknown, key: KeyName, sink: IssueSink) => T;
  /** An empty value is handed to parse as undefined (instead of being malformed JSON). */
  readonly emptyValueAllowed?: boolean;
  readonly feeds: readonly Feed[];
}

export interface KindRow<K extends string, C extends string, T> extends KindSpec<K, C, T> {
  /** The raw etcd value -> the typed object (throws FieldError). */
  readonly read: (value: string, key: KeyName, sink: IssueSink) => { readonly kind: K; readonly name: string; readonly value: T };
}

function row<K extends string, C extends string, T>(spec: KindSpec<K, C, T>): KindRow<K, C, T> {
  return {
    ...spec,
    read: (value, key, sink) => ({ kind: spec.kind, name: key.name, value: spec.parse(decode(value, spec.emptyValueAllowed === true), key, sink) }),
  };
}

function decode(value: string, emptyAllowed: boolean): unknown {
  if (emptyAllowed && value.trim() === '') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    throw new FieldError(`malformed JSON: ${(err as Error).message}`);
  }
}

/** A cluster-scoped v3 resource (resource.go): one key per object, <root><plural>/<name>, name.go escaping. */
function clusterScoped(plural: string): KeyLayout {
  return {
    prefix: `${RESOURCE_ROOT}${plural}/`,
    // A further '/' would be a namespaced kind's <namespace>/<name>: not ours.
    name: (rest) => (rest === '' || rest.includes('/') ? undefined : { name: unescapeName(rest) }),
    key: (k) => `${RESOURCE_ROOT}${plural}/${escapeName(k.name)}`,
  };
}

const isFamilyDir = (s: string | undefined): boolean => s === 'ipv4' || s === 'ipv6';

/** block.go: /calico/ipam/v2/assignment/ipv4/block/10.65.3.0-26; named by its CIDR. */
const IPAM_BLOCK_KEYS: KeyLayout = {
  prefix: `${IPAM_ROOT}assignment/`,
  name: (rest) => {
    const [family, block, part, ...more] = rest.split('/');
    if (more.length > 0 || !isFamilyDir(family) || block !== 'block') return undefined;
    const cidr = blockCidrFromKeyPart(part ?? '');
    return cidr === undefined ? undefined : { name: cidr, cidr };
  },
  key: (k) => blockKey(k.cidr ?? k.name),
};

/** block_affinity.go: /calico/ipam/v2/host/<node>/ipv4/block/10.65.3.0-26; named "<node>/<cidr>". */
const HOST_AFFINITY_KEYS: KeyLayout = {
  prefix: `${IPAM_ROOT}host/`,
  name: (rest) => {
    const [host, family, block, part, ...more] = rest.split('/');
    if (more.length > 0 || !isFamilyDir(family) || block !== 'block') return undefined;
    const node = unescapeName(host ?? '');
    const cidr = blockCidrFromKeyPart(part ?? '');
    if (node === '' || cidr === undefined) return undefined;
    return { name: `${node}/${cidr}`, node, cidr };
  },
  key: (k) => affinityKey(escapeName(k.node ?? ''), k.cidr ?? ''),
};

/**
 * The table. The prefixes are narrower than the two roots on purpose: the roots also
 * hold WorkloadEndpoints, policies and IPAM handles, which churn with every pod and
 * which a reflector never reads.
 */
export const KINDS = [
  row({ kind: 'Node', collection: 'nodes', keys: clusterScoped('nodes'), parse: (j, k, sink) => parseNode(j, k.name, sink), feeds: ['peers'] }),
  row({ kind: 'BGPPeer', collection: 'peers', keys: clusterScoped('bgppeers'), parse: (j, k, sink) => parseBGPPeer(j, k.name, sink), feeds: ['peers'] }),
  row({ kind: 'BGPConfiguration', collection: 'configs', keys: clusterScoped('bgpconfigurations'), parse: (j, k, sink) => parseBGPConfiguration(j, k.name, sink), feeds: ['peers', 'policy'] }),
  row({ kind: 'IPPool', collection: 'pools', keys: clusterScoped('ippools'), parse: (j, k, sink) => parseIPPool(j, k.name, sink), feeds: ['policy'] }),
  row({ kind: 'IPAMBlock', collection: 'blocks', keys: IPAM_BLOCK_KEYS, parse: (j, k, sink) => parseIPAMBlock(j, k.cidr ?? '', sink), feeds: ['policy'] }),
  // An empty value means "confirmed" (older Calico releases).
  row({ kind: 'BlockAffinity', collection: 'affinities', keys: HOST_AFFINITY_KEYS, parse: (j, k, sink) => parseBlockAffinity(j, k.node ?? '', k.cidr ?? '', sink), emptyValueAllowed: true, feeds: ['policy'] }),
] as const;

/** A row of the table (a union over the kinds: narrow it by `kind`). */
export type AnyKindRow = (typeof KINDS)[number];
export type Kind = AnyKindRow['kind'];
export type CollectionName = AnyKindRow['collection'];
/** The value type of each collection, as its row's parser returns it. */
export type Collections = { [R in AnyKindRow as R['collection']]: ReturnType<R['parse']> };
/** One valid object of any kind, discriminated by kind. */
export type Resource = ReturnType<AnyKindRow['read']>;

export const COLLECTIONS: readonly CollectionName[] = KINDS.map((r) => r.collection);
export const WATCHED_PREFIXES: readonly string[] = KINDS.map((r) => r.keys.prefix);

/** The collections a feed is derived from, in table order. */
export function collectionsFeeding(feed: Feed): readonly CollectionName[] {
  return KINDS.filter((r) => r.feeds.includes(feed)).map((r) => r.collection);
}

export interface ParsedKey extends KeyName {
  readonly kind: Kind;
}

/** The row a key belongs to, with the name it gives; undefined for every key we do not read. */
export function lookupKey(key: string): { readonly row: AnyKindRow; readonly parsed: ParsedKey } | undefined {
  for (const row of KINDS) {
    if (!key.startsWith(row.keys.prefix)) continue;
    const k = row.keys.name(key.slice(row.keys.prefix.length));
    return k === undefined ? undefined : { row, parsed: { kind: row.kind, ...k } };
  }
  return undefined;
}

/** The kind and name of a key we read; undefined for every other key. */
export function parseKey(key: string): ParsedKey | undefined {
  return lookupKey(key)?.parsed;
}
