// The decoder fuzz loop, run in a worker thread so the parent can stop it when one
// case takes longer than the deadline (a hang) and still print that case.
// Shared memory: [0] cases done, [1] frame length, [2] case context; bytes of the
// current frame after a 16-octet header.
import { parentPort, workerData } from 'node:worker_threads';
import * as codec from '../dist/index.js';
import { generator } from './generate.mjs';
import { decodeOutcome, framerCheck } from './oracle.mjs';

const { seed, cases, shared, saveLimit } = workerData;
const state = new Int32Array(shared, 0, 4);
const bytes = new Uint8Array(shared, 16);
const gen = generator(codec, seed);
const outcomes = {};
const kinds = {};
const saved = new Map();
let violations = 0;
const hex = (b) => Buffer.from(b).toString('hex');

for (let i = 0; i < cases; i++) {
  const c = gen.next();
  const frame = c.frame;
  const n = Math.min(frame.length, bytes.length);
  bytes.set(frame.subarray(0, n));
  state[1] = n;
  state[2] = c.ctx;
  const ctx = gen.contexts[c.ctx].ctx;
  const d = decodeOutcome(codec, frame, ctx);
  let violation = d.violation;
  if (violation === null && (i & 7) === 0) {
    violation = framerCheck(codec, frame, ctx, [1 + Math.floor(gen.rnd() * 18), Math.floor(gen.rnd() * frame.length)]);
  }
  outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
  kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
  if (violation !== null) {
    violations++;
    if (violations <= 20) parentPort.postMessage({ type: 'violation', index: i, kind: c.kind, ctx: gen.contexts[c.ctx].name, outcome: d.outcome, violation, hex: hex(frame) });
  }
  const key = `${c.kind}|${d.outcome}`;
  if (saveLimit > 0 && !saved.has(key) && saved.size < saveLimit) saved.set(key, { kind: c.kind, ctx: gen.contexts[c.ctx].name, outcome: d.outcome, hex: hex(frame) });
  Atomics.store(state, 0, i + 1);
  if ((i + 1) % 20000 === 0) parentPort.postMessage({ type: 'progress', done: i + 1 });
}
parentPort.postMessage({ type: 'done', done: cases, outcomes, kinds, violations, saved: [...saved.values()] });
