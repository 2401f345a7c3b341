#!/usr/bin/env node
/**
 * Benchmark: a Calico datastore of 5,000 Nodes, 5,000 IPAM blocks with their host
 * affinities and 100 BGPPeers in a real etcd (started here on loopback, removed at
 * exit). Prints:
 *   1. list + parse + derive the peer set from a cold start (target < 2 s);
 *   2. one change folded and the peer set re-derived (target < 5 ms), pure;
 *   3. one change end to end: written to etcd, watched, folded, re-derived.
 * Figures only, no assertions. Build first: npx tsc -b packages/etcd-store
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import { applyEvents, CalicoWatcher, deriveConfig, resourceKey, blockKey, affinityKey } from '../dist/index.js';
import { acquireHeavySlot, releaseHeavySlot } from '../../../bench/lib/slot.mjs';

const NODES = 5000;
const BLOCKS = 5000;
const PEERS = 100;
const REPLICA = [{ address: '10.255.0.1' }];

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function startEtcd() {
  const dir = mkdtempSync(join(tmpdir(), 'bgp-rr-bench-etcd-'));
  const [cport, pport] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${cport}`;
  const child = spawn('etcd', ['--data-dir', dir, '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', `http://127.0.0.1:${pport}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${pport}`,
    '--initial-cluster', `default=http://127.0.0.1:${pport}`, '--logger', 'zap', '--log-outputs', 'stderr',
    '--quota-backend-bytes', String(4 * 1024 ** 3)], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const cleanup = () => {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stderr.on('data', (b) => { out += b; if (out.includes('serving client traffic')) resolve(); });
    child.once('exit', (code) => reject(new Error(`etcd exited (${code}): ${out.slice(-2000)}`)));
  });
  return { url, cleanup };
}

const v3 = (kind, name, spec, labels) => JSON.stringify({ kind, apiVersion: 'projectcalico.org/v3', metadata: { name, uid: 'x', creationTimestamp: '2026-01-01T00:00:00Z', ...(labels ? { labels } : {}) }, spec });
const ip = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const nodeName = (i) => `node-${String(i).padStart(5, '0')}`;
const node = (i, asNumber) => v3('Node', nodeName(i), { bgp: { ipv4Address: `${ip(i + 256)}/16`, ipv4IPIPTunnelAddr: '172.16.0.1', ...(asNumber ? { asNumber } : {}) }, orchRefs: [{ nodeName: nodeName(i), orchestrator: 'k8s' }] },
  { 'kubernetes.io/hostname': nodeName(i), rack: `r${i % 50}`, zone: `z${i % 3}`, 'node-role.kubernetes.io/worker': '' });

function* seed() {
  yield [resourceKey('bgpconfigurations', 'default'), v3('BGPConfiguration', 'default', { asNumber: 64512, nodeToNodeMeshEnabled: false })];
  yield [resourceKey('ippools', 'default-ipv4-ippool'), v3('IPPool', 'default-ipv4-ippool', { cidr: '172.16.0.0/12', blockSize: 26, ipipMode: 'Always', natOutgoing: true, nodeSelector: 'all()' })];
  for (let i = 0; i < NODES; i++) yield [resourceKey('nodes', nodeName(i)), node(i)];
  for (let p = 0; p < PEERS; p++) {
    const mine = p < 3;
    const spec = mine ? { peerIP: '10.255.0.1', asNumber: 64512, ...(p === 0 ? {} : { nodeSelector: `rack in {'r${p}', 'r${p + 10}'} && zone != 'z9'` }), maxRestartTime: '120s' }
      : { peerIP: `10.254.${p >> 8}.${p & 255}`, asNumber: 65000 + p, nodeSelector: `rack == 'r${p % 50}'` };
    yield [resourceKey('bgppeers', `peer-${p}`), v3('BGPPeer', `peer-${p}`, spec)];
  }
  for (let b = 0; b < BLOCKS; b++) {
    const base = 0xac100000 + b * 64; // 172.16.0.0 + b * /26
    const cidr = `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/26`;
    const owner = nodeName(b % NODES);
    const allocations = Array.from({ length: 64 }, (_, i) => (i < 10 ? i : null));
    const attributes = Array.from({ length: 10 }, (_, i) => ({ handle_id: `k8s-pod-network.${b}-${i}`, secondary: { namespace: 'default', node: owner, pod: `pod-${b}-${i}` } }));
    yield [blockKey(cidr), JSON.stringify({ cidr, affinity: `host:${owner}`, allocations, unallocated: Array.from({ length: 54 }, (_, i) => i + 10), attributes, sequenceNumber: 10, deleted: false })];
    yield [affinityKey(owner, cidr), JSON.stringify({ state: 'confirmed', deleted: false })];
  }
}

async function main() {
  const { url } = await startEtcd();
  const client = new Etcd3({ hosts: [url] });
  let batch = [];
  let total = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await client.kv.txn({ success: batch.map(([key, value]) => ({ request_put: { key: Buffer.from(key), value: Buffer.from(value) } })) });
    total += batch.length;
    batch = [];
  };
  for (const kv of seed()) {
    batch.push(kv);
    if (batch.length === 100) await flush();
  }
  await flush();
  console.log(`seeded ${total} keys (${NODES} Nodes, ${BLOCKS} blocks + ${BLOCKS} affinities, ${PEERS} BGPPeers) into etcd at ${url}`);

  // The measurements run alone machine-wide (the heavy slot of test/harness/slots.ts).
  const waited = await acquireHeavySlot((holder) => console.log(`waiting for the heavy slot (held by ${holder ?? '?'})`));
  if (waited > 1000) console.log(`got the heavy slot after ${(waited / 1000).toFixed(0)} s`);

  // 1. Cold start: list, parse, fold, derive.
  const t0 = performance.now();
  const watcher = new CalicoWatcher({ endpoints: [url] });
  const updates = [];
  let onUpdate = () => {};
  watcher.start((u) => { updates.push(u); onUpdate(u); });
  const snapshot = await watcher.ready();
  const config = deriveConfig(snapshot, REPLICA);
  const coldMs = performance.now() - t0;
  console.log(`list + parse + derive peer set: ${coldMs.toFixed(0)} ms (target < 2000 ms); ${config.peers.length} peers, ${config.blockOwners.size} block owners, ${config.issues.length} issues`);

  // 2. One change, pure: fold the event and re-derive (previous parts reused).
  if (typeof globalThis.gc === 'function') globalThis.gc();
  const samples = [];
  let s = snapshot;
  let c = config;
  for (let k = 0; k < 300; k++) {
    const i = k % NODES;
    const ev = { type: 'put', key: resourceKey('nodes', nodeName(i)), value: node(i, 65000 + (k % 2)), modRevision: snapshot.revision + 1 + k };
    const a = performance.now();
    const { snapshot: s2, diff } = applyEvents(s, [ev]);
    const c2 = deriveConfig(s2, REPLICA, { snapshot: s, config: c, diff });
    samples.push(performance.now() - a);
    s = s2;
    c = c2;
  }
  samples.sort((x, y) => x - y);
  const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))].toFixed(2);
  console.log(`one change (Node updated) folded + peer set re-derived: median ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms (target < 5 ms)`);

  // 3. One change end to end through etcd.
  await new Promise((r) => setTimeout(r, 200));
  const e2e = [];
  let prev = { snapshot: watcher.current(), config: deriveConfig(watcher.current(), REPLICA) };
  for (let k = 0; k < 20; k++) {
    const i = 100 + k;
    const done = new Promise((resolve) => { onUpdate = (u) => { if (u.type === 'diff' && u.diff.nodes.changed.some((x) => x.name === nodeName(i))) resolve(u); }; });
    const a = performance.now();
    await client.put(resourceKey('nodes', nodeName(i))).value(node(i, 65100));
    const u = await done;
    // As the daemon does: the previous result and the diff, so only the changed Node is re-derived.
    prev = { snapshot: u.snapshot, config: deriveConfig(u.snapshot, REPLICA, { ...prev, diff: u.diff }) };
    e2e.push(performance.now() - a);
  }
  e2e.sort((x, y) => x - y);
  console.log(`one change end to end (etcd put -> watch -> fold -> derive): median ${e2e[10].toFixed(1)} ms, max ${e2e[19].toFixed(1)} ms`);
  await watcher.close();
  client.close();
  releaseHeavySlot();
}

main().then(() => process.exit(0), (err) => { console.error(err); releaseHeavySlot(); process.exit(1); });
