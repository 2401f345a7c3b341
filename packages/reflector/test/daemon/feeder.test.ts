import t from 'tap';
import { decodeMessage, formatPrefix, type Negotiated, type Peer, type Speaker } from '@bgp-rr/bgp-speaker';
import { Feeder } from '../../src/daemon/feeder.js';
import { announce, engine, LOCAL_AS, negotiated, splitMessages, withdraw } from '../engine/fixtures.js';

/**
 * The speaker's side of the feeder (getPeer, send) without sockets: records what each
 * peer was sent, and can report a socket above its high-water mark (send → false).
 */
class Sockets {
  readonly sent = new Map<string, Uint8Array[]>();
  readonly full = new Set<string>();
  lookups = 0;
  getPeer(address: string): Peer | undefined {
    this.lookups++;
    return { address, state: 'Established' } as Peer;
  }
  send(peer: Peer, frames: readonly Uint8Array[]): boolean {
    const list = this.sent.get(peer.address) ?? [];
    list.push(...frames);
    this.sent.set(peer.address, list);
    return !this.full.has(peer.address);
  }
  /** Prefixes announced to `address` so far (and whether End-of-RIB came). */
  prefixes(address: string, n: Negotiated): { prefixes: string[]; eor: boolean } {
    const ctx = { ...n.codec, addPathReceive: n.codec.addPathSend, addPathSend: new Set<number>() };
    const out = new Set<string>();
    let eor = false;
    for (const f of splitMessages(this.sent.get(address) ?? [])) {
      const d = decodeMessage(f, ctx).update;
      if (d?.endOfRib) eor = true;
      for (const r of d?.update.nlri ?? []) out.add(formatPrefix(r.prefix));
    }
    return { prefixes: [...out].sort(), eor };
  }
}

/** Configures `peers` as clients and brings their sessions up; their negotiated parameters. */
function establish(e: ReturnType<typeof engine>['e'], peers: readonly string[]): Map<string, Negotiated> {
  const n = new Map<string, Negotiated>();
  for (const [i, a] of peers.entries()) {
    e.configurePeer(a, `n${i + 1}`, true, LOCAL_AS);
    n.set(a, negotiated(a));
    e.sessionUp(a, n.get(a)!);
  }
  return n;
}

const rounds = async (k = 5): Promise<void> => {
  for (let i = 0; i < k; i++) await new Promise((resolve) => setImmediate(resolve));
};

t.test('Feeder: every peer gets the others\' routes; a full socket waits for drain; idle peers are not visited', async (t) => {
  const { e, engine: core } = engine();
  const sockets = new Sockets();
  const reported = new Map<string, number>();
  const feeder = new Feeder(sockets as unknown as Speaker, core, {
    chunkBytes: 64,
    roundBytes: 256,
    onSent: (peer, messages) => reported.set(peer.address, (reported.get(peer.address) ?? 0) + messages),
  });
  t.teardown(() => feeder.close());
  const peers = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const n = establish(e, peers);
  sockets.full.add('10.0.0.3');
  for (const [i, a] of peers.entries()) e.update(a, announce(a, [`172.16.${i}.0/24`, `172.17.${i}.0/24`]));
  feeder.schedule();
  await rounds(20);
  t.same(sockets.prefixes('10.0.0.1', n.get('10.0.0.1')!), { prefixes: ['172.16.1.0/24', '172.16.2.0/24', '172.17.1.0/24', '172.17.2.0/24'], eor: true });
  t.same(sockets.prefixes('10.0.0.2', n.get('10.0.0.2')!).prefixes, ['172.16.0.0/24', '172.16.2.0/24', '172.17.0.0/24', '172.17.2.0/24']);
  const parked = sockets.sent.get('10.0.0.3')?.length ?? 0;
  t.ok(parked > 0, 'the full socket got one batch');
  t.ok(core.pending('10.0.0.3') > 0, '... and nothing more while it is full');

  sockets.full.clear();
  feeder.drained({ address: '10.0.0.3' } as Peer);
  await rounds(20);
  t.same(sockets.prefixes('10.0.0.3', n.get('10.0.0.3')!), { prefixes: ['172.16.0.0/24', '172.16.1.0/24', '172.17.0.0/24', '172.17.1.0/24'], eor: true }, 'the rest after drain');

  for (const a of peers) t.equal(reported.get(a), splitMessages(sockets.sent.get(a)!).length, `messages reported for ${a} = messages sent`);

  // In sync: a round without new work looks at no peer at all.
  sockets.lookups = 0;
  feeder.schedule();
  await rounds(3);
  t.equal(sockets.lookups, 0, 'no peer visited when none has work');

  // New work for the group: every member is fed again, no more.
  e.update('10.0.0.1', withdraw(['172.17.0.0/24']));
  feeder.schedule();
  await rounds(10);
  t.equal(sockets.lookups, 3, 'each member of the changed group visited once');
  t.equal(core.pending('10.0.0.2'), 0);

  // A session that went down and came back is fed from scratch.
  feeder.reset('10.0.0.2');
  e.sessionDown('10.0.0.2', true);
  sockets.sent.delete('10.0.0.2');
  e.sessionUp('10.0.0.2', n.get('10.0.0.2')!);
  feeder.schedule();
  await rounds(10);
  t.same(sockets.prefixes('10.0.0.2', n.get('10.0.0.2')!), { prefixes: ['172.16.0.0/24', '172.16.2.0/24', '172.17.2.0/24'], eor: true });
});

