/**
 * Fuzzing a running `bgp-rr run` over TCP: a raw peer from node n3's address
 * reaches Established, waits for the replica's table (End-of-RIB), sends one random or
 * mutated message (packages/bgp-speaker/fuzz/generate.mjs) and a ROUTE-REFRESH probe,
 * and checks the replica's answer against the oracle (fuzz/oracle.mjs):
 *   'sent C/S'  the NOTIFICATION RFC 4271 §6 / RFC 7606 / RFC 6608 name for the case;
 *   'alive'     the session survives (the probe is answered with the table again);
 *   'closed'    the case was a NOTIFICATION: the replica closes without answering.
 * Meanwhile BIRD node n2 stays Established and keeps its routes; the replica's memory
 * is printed. BGP_RR_FUZZ_DAEMON_CASES (default 300) sets the number of cases.
 */
import t from 'tap';
import { connect, type Socket } from 'node:net';
import * as codec from '../../packages/bgp-speaker/src/index.js';
import { generator } from '../../packages/bgp-speaker/fuzz/generate.mjs';
import { liveExpected, liveFrame } from '../../packages/bgp-speaker/fuzz/oracle.mjs';
import { AS, startReflectorCluster } from '../harness/reflector-cluster.js';

const CASES = Number(process.env.BGP_RR_FUZZ_DAEMON_CASES ?? 300);
const SEED = 5_2026;
/** How the replica decodes what we send: 4-octet AS both ways, no ADD-PATH, 4096-octet messages. */
const CTX: codec.CodecContext = { fourOctetAs: true, extendedMessage: false, addPathReceive: new Set(), addPathSend: new Set() };
const PROBE = codec.encodeRouteRefresh({ type: 5, afi: 1, subtype: 0, safi: 1 });

interface Conn {
  readonly sock: Socket;
  /** Resolves on the first of: an UPDATE after `arm()`, a NOTIFICATION, the close. */
  outcome(): Promise<string>;
  /** End-of-RIB received (the replica's table is in). */
  eor: Promise<void>;
  arm(): void;
}

function session(local: string, host: string): Conn {
  const sock = connect({ host, port: 179, localAddress: local });
  sock.on('error', () => undefined);
  const framer = new codec.Framer(4096);
  let armed = false;
  let resolveOutcome!: (o: string) => void;
  const out = new Promise<string>((r) => (resolveOutcome = r));
  let resolveEor!: () => void;
  const eor = new Promise<void>((r) => (resolveEor = r));
  let keepalives = 0;
  sock.on('data', (d: Buffer) => {
    framer.push(d);
    try {
      for (let m = framer.next(); m !== null; m = framer.next()) {
        const type = m[18];
        if (type === 4 && ++keepalives === 1) sock.write(codec.KEEPALIVE_BYTES);
        if (type === 3) resolveOutcome(`sent ${m[19]}/${m[20]}`);
        if (type === 2 && m.length === 23) resolveEor();
        if (type === 2 && armed) resolveOutcome('alive');
      }
    } catch (err) {
      resolveOutcome(`undecodable answer: ${String(err)}`);
    }
  });
  sock.on('close', () => resolveOutcome('closed'));
  sock.once('connect', () => sock.write(codec.encodeOpen(codec.buildOpen({ localAs: AS, routerId: codec.parseIpv4(local), holdTime: 240, families: [codec.IPV4_UNICAST], addPath: [] }))));
  return { sock, outcome: () => out, eor, arm: () => (armed = true) };
}

t.test(`${CASES} random and mutated messages to a running bgp-rr over TCP`, async (t) => {
  const c = await startReflectorCluster(t, { nodes: [2, 3] });
  // A 4096-octet UPDATE carries at most ~4,000 NLRI: above that limit the max-prefix Cease
  // (tested in bad-peers.test.ts) never preempts the oracle's answer.
  const rr = c.startReflector(['--hold-time', '240', '--max-prefixes', '5000']);
  await c.reflectorReady();
  await c.startNode(2);
  const [n2] = (await c.waitEstablished(['n2'])).filter((r) => r.node === 'n2');
  const rss0 = c.rssKb();
  const gen = generator(codec, SEED, [{ name: 'daemon', ctx: CTX }]);
  const outcomes: Record<string, number> = {};
  const violations: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const fc = gen.nextFor(0);
    const frame = liveFrame(codec, fc.frame, CTX);
    const want = liveExpected(codec, frame, CTX);
    // The replica may not have seen the previous connection close yet: retry the set-up briefly.
    let s = session(c.block.addr(3), c.rrAddress);
    let ready = '';
    for (let attempt = 0; attempt < 40; attempt++) {
      ready = await Promise.race([s.eor.then(() => 'eor'), s.outcome(), new Promise<string>((r) => setTimeout(() => r('no table within 20 s'), 20_000))]);
      if (ready === 'eor' || !rr.running) break;
      s.sock.destroy();
      await new Promise((r) => setTimeout(r, 50));
      s = session(c.block.addr(3), c.rrAddress);
    }
    if (ready !== 'eor') {
      violations.push(`case ${i}: session set-up: ${ready}`);
      s.sock.destroy();
      break;
    }
    s.arm();
    s.sock.write(frame);
    s.sock.write(PROBE);
    const got = await Promise.race([s.outcome(), new Promise<string>((r) => setTimeout(() => r('hang'), 20_000))]);
    outcomes[got] = (outcomes[got] ?? 0) + 1;
    if (got !== want && violations.length < 10) violations.push(`case ${i} (${fc.kind}): want ${want}, got ${got}: ${Buffer.from(frame).toString('hex').slice(0, 400)}`);
    s.sock.destroy();
  }
  t.same(violations, [], `every case got the answer the oracle expects: ${JSON.stringify(outcomes)}`);
  t.ok(rr.running, 'the replica is still running');
  const after = (await c.peers()).find((p) => p.node === 'n2');
  t.same([after?.state, after?.since], ['Established', n2?.since], 'the bystander n2 stayed Established throughout');
  await c.waitRoutes('n2', []);
  t.pass('and holds nothing from the fuzzing peer (every case was withdrawn with its session)');
  t.comment(`replica RSS ${Math.round(rss0 / 1024)} MB before, ${Math.round(c.rssKb() / 1024)} MB after ${CASES} cases`);
});
