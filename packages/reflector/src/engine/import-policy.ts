/**
 * PURE import policy: which prefixes a Calico node may announce to the
 * reflector, derived from the datastore (IP pools, IPAM blocks and their affinities,
 * borrowed addresses, service CIDRs). No I/O, no logger, no clock.
 *
 * What Calico does (docs/calico-datastore.md §2.6, §4.5-§4.6): a node announces each
 * confirmed affine block (`affinity: "host:<node>"`), a /32 or /128 for a pod address
 * it uses in another node's block (IPAM `allocations[i]` → `attributes[idx]
 * .secondary.node`), and the service CIDRs of BGPConfiguration (plus per-service /32s
 * inside the external and LoadBalancer ranges). It never announces a default route or
 * anything in a pool with `disableBGPExport`.
 *
 * What we do, in this order (the first rule that matches decides):
 *   1. mode 'off'                                       → accept everything
 *   2. inside a pool with disableBGPExport              → reject "pool P (name) has disableBGPExport"
 *   3. inside an IPAM block B (longest B containing it):
 *      a. equal to B, from B's owner                    → accept
 *         equal to B, from another node                 → reject "block B is owned by N"
 *      b. a host route (/32, /128) whose address IPAM
 *         says is used on `fromNode` (borrowed)         → accept
 *         a host route from B's owner, address not
 *         used on another node (Calico's elevated-
 *         priority host routes, §4.5 step 4)            → accept
 *         a host route used on another node             → reject "A/32 is used by node N"
 *         a host route from neither                     → reject "A/32 is in block B owned by N"
 *      c. anything between B and a host route           → reject "... is neither the block nor a host route"
 *   4. equal to or inside a service CIDR                → accept (from any node)
 *   5. inside a pool but in no known block (e.g. a
 *      block not seen yet, or a pool aggregate)        → reject "no IPAM block for P in pool name"
 *   6. anything else (incl. 0.0.0.0/0, ::/0)            → reject "P is outside every IP pool and service CIDR"
 *
 * Deliberate choices (say so, BIRD-style):
 * - Block rules come before service CIDRs: a service range that overlaps a pool by
 *   mistake cannot be used to take another node's block or pod address.
 * - A pool's `disabled` flag stops new allocations only; the blocks already in it keep
 *   running pods (Calico's pool migration disables the old pool while its pods live on),
 *   and their nodes keep announcing them (§4.5 export step 4 exports every confirmed
 *   affine block). So a disabled pool still admits its blocks from their owners;
 *   `disableBGPExport` is what excludes a pool.
 * - A block nobody owns (no affinity, or "virtual:…") is absent from `blocks`: its
 *   prefixes fall to rule 5.
 * - 'warn' evaluates the same rules and accepts, carrying the would-be reason in
 *   `warning` (for a dry run before 'enforce').
 *
 * Lookups are by compact keys (wire/prefix.ts `prefixKey`) in one Map per prefix
 * length present, tried longest first: a route costs one Map lookup per distinct block
 * length (usually one), not a scan over thousands of blocks.
 */
import { Afi, formatPrefix, ipv4Prefix, ipv6Prefix, parsePrefix, prefixKey, type Prefix } from '@bgp-rr/bgp-speaker';

export type RoutePolicyMode = 'enforce' | 'warn' | 'off';

export type ImportVerdict =
  | { readonly accepted: true; readonly warning?: string }
  | { readonly accepted: false; readonly reason: string };

export interface ImportPolicy {
  evaluate(prefix: Prefix, fromNode: string): ImportVerdict;
  readonly mode: RoutePolicyMode;
  /** Inputs that could not be used (unparsable CIDRs), for a log line at build time. */
  readonly issues: readonly string[];
}

/** The parts of an IPPool the policy reads (etcd-store's PoolInfo and IPPool both fit). */
export interface PolicyPool {
  readonly name: string;
  readonly cidr: { readonly cidr: string };
  readonly disabled: boolean;
  readonly disableBGPExport: boolean;
}

export interface PolicyInputs {
  readonly pools: readonly PolicyPool[];
  /** Block CIDR ("172.16.5.0/24") → node owning it by IPAM affinity. */
  readonly blocks: ReadonlyMap<string, string>;
  /** Borrowed address ("172.16.5.7") → node where IPAM says it is used. Optional. */
  readonly borrowed?: ReadonlyMap<string, string>;
  /** BGPConfiguration serviceClusterIPs, serviceExternalIPs, serviceLoadBalancerIPs. */
  readonly serviceCidrs: readonly string[];
  readonly mode: RoutePolicyMode;
}

const ACCEPT: ImportVerdict = { accepted: true };