t.test('Feeder: rounds are paced; a change after a quiet spell goes out at once, the next waits for the interval', async (t) => {
  const { e, engine: core } = engine();
  const sockets = new Sockets();
  const feeder = new Feeder(sockets as unknown as Speaker, core, { roundIntervalMs: () => 200 });
  t.teardown(() => feeder.close());
  const peers = ['10.0.0.1', '10.0.0.2'];
  const n = establish(e, peers);
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.0.0/24']));
  feeder.schedule();
  await rounds(5);
  t.same(sockets.prefixes('10.0.0.2', n.get('10.0.0.2')!).prefixes, ['172.16.0.0/24'], 'first round at once');

  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  feeder.schedule();
  await rounds(20);
  t.same(sockets.prefixes('10.0.0.2', n.get('10.0.0.2')!).prefixes, ['172.16.0.0/24'], 'the next change waits for the interval');
  for (let i = 0; i < 100 && core.pending('10.0.0.2') > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  t.same(sockets.prefixes('10.0.0.2', n.get('10.0.0.2')!).prefixes, ['172.16.0.0/24', '172.16.1.0/24'], '... then goes out');
});

t.test('Feeder: close cancels a paced round', async (t) => {
  const { e, engine: core } = engine();
  const sockets = new Sockets();
  const feeder = new Feeder(sockets as unknown as Speaker, core, { roundIntervalMs: () => 60_000 });
  e.configurePeer('10.0.0.1', 'n1', true, LOCAL_AS);
  e.sessionUp('10.0.0.1', negotiated('10.0.0.1'));
  feeder.schedule();
  await rounds(5);
  feeder.schedule();
  feeder.close(); // the 60 s timer is cleared: this test ends at once
  await rounds(5);
  t.equal(sockets.sent.size, 1, 'only the first round ran');
});

t.test('Feeder: a backlog and a drained socket are served at once, whatever the pace of new work', async (t) => {
  const { e, engine: core } = engine();
  const sockets = new Sockets();
  // Rounds of 256 bytes: the table below needs many rounds; new work only every 60 s.
  const feeder = new Feeder(sockets as unknown as Speaker, core, { chunkBytes: 64, roundBytes: 256, roundIntervalMs: () => 60_000 });
  t.teardown(() => feeder.close());
  const peers = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const n = establish(e, peers);
  for (const [i, a] of peers.entries()) e.update(a, announce(a, Array.from({ length: 20 }, (_, k) => `172.${16 + i}.${k}.0/24`)));
  sockets.full.add('10.0.0.3');
  feeder.schedule();
  await rounds(100);
  t.equal(sockets.prefixes('10.0.0.1', n.get('10.0.0.1')!).prefixes.length, 40, 'the whole backlog, over many rounds, without waiting for the interval');
  t.ok(sockets.prefixes('10.0.0.1', n.get('10.0.0.1')!).eor);
  t.ok(core.pending('10.0.0.3') > 0, 'the full socket is parked');
  sockets.full.clear();
  feeder.drained({ address: '10.0.0.3' } as Peer);
  await rounds(100);
  t.equal(sockets.prefixes('10.0.0.3', n.get('10.0.0.3')!).prefixes.length, 40, 'served at once once drained');
});

t.test('Feeder: a round serves at most roundPeers peers, the rest in the next rounds', async (t) => {
  const { e, engine: core } = engine();
  const sockets = new Sockets();
  const feeder = new Feeder(sockets as unknown as Speaker, core, { roundPeers: 1 });
  t.teardown(() => feeder.close());
  const peers = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const n = establish(e, peers);
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.0.0/24']));
  feeder.schedule();
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(sockets.sent.size, 1, 'one peer in the first round');
  await rounds(10);
  t.equal(sockets.sent.size, 3, 'the others in the next rounds');
  for (const a of ['10.0.0.2', '10.0.0.3']) t.same(sockets.prefixes(a, n.get(a)!), { prefixes: ['172.16.0.0/24'], eor: true });
});
