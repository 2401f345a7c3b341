/** Import policy (engine/import-policy.ts): one case per Calico rule it pins. */
import t from 'tap';
import { parsePrefix } from '@bgp-rr/bgp-speaker';
import { buildImportPolicy, PrefixTable, type PolicyInputs, type PolicyPool, type RoutePolicyMode } from '../../src/engine/import-policy.js';

const pool = (name: string, cidr: string, extra: Partial<PolicyPool> = {}): PolicyPool => ({ name, cidr: { cidr }, disabled: false, disableBGPExport: false, ...extra });

function inputs(mode: RoutePolicyMode = 'enforce'): PolicyInputs {
  return {
    pools: [
      pool('default-ipv4-ippool', '172.16.0.0/12'),
      pool('no-export', '10.244.0.0/16', { disableBGPExport: true }),
      pool('old-pool', '192.168.0.0/16', { disabled: true }),
      pool('v6', 'fd00:10::/48'),
    ],
    blocks: new Map([
      ['172.16.5.0/24', 'node-7'],
      ['172.16.6.0/24', 'node-1'],
      ['172.16.7.0/26', 'node-2'],
      ['10.244.1.0/24', 'node-1'],
      ['192.168.3.0/24', 'node-1'],
      ['fd00:10::100/122', 'node-1'],
    ]),
    borrowed: new Map([
      ['172.16.5.9', 'node-1'],
      ['fd00:10::105', 'node-2'],
    ]),
    serviceCidrs: ['10.96.0.0/12', '203.0.113.0/24', '198.51.100.0/24'],
    mode,
  };
}

type Want = true | string;
const RULES: [rule: string, prefix: string, from: string, want: Want][] = [
  ['block: equal to an IPAM block, from its owner by affinity', '172.16.6.0/24', 'node-1', true],
  ['block: equal to an IPAM block, from another node', '172.16.5.0/24', 'node-1', 'block 172.16.5.0/24 is owned by node-7'],
  ['block: a /26 block (pool blockSize) from its owner', '172.16.7.0/26', 'node-2', true],
  ['block: a /26 block from another node', '172.16.7.0/26', 'node-7', 'block 172.16.7.0/26 is owned by node-2'],
  ['block: IPv6 /122 block from its owner', 'fd00:10::100/122', 'node-1', true],
  ['block: IPv6 /122 block from another node', 'fd00:10::100/122', 'node-2', 'block fd00:10::100/122 is owned by node-1'],
  ['borrowed: /32 from the node IPAM says uses it (secondary.node)', '172.16.5.9/32', 'node-1', true],
  ['borrowed: /32 from the block owner while another node uses it', '172.16.5.9/32', 'node-7', '172.16.5.9/32 is used by node-1'],
  ['borrowed: /32 from a third node', '172.16.5.9/32', 'node-3', '172.16.5.9/32 is used by node-1'],
  ['borrowed: /128 from the node that uses it', 'fd00:10::105/128', 'node-2', true],
  ['borrowed: /128 from the block owner while another node uses it', 'fd00:10::105/128', 'node-1', 'fd00:10::105/128 is used by node-2'],
  ['host route: owner announces an address of its own block (elevated priority)', '172.16.5.10/32', 'node-7', true],
  ['host route: not used by this node, in another node\'s block', '172.16.5.10/32', 'node-1', '172.16.5.10/32 is in block 172.16.5.0/24 owned by node-7'],
  ['inside a block: neither the block nor a host route', '172.16.5.16/28', 'node-7', '172.16.5.16/28 is inside block 172.16.5.0/24 but is neither the block nor a host route'],
  ['service: serviceClusterIPs CIDR from any node', '10.96.0.0/12', 'node-3', true],
  ['service: serviceExternalIPs CIDR from any node', '203.0.113.0/24', 'node-9', true],
  ['service: a per-service /32 inside serviceLoadBalancerIPs', '198.51.100.7/32', 'node-9', true],
  ['service: a prefix covering a service CIDR is not inside it', '198.51.0.0/16', 'node-9', '198.51.0.0/16 is outside every IP pool and service CIDR'],
  ['pool: disableBGPExport pool, even its block from the owner', '10.244.1.0/24', 'node-1', 'pool 10.244.0.0/16 (no-export) has disableBGPExport'],
  ['pool: disabled pool still admits its blocks from their owner', '192.168.3.0/24', 'node-1', true],
  ['pool: disabled pool, block from another node', '192.168.3.0/24', 'node-2', 'block 192.168.3.0/24 is owned by node-1'],
  ['pool: inside an enabled pool, no IPAM block (not seen yet)', '172.16.99.0/24', 'node-1', 'no IPAM block for 172.16.99.0/24 in pool default-ipv4-ippool'],
  ['pool: the pool aggregate itself (covers other nodes\' blocks)', '172.16.0.0/12', 'node-1', 'no IPAM block for 172.16.0.0/12 in pool default-ipv4-ippool'],
  ['outside: default route 0.0.0.0/0', '0.0.0.0/0', 'node-1', '0.0.0.0/0 is outside every IP pool and service CIDR'],
  ['outside: default route ::/0', '::/0', 'node-1', '::/0 is outside every IP pool and service CIDR'],
  ['outside: an unrelated prefix', '8.8.8.0/24', 'node-1', '8.8.8.0/24 is outside every IP pool and service CIDR'],
  ['outside: a supernet of a pool', '172.0.0.0/8', 'node-1', '172.0.0.0/8 is outside every IP pool and service CIDR'],
];