export function buildImportPolicy(inputs: PolicyInputs): ImportPolicy {
  const issues: string[] = [];
  const parse = (text: string, what: string): Prefix | undefined => {
    try {
      return parsePrefix(text, { loose: true });
    } catch (err) {
      issues.push(`${what} ${JSON.stringify(text)}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };
  const pools = new PrefixTable<PolicyPool>();
  for (const p of inputs.pools) {
    const pr = parse(p.cidr.cidr, `pool ${p.name}`);
    if (pr !== undefined) pools.set(pr, p);
  }
  const blocks = new PrefixTable<{ readonly cidr: string; readonly owner: string }>();
  for (const [cidr, owner] of inputs.blocks) {
    const pr = parse(cidr, 'block');
    if (pr !== undefined) blocks.set(pr, { cidr: formatPrefix(pr), owner });
  }
  const borrowed = new PrefixTable<string>();
  for (const [addr, node] of inputs.borrowed ?? []) {
    const pr = parse(addr, 'borrowed address');
    if (pr !== undefined) borrowed.set(pr, node);
  }
  const services = new PrefixTable<string>();
  for (const c of inputs.serviceCidrs) {
    const pr = parse(c, 'service CIDR');
    if (pr !== undefined) services.set(pr, formatPrefix(pr));
  }

  const judge = (prefix: Prefix, fromNode: string): string | null => {
    const pool = pools.longestMatch(prefix);
    const text = (): string => formatPrefix(prefix);
    // Rule 2: a pool with disableBGPExport is never announced by Calico (§4.5 export step 1).
    if (pool !== undefined && pool.disableBGPExport) return `pool ${pool.cidr.cidr} (${pool.name}) has disableBGPExport`;
    // Rule 3: IPAM blocks.
    const block = blocks.longestMatch(prefix);
    if (block !== undefined) {
      const blockLen = Number(block.cidr.slice(block.cidr.indexOf('/') + 1));
      if (prefix.len === blockLen) return block.owner === fromNode ? null : `block ${block.cidr} is owned by ${block.owner}`;
      const hostLen = prefix.afi === Afi.IPV4 ? 32 : 128;
      if (prefix.len !== hostLen) return `${text()} is inside block ${block.cidr} but is neither the block nor a host route`;
      const user = borrowed.exact(prefix);
      if (user === fromNode) return null;
      if (user !== undefined) return `${text()} is used by ${user}`;
      if (block.owner === fromNode) return null;
      return `${text()} is in block ${block.cidr} owned by ${block.owner}`;
    }
    // Rule 4: service CIDRs (and per-service host routes inside them), from any node.
    if (services.longestMatch(prefix) !== undefined) return null;
    // Rule 5: in a pool, but IPAM knows no block for it.
    if (pool !== undefined) return `no IPAM block for ${text()} in pool ${pool.name}`;
    // Rule 6.
    return `${text()} is outside every IP pool and service CIDR`;
  };

  const mode = inputs.mode;
  const evaluate =
    mode === 'off'
      ? (): ImportVerdict => ACCEPT
      : mode === 'warn'
        ? (prefix: Prefix, fromNode: string): ImportVerdict => {
            const reason = judge(prefix, fromNode);
            return reason === null ? ACCEPT : { accepted: true, warning: reason };
          }
        : (prefix: Prefix, fromNode: string): ImportVerdict => {
            const reason = judge(prefix, fromNode);
            return reason === null ? ACCEPT : { accepted: false, reason };
          };
  return { evaluate, mode, issues };
}

/**
 * Prefixes by length, each length a Map keyed by `prefixKey`. `longestMatch(p)` finds
 * the longest stored prefix equal to or containing p: for each stored length L ≤ p.len
 * (longest first), mask p to L and look the key up.
 */
export class PrefixTable<V> {
  readonly #byLen = [new Map<number | string, V>(), new Map<number | string, V>()];
  #lens: [number[], number[]] = [[], []];

  set(p: Prefix, v: V): void {
    const f = p.afi === Afi.IPV4 ? 0 : 1;
    const m = this.#byLen[f]!;
    if (!this.#lens[f].includes(p.len)) this.#lens[f] = [...this.#lens[f], p.len].sort((a, b) => b - a);
    m.set(prefixKey(p), v);
  }

  exact(p: Prefix): V | undefined {
    return this.#byLen[p.afi === Afi.IPV4 ? 0 : 1]!.get(prefixKey(p));
  }

  longestMatch(p: Prefix): V | undefined {
    const f = p.afi === Afi.IPV4 ? 0 : 1;
    const m = this.#byLen[f]!;
    for (const len of this.#lens[f]) {
      if (len > p.len) continue;
      const key = len === p.len ? prefixKey(p) : prefixKey(p.afi === Afi.IPV4 ? ipv4Prefix(p.addr, len) : ipv6Prefix(p.addr, len));
      const v = m.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}
