#!/usr/bin/env node
// Codec benchmark: decode and encode rates of the UPDATEs a Calico route reflector carries
// (one /24 or /32, ORIGIN IGP, empty AS_PATH, NEXT_HOP, LOCAL_PREF, ORIGINATOR_ID,
// CLUSTER_LIST, ADD-PATH path id), on one core. Figures, never assertions.
//   npx tsc -b packages/bgp-speaker && node packages/bgp-speaker/bench/codec.mjs [--json] [--seconds S]
// With --json the last line is {"decodePerSec":N,"encodePerSec":N}.
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_CODEC_CONTEXT, IPV4_UNICAST, MessageType, decodeMessage, encodeMessage, encodeAttributes,
  familyKey, ipv4Prefix, packUpdates,
} from '../dist/wire/index.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const si = args.indexOf('--seconds');
const seconds = si >= 0 ? Number(args[si + 1]) : 1;
const ROUNDS = 5;

const v4 = familyKey(1, 1);
const ctxAddPath = { ...DEFAULT_CODEC_CONTEXT, fourOctetAs: true, addPathSend: new Set([v4]), addPathReceive: new Set([v4]) };
const ctxPlain = { ...DEFAULT_CODEC_CONTEXT, fourOctetAs: true };

/** 4096 distinct UPDATEs: node i announces its /24 block (every 8th a borrowed /32). */
function corpus(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const node = (0x0a000000 + i + 1) >>> 0; // 10.0.x.y
    const len = i % 8 === 7 ? 32 : 24;
    const addr = len === 24 ? (0xac100000 + (i << 8)) >>> 0 : (0xac100000 + (i << 8) + 5) >>> 0;
    out.push({
      type: MessageType.UPDATE,
      withdrawn: [],
      attributes: { origin: 0, asPath: [], nextHop: node, localPref: 100, originatorId: node, clusterList: [0xf4000001] },
      nlri: [{ prefix: ipv4Prefix(addr, len), pathId: (i % 3) + 1 }],
    });
  }
  return out;
}

function rate(fn, items) {
  // One round: as many passes over `items` as fit in `seconds`; returns operations per second.
  let ops = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < seconds * 1000) {
    fn(items);
    ops += items.length;
    t = performance.now();
  }
  return (ops * 1000) / (t - t0);
}

function best(fn, items) {
  fn(items); // warm up
  let b = 0;
  for (let r = 0; r < ROUNDS; r++) b = Math.max(b, rate(fn, items));
  return b;
}

let sink = 0;
function run(label, ctx) {
  const updates = corpus(4096);
  const frames = updates.map((u) => encodeMessage(u, ctx));
  const decode = (fs) => {
    for (let i = 0; i < fs.length; i++) sink += decodeMessage(fs[i], ctx).message.nlri.length;
  };
  const encode = (us) => {
    for (let i = 0; i < us.length; i++) sink += encodeMessage(us[i], ctx).length;
  };
  // Update-group path: attributes encoded once per group (here: per node), one packed UPDATE per prefix.
  const shared = updates.map((u) => ({ attrs: encodeAttributes(u.attributes, ctx), nlri: u.nlri }));
  const pack = (ss) => {
    for (let i = 0; i < ss.length; i++) sink += packUpdates(IPV4_UNICAST, ss[i].attrs, ss[i].nlri, ctx).length;
  };
  const d = best(decode, frames);
  const e = best(encode, updates);
  const p = best(pack, shared);
  const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(11);
  {
    console.log(`${label}: ${frames[0].length}-byte UPDATEs, best of ${ROUNDS} x ${seconds}s`);
    console.log(`  decodeMessage            ${fmt(d)} /s`);
    console.log(`  encodeMessage            ${fmt(e)} /s`);
    console.log(`  packUpdates (shared attr) ${fmt(p)} /s`);
  }
  return { d, e, p };
}

const order = process.env.BENCH_PLAIN_FIRST ? [ctxPlain, ctxAddPath] : [ctxAddPath, ctxPlain];
const r1 = run(order[0] === ctxAddPath ? 'ADD-PATH (Calico: add paths on)' : 'no ADD-PATH', order[0]);
const r2 = run(order[1] === ctxAddPath ? 'ADD-PATH (Calico: add paths on)' : 'no ADD-PATH', order[1]);
const withPathId = order[0] === ctxAddPath ? r1 : r2;
const plain = order[0] === ctxAddPath ? r2 : r1;
if (sink === 0) console.log('');
if (json) {
  const decodePerSec = Math.round(Math.min(withPathId.d, plain.d));
  const encodePerSec = Math.round(Math.min(withPathId.e, plain.e));
  console.log(JSON.stringify({ decodePerSec, encodePerSec }));
}
