// Live target of the fuzz harness: a Speaker (dist/) in this process, raw TCP clients.
// Addresses: 127.251-254.x.y (outside the test harness blocks 127.20-250), port 0.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as codec from '../dist/index.js';
import { generator } from './generate.mjs';
import { liveExpected, liveFrame } from './oracle.mjs';

const AS = 64512;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(cond, what, ms) {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

/** A raw client: OPEN, KEEPALIVE, then whatever the caller writes. Counts what it gets. */
async function client(local, host, port, open) {
  const sock = connect({ host, port, localAddress: local, noDelay: true });
  const framer = new codec.Framer(65535);
  const seen = { messages: 0, keepalives: 0, notifications: 0, closed: false };
  sock.on('error', () => {});
  sock.on('close', () => (seen.closed = true));
  sock.on('data', (d) => {
    framer.push(d);
    try {
      for (let m = framer.next(); m !== null; m = framer.next()) {
        seen.messages++;
        if (m[18] === 4) seen.keepalives++;
        if (m[18] === 3) seen.notifications++;
      }
    } catch {
      sock.destroy();
    }
  });
  await new Promise((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  sock.write(codec.encodeOpen(open));
  return { sock, seen };
}

export async function runLive({ seed, cases, deadlineMs, log, rssSampler }) {
  const rnd = Math.floor(Math.random() * 4);
  const net = `127.${251 + rnd}.${(seed >>> 8) & 255}`;
  const base = seed & 0x3f;
  const [US, FUZZ, BY, STRANGER] = [1, 2, 3, 4].map((i) => `${net}.${base * 4 + i}`);
  const speaker = new codec.Speaker();
  const unexpected = [];
  speaker.on('error', (e) => unexpected.push(`speaker error: ${e.message}`));
  await speaker.listen([{ address: US, port: 0 }]);
  const port = speaker.listening()[0].port;
  const ap = [{ afi: 1, safi: 1, send: true, receive: true }];
  const fuzzPeer = speaker.addPeer({ peerAddress: FUZZ, localAddress: US, localAs: AS, peerAs: AS, routerId: US, passive: true, idleHoldSeconds: 0, addPath: ap, extendedMessage: true });
  const byPeer = speaker.addPeer({ peerAddress: BY, localAddress: US, localAs: AS, peerAs: AS, routerId: US, passive: true, holdTime: 3 });
  const openOf = (id, hold, extra) => codec.buildOpen({ localAs: AS, routerId: id, holdTime: hold, families: [codec.IPV4_UNICAST], addPath: [], ...extra });
  let unknown = 0;
  speaker.on('unknownConnection', () => unknown++);
  let byDown = null;
  speaker.on('state', (p, from, to, reason) => {
    if (p === byPeer && from === 'Established') byDown ??= `${to}: ${reason}`;
  });

  // The bystander: Established first, keepalives every second for the whole run.
  const by = await client(BY, US, port, openOf(0x0a000003, 3, {}));
  await until(() => by.seen.messages >= 2, 'the bystander OPEN+KEEPALIVE', 10_000);
  by.sock.write(codec.KEEPALIVE_BYTES);
  await until(() => byPeer.state === 'Established', 'the bystander Established', 10_000);
  const keepalive = setInterval(() => by.sock.write(codec.KEEPALIVE_BYTES), 1000);

  const PROBE = codec.encodeRouteRefresh({ type: 5, afi: 1, subtype: 0, safi: 1 });
  const outcome = () =>
    new Promise((resolve) => {
      const done = (o) => {
        speaker.off('notification', onN);
        speaker.off('routeRefresh', onR);
        clearTimeout(timer);
        resolve(o);
      };
      const onN = (p, dir, n) => {
        if (p === fuzzPeer) done(dir === 'sent' ? `sent ${n.code}/${n.subcode}` : 'closed');
      };
      const onR = (p, f, subtype) => {
        if (p === fuzzPeer && f.afi === 1 && f.safi === 1 && subtype === 'request') done('alive');
      };
      const timer = setTimeout(() => done('hang'), deadlineMs);
      speaker.on('notification', onN);
      speaker.on('routeRefresh', onR);
    });

  const rss = rssSampler();
  const t0 = performance.now();
  const outcomes = {};
  const violations = [];
  let gen = null;
  let result = 'done';
  let done = 0;
  try {
    for (let i = 0; i < cases; i++) {
      if (i % 100 === 99) {
        // An unknown address: refused at once, no state kept.
        const before = unknown;
        const s = connect({ host: US, port, localAddress: STRANGER });
        s.on('error', () => {});
        await until(() => unknown > before, 'the unknown connection refused', deadlineMs);
        s.destroy();
      }
      await until(() => fuzzPeer.state === 'Active', `fuzz peer back in Active (is ${fuzzPeer.state})`, deadlineMs);
      const c = await client(FUZZ, US, port, openOf(0x0a000002, 90, { addPath: ap, extendedMessage: true }));
      await until(() => c.seen.messages >= 2 || c.seen.closed, 'OPEN+KEEPALIVE from the speaker', deadlineMs);
      c.sock.write(codec.KEEPALIVE_BYTES);
      await until(() => fuzzPeer.state === 'Established', 'Established', deadlineMs);
      const ctx = fuzzPeer.negotiated.codec;
      gen ??= generator(codec, seed, [{ name: 'live', ctx }]);
      const fc = gen.nextFor(0);
      const frame = liveFrame(codec, fc.frame, ctx);
      const want = liveExpected(codec, frame, ctx);
      const got = outcome();
      c.sock.write(frame);
      c.sock.write(PROBE);
      const o = await got;
      outcomes[o] = (outcomes[o] ?? 0) + 1;
      if (o !== want) violations.push({ index: i, kind: fc.kind, want, got: o, hex: Buffer.from(frame).toString('hex') });
      c.sock.destroy();
      done = i + 1;
      if (o === 'hang') {
        result = 'hang';
        break;
      }
      rss.sample(done / cases);
      if (done % 500 === 0) log(`  ${done} cases, ${Math.round(done / ((performance.now() - t0) / 1000))}/s, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
    }
  } catch (e) {
    result = 'stuck';
    violations.push({ index: done, violation: String(e?.message ?? e) });
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(keepalive);
  if (byDown !== null) violations.push({ violation: `the bystander session went down: ${byDown}` });
  if (by.seen.notifications > 0 || by.seen.closed) violations.push({ violation: 'the bystander got a NOTIFICATION or was closed' });
  for (const u of unexpected) violations.push({ violation: u });
  const extra = { bystanderKeepalivesReceived: by.seen.keepalives, unknownRefused: unknown };
  if (seconds > 5 && by.seen.keepalives === 0) violations.push({ violation: 'the bystander received no KEEPALIVE (speaker starved?)' });
  by.sock.destroy();
  await speaker.stop();
  return {
    target: 'live', seed, cases: done, seconds: Number(seconds.toFixed(2)), casesPerSec: Math.round(done / seconds), result,
    violations: violations.length, hang: null, ...rss.result(), outcomes, firstViolations: violations.slice(0, 5), extra,
  };
}
