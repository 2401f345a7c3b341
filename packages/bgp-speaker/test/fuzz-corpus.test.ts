/**
 * Fuzz regressions: every case in fuzz/corpus/ (hex + expected outcome, found by
 * `npm run fuzz -- --save-corpus`) decodes to the same outcome, the Framer agrees with
 * itself at every split, and a short seeded run of the fuzz generator (20,000 cases)
 * keeps the decoder's contract: only WireError, with a NOTIFICATION a received message
 * may cause (RFC 4271 §6, RFC 7313), an RFC 7606 action on every UPDATE.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as codec from '../src/index.js';
import { contexts, generator } from '../fuzz/generate.mjs';
import { decodeOutcome, framerCheck, liveExpected } from '../fuzz/oracle.mjs';

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', 'fuzz', 'corpus');
const SEED = 20261125;
const CASES = Number(process.env.BGP_RR_FUZZ_CASES ?? 20_000);

interface CorpusCase {
  readonly name: string;
  readonly mutation: string;
  readonly context: string;
  readonly expect: string;
  readonly frame: Uint8Array;
}

function readCorpus(): CorpusCase[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(CORPUS, name), 'utf8');
      const field = (k: string): string => new RegExp(`^# ${k}: (.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
      const hex = text
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('')
        .replace(/\s+/g, '');
      return { name, mutation: field('mutation'), context: field('context'), expect: field('expect'), frame: Uint8Array.from(Buffer.from(hex, 'hex')) };
    });
}

t.test('corpus: each saved case decodes to its recorded outcome', async (t) => {
  const cases = readCorpus();
  t.ok(cases.length >= 50, `${cases.length} corpus cases`);
  const ctxs = new Map(contexts(codec).map((c) => [c.name, c.ctx]));
  const seen = new Set<string>();
  for (const c of cases) {
    const ctx = ctxs.get(c.context);
    if (ctx === undefined) {
      t.fail(`${c.name}: unknown context ${c.context}`);
      continue;
    }
    const d = decodeOutcome(codec, c.frame, ctx);
    t.equal(d.outcome, c.expect, `${c.name} (${c.mutation}, ${c.context})`);
    t.equal(d.violation, null, `${c.name}: decoder contract`);
    const cuts = Array.from({ length: Math.min(c.frame.length, 40) }, (_, i) => i + 1);
    for (const cut of cuts) {
      const v = framerCheck(codec, c.frame, ctx, [cut]);
      if (v !== null) t.fail(`${c.name}: ${v}`);
    }
    seen.add(c.expect);
  }
  for (const want of ['error 1/1', 'error 1/2', 'error 1/3', 'error 3/1', 'error 3/10', 'UPDATE treat-as-withdraw', 'UPDATE attribute-discard', 'UPDATE none']) {
    if (want === 'error 1/1') continue; // the marker is never mutated (bit flips start after it)
    t.ok(seen.has(want), `the corpus covers ${want}`);
  }
});

t.test('live oracle: what a session in Established must do (RFC 4271 §6, §8.2.2; RFC 6608)', async (t) => {
  const ctx = contexts(codec)[1]!.ctx;
  const hdr = (type: number, body: number[]): Uint8Array => {
    const len = 19 + body.length;
    return Uint8Array.from([...new Array<number>(16).fill(0xff), len >>> 8, len & 0xff, type, ...body]);
  };
  t.equal(liveExpected(codec, hdr(1, [4, 0xfc, 0, 0, 90, 10, 0, 0, 2, 0]), ctx), 'sent 5/3', 'OPEN in Established → FSM error 5/3');
  t.equal(liveExpected(codec, hdr(1, [4, 0, 1]), ctx), 'sent 1/2', 'an OPEN shorter than 29 octets: header error 1/2 first (RFC 4271 §6.1)');
  t.equal(liveExpected(codec, hdr(3, [6, 2]), ctx), 'closed', 'NOTIFICATION → close, no answer');
  t.equal(liveExpected(codec, hdr(4, []), ctx), 'alive', 'KEEPALIVE');
  t.equal(liveExpected(codec, hdr(9, []), ctx), 'sent 1/3', 'unknown type → 1/3');
  t.equal(liveExpected(codec, hdr(2, [0, 0, 0, 40]), ctx), 'sent 3/1', 'attribute length past the end → 3/1');
});

t.test(`seeded fuzz run: ${CASES} cases (seed ${SEED}) keep the decoder contract`, async (t) => {
  const gen = generator(codec, SEED);
  const outcomes: Record<string, number> = {};
  const bad: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const c = gen.next();
    const ctx = gen.contexts[c.ctx]!.ctx;
    const d = decodeOutcome(codec, c.frame, ctx);
    const v = d.violation ?? (i % 8 === 0 ? framerCheck(codec, c.frame, ctx, [1 + (i % 18), i % c.frame.length]) : null);
    if (v !== null && bad.length < 10) bad.push(`case ${i} (${c.kind}): ${v}: ${Buffer.from(c.frame).toString('hex')}`);
    outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
  }
  t.same(bad, [], 'no contract violation');
  t.ok(Object.keys(outcomes).length >= 12, `many different outcomes reached: ${JSON.stringify(outcomes)}`);
});

t.test('short live run: random and mutated messages over TCP to a running Speaker (fuzz/live.mjs on dist/)', async (t) => {
  const live = await import('../fuzz/live.mjs');
  const rssSampler = () => ({ sample: () => undefined, result: () => ({ rssStartMb: 0, rssWarmMb: 0, rssMaxMb: 0, growthMb: 0 }) });
  const r = await live.runLive({ seed: SEED, cases: Number(process.env.BGP_RR_FUZZ_LIVE_CASES ?? 300), deadlineMs: 10_000, log: () => undefined, rssSampler });
  t.equal(r.result, 'done', `${r.cases} live cases: ${JSON.stringify(r.outcomes)}`);
  t.same(r.firstViolations, [], 'each case got the NOTIFICATION (or RFC 7606 handling) the oracle expects; the bystander session never dropped');
  t.ok(r.extra.unknownRefused >= 1, 'connections from an unknown address were refused');
});
