/** Calico selector semantics (libcalico-go lib/selector), one row per rule. */
import t from 'tap';
import { compileSelector } from '../../src/selector/index.js';

const labels = { rack: 'r1', zone: 'eu-west-1a', 'kubernetes.io/hostname': 'node-1', role: 'worker', empty: '' };

const cases: [rule: string, selector: string, want: boolean][] = [
  ['all() matches everything', 'all()', true],
  ['an empty selector means all()', '', true],
  ['global() matches every cluster-scoped resource (all Nodes)', 'global()', true],
  ['has(k): present', 'has(rack)', true],
  ['has(k): absent', 'has(gpu)', false],
  ['has(k) with an empty value', 'has(empty)', true],
  ['!has(k)', '!has(gpu)', true],
  ["k == 'v'", "rack == 'r1'", true],
  ['k == "v" (double quotes)', 'rack == "r1"', true],
  ['== is false when k is absent', "gpu == 'x'", false],
  ["k != 'v'", "rack != 'r2'", true],
  ['!= is true when k is absent', "gpu != 'x'", true],
  ['label keys with / and .', "kubernetes.io/hostname == 'node-1'", true],
  ['k in {...}', "rack in {'r1', 'r2'}", true],
  ['k in {...}: not a member', "rack in {'r3'}", false],
  ['in is false when k is absent', "gpu in {'x'}", false],
  ['k in {} is false', 'rack in {}', false],
  ['k not in {...}', "rack not in {'r2','r3'}", true],
  ['not in is true when k is absent', "gpu not in {'x'}", true],
  ['contains', "zone contains 'west'", true],
  ['contains is false when k is absent', "gpu contains ''", false],
  ['starts with', "zone starts with 'eu-'", true],
  ['ends with', "zone ends with '1b'", false],
  ['&& binds tighter than ||', "rack == 'r2' && role == 'worker' || zone == 'eu-west-1a'", true],
  ['&& of false', "rack == 'r1' && role == 'master'", false],
  ['parentheses group', "rack == 'r2' && (role == 'worker' || zone == 'eu-west-1a')", false],
  ['! binds to the next operand', "!rack == 'r2'", true],
  ['!(...)', "!(rack == 'r1' || role == 'master')", false],
  ['double negation', '!!has(rack)', true],
  ['keyword-like label names stay labels', "internal != 'x' && hasher != 'y'", true],
  ['whitespace is free', "  rack=='r1'&&has( zone )  ", true],
];

t.test('selector matching', async (t) => {
  for (const [rule, sel, want] of cases) t.equal(compileSelector(sel).matches(labels), want, `${rule}: ${sel}`);
});

t.test('label values are compared exactly, no prototype leakage', async (t) => {
  t.equal(compileSelector('has(toString)').matches({}), false);
  t.equal(compileSelector("constructor != 'x'").matches({}), true);
});