t.test('enforce: each rule', async (t) => {
  const policy = buildImportPolicy(inputs('enforce'));
  t.same(policy.issues, []);
  for (const [rule, prefix, from, want] of RULES) {
    const v = policy.evaluate(parsePrefix(prefix), from);
    t.same(v, want === true ? { accepted: true } : { accepted: false, reason: want }, rule);
  }
});

t.test('warn: the same rules accept, carrying the reason as a warning', async (t) => {
  const policy = buildImportPolicy(inputs('warn'));
  for (const [rule, prefix, from, want] of RULES) {
    const v = policy.evaluate(parsePrefix(prefix), from);
    t.same(v, want === true ? { accepted: true } : { accepted: true, warning: want }, rule);
  }
});

t.test('off: everything accepted, no warnings', async (t) => {
  const policy = buildImportPolicy(inputs('off'));
  for (const [rule, prefix, from] of RULES) t.same(policy.evaluate(parsePrefix(prefix), from), { accepted: true }, rule);
});

t.test('block rules win over an overlapping service CIDR (no hijack through a misconfigured range)', async (t) => {
  const policy = buildImportPolicy({ ...inputs(), serviceCidrs: ['172.16.5.0/24'] });
  t.same(policy.evaluate(parsePrefix('172.16.5.0/24'), 'node-1'), { accepted: false, reason: 'block 172.16.5.0/24 is owned by node-7' });
  t.same(policy.evaluate(parsePrefix('172.16.5.3/32'), 'node-1'), { accepted: false, reason: '172.16.5.3/32 is in block 172.16.5.0/24 owned by node-7' });
});

t.test('a block moving to another node moves the verdict (a new policy per snapshot)', async (t) => {
  const before = buildImportPolicy(inputs());
  const moved = new Map(inputs().blocks);
  moved.set('172.16.5.0/24', 'node-1');
  const after = buildImportPolicy({ ...inputs(), blocks: moved });
  const p = parsePrefix('172.16.5.0/24');
  t.equal(before.evaluate(p, 'node-1').accepted, false);
  t.equal(after.evaluate(p, 'node-1').accepted, true);
  t.equal(after.evaluate(p, 'node-7').accepted, false);
});

t.test('unparsable inputs are reported, not thrown', async (t) => {
  const policy = buildImportPolicy({ ...inputs(), serviceCidrs: ['not-a-cidr'], blocks: new Map([['10.0.0.0/99', 'x']]) });
  t.equal(policy.issues.length, 2);
  t.match(policy.issues[0], /block "10.0.0.0\/99"/);
  t.match(policy.issues[1], /service CIDR "not-a-cidr"/);
});

t.test('no borrowed map: host routes only from the block owner', async (t) => {
  const { borrowed: _b, ...rest } = inputs();
  const policy = buildImportPolicy(rest);
  t.equal(policy.evaluate(parsePrefix('172.16.5.9/32'), 'node-7').accepted, true);
  t.equal(policy.evaluate(parsePrefix('172.16.5.9/32'), 'node-1').accepted, false);
});

t.test('PrefixTable: longest match over several lengths, exact, both families', async (t) => {
  const tbl = new PrefixTable<string>();
  tbl.set(parsePrefix('10.0.0.0/8'), 'a');
  tbl.set(parsePrefix('10.1.0.0/16'), 'b');
  tbl.set(parsePrefix('fd00::/8'), 'v6');
  t.equal(tbl.longestMatch(parsePrefix('10.1.2.0/24')), 'b');
  t.equal(tbl.longestMatch(parsePrefix('10.2.2.0/24')), 'a');
  t.equal(tbl.longestMatch(parsePrefix('10.0.0.0/7')), undefined);
  t.equal(tbl.longestMatch(parsePrefix('fd00:1::/32')), 'v6');
  t.equal(tbl.exact(parsePrefix('10.1.0.0/16')), 'b');
  t.equal(tbl.exact(parsePrefix('10.1.0.0/17')), undefined);
});

t.test('5,000 blocks: every block from its owner, and from a neighbour', async (t) => {
  const blocks = new Map<string, string>();
  for (let i = 0; i < 5000; i++) blocks.set(`172.${16 + (i >> 8)}.${i & 255}.0/24`, `node-${i}`);
  const policy = buildImportPolicy({ pools: [pool('p', '172.16.0.0/12')], blocks, serviceCidrs: [], mode: 'enforce' });
  let accepted = 0;
  let rejected = 0;
  for (let i = 0; i < 5000; i++) {
    const p = parsePrefix(`172.${16 + (i >> 8)}.${i & 255}.0/24`);
    if (policy.evaluate(p, `node-${i}`).accepted) accepted++;
    if (!policy.evaluate(p, `node-${(i + 1) % 5000}`).accepted) rejected++;
  }
  t.equal(accepted, 5000);
  t.equal(rejected, 5000);
});

