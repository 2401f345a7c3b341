/** `bgp-rr peers` order: numeric runs compared as numbers (node-2 before node-10), then by address. */
import t from 'tap';
import { comparePeers, naturalCompare } from '../../src/control/natural-order.js';

t.test('natural order: digit runs as numbers, the rest by code unit', async (t) => {
  const cases: [string, string, number][] = [
    ['node-2', 'node-10', -1],
    ['node-10', 'node-9', 1],
    ['node-1', 'node-1', 0],
    ['node-01', 'node-1', -1],
    ['node', 'node-1', -1],
    ['node-1', 'node-1a', -1],
    ['node-1b', 'node-1a', 1],
    ['rack2-node9', 'rack10-node1', -1],
    ['1', 'a', -1],
    ['', 'a', -1],
    ['n99999999999999999999', 'n100000000000000000000', -1],
    ['10.0.0.9', '10.0.0.10', -1],
    ['10.0.1.1', '10.0.0.200', 1],
  ];
  for (const [a, b, want] of cases) {
    t.equal(Math.sign(naturalCompare(a, b)), want, `${a} vs ${b}`);
    t.equal(Math.sign(naturalCompare(b, a)), -want, `${b} vs ${a}`);
  }
});

t.test('every insertion order gives the same sorted list', async (t) => {
  const want = ['node-1', 'node-2', 'node-9', 'node-10', 'node-11', 'node-100'];
  for (let k = 0; k < want.length; k++) {
    const input = [...want.slice(k), ...want.slice(0, k)].reverse();
    t.same(input.sort(naturalCompare), want, `rotation ${k}`);
  }
});

t.test('peers: by node name, then by address', async (t) => {
  const rows = [
    { node: 'node-10', address: '10.0.0.10' },
    { node: 'node-2', address: '10.0.0.2' },
    { node: 'node-1', address: 'fd00::1' },
    { node: 'node-1', address: '10.0.0.1' },
    { node: '', address: '10.0.0.99' },
  ];
  t.same(rows.sort(comparePeers).map((r) => `${r.node} ${r.address}`), [' 10.0.0.99', 'node-1 10.0.0.1', 'node-1 fd00::1', 'node-2 10.0.0.2', 'node-10 10.0.0.10']);
});
