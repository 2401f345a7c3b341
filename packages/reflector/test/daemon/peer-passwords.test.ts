/** peer-passwords.ts: which peers run with a TCP MD5 password (RFC 2385), table-driven. */
import t from 'tap';
import type { DesiredPeer } from '@bgp-rr/etcd-store';
import { peerSpecFor, reconcile, type PeerSpec } from '../../src/daemon/reconcile.js';
import { applyPasswords } from '../../src/daemon/peer-passwords.js';
import { parsePasswordFile } from '../../src/daemon/secrets.js';

const defaults = { routerId: '10.0.0.100', holdTime: 30, restartTime: 120, connectRetrySeconds: 5 };
const SECRET = { name: 'bgp-secrets', key: 'rr' };

function node(name: string, address: string, over: Partial<DesiredPeer> = {}): DesiredPeer {
  return { name, address, family: 4, port: 179, localAddress: '10.0.0.100', asNumber: 64512, routeReflectorClient: true, bgpPeers: ['rr1'], ...over } as DesiredPeer;
}

const table = parsePasswordFile(['10.0.0.1 by-address', 'rr-secure by-bgppeer-name'].join('\n'));

const cases: { rule: string; peer: DesiredPeer; table: typeof table | undefined; password: string | null; refused?: RegExp }[] = [
  { rule: 'an entry for the peer address: that password, passive', peer: node('n1', '10.0.0.1'), table, password: 'by-address' },
  { rule: 'an entry for a BGPPeer that selected the node: that password', peer: node('n2', '10.0.0.2', { bgpPeers: ['rr-secure'] }), table, password: 'by-bgppeer-name' },
  { rule: 'the file wins even when the BGPPeer names a Secret', peer: node('n1', '10.0.0.1', { password: SECRET }), table, password: 'by-address' },
  { rule: 'no entry, no Secret asked: unchanged (active, no password)', peer: node('n3', '10.0.0.3'), table, password: null },
  { rule: 'no file, no Secret asked: unchanged', peer: node('n3', '10.0.0.3'), table: undefined, password: null },
  {
    rule: 'a BGPPeer asks for a Secret the file does not have: refused, saying why',
    peer: node('n4', '10.0.0.4', { password: SECRET }),
    table,
    password: null,
    refused: /BGPPeer rr1 asks for a TCP MD5 password \(Secret bgp-secrets\/rr\).*--password-file has no entry for 10\.0\.0\.4 nor for rr1: the peer is not started/,
  },
  { rule: 'a BGPPeer asks for a Secret and there is no file: refused', peer: node('n4', '10.0.0.4', { password: SECRET }), table: undefined, password: null, refused: /no --password-file is set/ },
];

for (const c of cases) {
  t.test(c.rule, async (t) => {
    const spec = peerSpecFor(c.peer, 64512, defaults);
    const v = applyPasswords([spec], [c.peer], c.table);
    if (c.refused !== undefined) {
      t.same(v.specs, [], 'not run');
      t.equal(v.refused.length, 1);
      t.match(v.refused[0]!.reason, c.refused);
      return;
    }
    t.same(v.refused, []);
    const out = v.specs[0]!;
    t.equal(out.config.password ?? null, c.password);
    t.equal(out.config.passive, c.password !== null, c.password !== null ? 'passive: Node cannot sign a connection it dials' : 'dialled as before');
    t.notOk(out.unsupported.some((u) => u.startsWith('password')) && c.password !== null, 'no "password unsupported" warning once a password is used');
  });
}

t.test('a password change is a session setting: reconcile updates (resets) that one peer', async (t) => {
  const p = node('n1', '10.0.0.1');
  const before = applyPasswords([peerSpecFor(p, 64512, defaults)], [p], table).specs[0]!;
  const other = parsePasswordFile('10.0.0.1 rotated');
  const after = applyPasswords([peerSpecFor(p, 64512, defaults)], [p], other).specs[0]!;
  const plan = reconcile([after], new Map<string, PeerSpec>([[before.address, before]]));
  t.same(plan.update.map((s) => s.address), ['10.0.0.1']);
});
