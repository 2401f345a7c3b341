// The layer rules of .dependency-cruiser.mjs (docs/DEVELOPING.md "Conventions"),
// checked the way `npm run lint:layers` checks them: by running dependency-cruiser's
// CLI with that config.
//
// 1. Every rule can fail: a fixture tree with the repository's layout, written to a
//    temporary directory, holds one violation per case (and the allowed look-alikes
//    next to them); the cruise must report exactly the expected violations.
// 2. The real packages/*/src break none of the rules. This is the check CI runs,
//    since `npm test` runs every *.test.ts.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.mjs');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const TARGETS = ['packages/bgp-speaker/src', 'packages/etcd-store/src', 'packages/reflector/src'];

interface Violation {
  rule: { name: string; severity: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}
interface CruiseResult {
  modules: { source: string; dependencies: { module: string; resolved: string }[] }[];
  summary: { violations: Violation[]; totalCruised: number; error: number };
}

/** Runs the dependency-cruiser CLI in `cwd` with the project's config, as lint does. */
function cruise(cwd: string, extra: string[] = []): CruiseResult {
  const res = spawnSync(
    process.execPath,
    [DEPCRUISE, '--config', CONFIG, '--output-type', 'json', ...extra, ...TARGETS],
    { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (res.error) throw res.error;
  if (!res.stdout.trim().startsWith('{')) {
    throw new Error(`depcruise exited ${res.status} without a result:\n${res.stderr}${res.stdout}`);
  }
  return JSON.parse(res.stdout) as CruiseResult;
}

/** One line per violation, the way a reader wants it in a failure diff. */
const describe = (v: Violation): string => `${v.rule.name}: ${v.from} → ${v.to}`;
const errors = (r: CruiseResult): string[] =>
  r.summary.violations.filter((v) => v.rule.severity === 'error').map(describe).sort();

const pkg = (name: string): string =>
  JSON.stringify({ name, version: '0.0.0', type: 'module', exports: { '.': { 'bgp-rr-source': './src/index.ts' } } });
const stub = (name: string): string => JSON.stringify({ name, version: '0.0.0', main: 'index.js' });

// The fixture tree: the repository's layout, the workspace links npm makes, and stub
// npm packages (so that resolution never walks up into a real node_modules).
const fixture: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'fixture', private: true, type: 'module' }),
  'packages/bgp-speaker/package.json': pkg('@bgp-rr/bgp-speaker'),
  'packages/etcd-store/package.json': pkg('@bgp-rr/etcd-store'),
  'packages/reflector/package.json': pkg('@bgp-rr/reflector'),
  'node_modules/etcd3/package.json': stub('etcd3'),
  'node_modules/etcd3/index.js': 'export class Etcd3 {}\n',
  'node_modules/pino/package.json': stub('pino'),
  'node_modules/pino/index.js': 'export default function pino() {}\n',
  'node_modules/ip-address/package.json': stub('ip-address'),
  'node_modules/ip-address/index.js': 'export class Address4 {}\n',

  // --- allowed: none of these may be reported ---
  'packages/bgp-speaker/src/index.ts': "export { encode } from './wire/codec.js';\n",
  'packages/bgp-speaker/src/wire/codec.ts':
    "import { Buffer } from 'node:buffer';\nimport { u8 } from './bytes.js';\n" +
    'export const encode = (n: number): Buffer => Buffer.from([u8(n)]);\n',
  'packages/bgp-speaker/src/wire/bytes.ts': 'export const u8 = (n: number): number => n & 0xff;\n',
  'packages/bgp-speaker/src/fsm/state.ts': "import { EventEmitter } from 'node:events';\nexport const bus = new EventEmitter();\n",
  'packages/bgp-speaker/src/rib/decision.ts':
    "import assert from 'node:assert/strict';\nimport type { Clock } from '../session/clock.js';\n" +
    'export const age = (c: Clock, t: number): number => { assert.ok(t >= 0); return c.now() - t; };\n',
  'packages/bgp-speaker/src/session/clock.ts':
    'export interface Clock { now(): number }\nexport const realClock: Clock = { now: () => Date.now() };\n',
  'packages/bgp-speaker/src/session/transport.ts': "import { Socket } from 'node:net';\nexport const sock = (): Socket => new Socket();\n",
  'packages/etcd-store/src/index.ts': 'export const x = 1;\n',
  'packages/etcd-store/src/watcher.ts': "import { Etcd3 } from 'etcd3';\nexport const client = new Etcd3();\n",
  'packages/etcd-store/src/resources/ip.ts': "import { Address4 } from 'ip-address';\nexport const any = new Address4();\n",
  'packages/reflector/src/index.ts': 'export const y = 1;\n',
  'packages/reflector/src/engine/engine.ts': "import { encode } from '@bgp-rr/bgp-speaker';\nexport const route = encode(1);\n",
  'packages/reflector/src/daemon/daemon.ts': "import { route } from '../engine/engine.js';\nexport const daemon = route;\n",
  'packages/reflector/src/control/server.ts': 'export type Server = { close(): void };\n',
  'packages/reflector/src/cli/main.ts': 'export const main = 1;\n',
  'packages/reflector/src/exporters/metrics.ts': 'export const metrics = 1;\n',
  'packages/reflector/src/config/settings.ts': 'export type Settings = { asn: number };\n',

  // --- no-cycle / no-type-only-cycle ---
  'packages/etcd-store/src/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = () => b;\n",
  'packages/etcd-store/src/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = () => a;\n",
  'packages/etcd-store/src/tcycle-c.ts': "import type { D } from './tcycle-d.js';\nexport const c = (d: D) => d;\n",
  'packages/etcd-store/src/tcycle-d.ts': "import { c } from './tcycle-c.js';\nexport type D = typeof c;\n",

  // --- pure-no-io-builtin: one forbidden built-in per pure area, every import form ---
  'packages/bgp-speaker/src/wire/io.ts': "import { Socket } from 'node:net';\nexport const s = Socket;\n",
  'packages/bgp-speaker/src/fsm/io.ts': "import { setTimeout as later } from 'node:timers';\nexport const l = later;\n",
  'packages/bgp-speaker/src/rib/io.ts': "export const read = () => import('node:fs/promises');\n",
  'packages/etcd-store/src/selector/io.ts': "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
  'packages/etcd-store/src/resources/io.ts': "import os from 'os';\nexport const h = os.hostname;\n",
  'packages/etcd-store/src/snapshot.ts': "import { createServer } from 'node:http';\nexport const s = createServer;\n",
  'packages/etcd-store/src/overlay-map.ts': "import { createSocket } from 'node:dgram';\nexport const s = createSocket;\n",
  'packages/etcd-store/src/keys.ts': "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID;\n",
  'packages/etcd-store/src/desired-peers.ts': "import { performance } from 'node:perf_hooks';\nexport const p = performance;\n",
  'packages/etcd-store/src/replica-addresses.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  'packages/reflector/src/engine/update-groups/io.ts': "import type { Socket } from 'node:net';\nexport type S = Socket;\n",
  'packages/reflector/src/engine/builtin.ts': "export const fs = process.getBuiltinModule('node:fs');\n",
  'packages/reflector/src/daemon/reconcile.ts': "import { debuglog } from 'node:util';\nexport const d = debuglog('x');\n",
  'packages/reflector/src/engine/timers.ts': "import { setTimeout as sleep } from 'node:timers/promises';\nexport const s = sleep;\n",
  'packages/reflector/src/daemon/peer-passwords.ts': "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
  'packages/reflector/src/control/natural-order.ts': "import { Worker } from 'node:worker_threads';\nexport const w = Worker;\n",
  'packages/reflector/src/cli/config-view.ts': "import { hostname } from 'node:os';\nexport const h = hostname;\n",

  // --- pure-no-io-package ---
  'packages/etcd-store/src/resources/etcd.ts': "import { Etcd3 } from 'etcd3';\nexport const e = Etcd3;\n",
  'packages/reflector/src/engine/log.ts': "import pino from 'pino';\nexport const log = pino;\n",

  // --- pure-imports-pure: a value from session/ (the type-only Clock above is fine) ---
  'packages/bgp-speaker/src/rib/clocked.ts': "import { realClock } from '../session/clock.js';\nexport const c = realClock;\n",

  // --- speaker-is-bgp-only / store-is-calico-only: by package name and by path ---
  'packages/bgp-speaker/src/session/store.ts': "import { x } from '@bgp-rr/etcd-store';\nexport const s = x;\n",
  'packages/bgp-speaker/src/cli/reach.ts': "import { y } from '../../../reflector/src/index.js';\nexport const r = y;\n",
  'packages/etcd-store/src/bgp.ts': "import { encode } from '@bgp-rr/bgp-speaker';\nexport const e = encode;\n",
  'packages/etcd-store/src/reflect.ts': "import type { route } from '../../reflector/src/engine/engine.js';\nexport type R = typeof route;\n",

  // --- reflector-no-etcd3 ---
  'packages/reflector/src/daemon/lease.ts': "import { Etcd3 } from 'etcd3';\nexport const e = Etcd3;\n",

  // --- engine-is-the-core (type-only imports count; a value import is also impure) ---
  'packages/reflector/src/engine/wiring.ts':
    "import { daemon } from '../daemon/daemon.js';\n" +
    "import type { Server } from '../control/server.js';\n" +
    "import type { main } from '../cli/main.js';\n" +
    "import type { metrics } from '../exporters/metrics.js';\n" +
    "import type { Settings } from '../config/settings.js';\n" +
    'export type W = [Server, typeof main, typeof metrics, Settings, typeof daemon];\n',

  // --- not-to-unresolvable ---
  'packages/reflector/src/control/typo.ts': "import { q } from './no-such-module.js';\nexport const z = q;\n",
};

const S = 'packages/bgp-speaker/src';
const E = 'packages/etcd-store/src';
const R = 'packages/reflector/src';
// A cycle is reported once, at its first module in path order.
const expected: [rule: string, from: string, to: string][] = [
  ['no-cycle', `${E}/cycle-a.ts`, `${E}/cycle-b.ts`],
  ['no-type-only-cycle', `${E}/tcycle-c.ts`, `${E}/tcycle-d.ts`],
  ['pure-no-io-builtin', `${S}/wire/io.ts`, 'net'],
  ['pure-no-io-builtin', `${S}/fsm/io.ts`, 'timers'],
  ['pure-no-io-builtin', `${S}/rib/io.ts`, 'fs/promises'],
  ['pure-no-io-builtin', `${E}/selector/io.ts`, 'child_process'],
  ['pure-no-io-builtin', `${E}/resources/io.ts`, 'os'],
  ['pure-no-io-builtin', `${E}/snapshot.ts`, 'http'],
  ['pure-no-io-builtin', `${E}/overlay-map.ts`, 'dgram'],
  ['pure-no-io-builtin', `${E}/keys.ts`, 'crypto'],
  ['pure-no-io-builtin', `${E}/desired-peers.ts`, 'perf_hooks'],
  ['pure-no-io-builtin', `${E}/replica-addresses.ts`, 'fs'],
  ['pure-no-io-builtin', `${R}/engine/update-groups/io.ts`, 'net'],
  ['pure-no-io-builtin', `${R}/engine/builtin.ts`, 'fs'],
  ['pure-no-io-builtin', `${R}/daemon/reconcile.ts`, 'util'],
  ['pure-no-io-builtin', `${R}/engine/timers.ts`, 'timers/promises'],
  ['pure-no-io-builtin', `${R}/daemon/peer-passwords.ts`, 'fs/promises'],
  ['pure-no-io-builtin', `${R}/control/natural-order.ts`, 'worker_threads'],
  ['pure-no-io-builtin', `${R}/cli/config-view.ts`, 'os'],
  ['pure-no-io-package', `${E}/resources/etcd.ts`, 'node_modules/etcd3/index.js'],
  ['pure-no-io-package', `${R}/engine/log.ts`, 'node_modules/pino/index.js'],
  ['pure-imports-pure', `${S}/rib/clocked.ts`, `${S}/session/clock.ts`],
  ['speaker-is-bgp-only', `${S}/session/store.ts`, `${E}/index.ts`],
  ['speaker-is-bgp-only', `${S}/cli/reach.ts`, `${R}/index.ts`],
  ['store-is-calico-only', `${E}/bgp.ts`, `${S}/index.ts`],
  ['store-is-calico-only', `${E}/reflect.ts`, `${R}/engine/engine.ts`],
  ['reflector-no-etcd3', `${R}/daemon/lease.ts`, 'node_modules/etcd3/index.js'],
  ['engine-is-the-core', `${R}/engine/wiring.ts`, `${R}/daemon/daemon.ts`],
  ['pure-imports-pure', `${R}/engine/wiring.ts`, `${R}/daemon/daemon.ts`],
  ['engine-is-the-core', `${R}/engine/wiring.ts`, `${R}/control/server.ts`],
  ['engine-is-the-core', `${R}/engine/wiring.ts`, `${R}/cli/main.ts`],
  ['engine-is-the-core', `${R}/engine/wiring.ts`, `${R}/exporters/metrics.ts`],
  ['engine-is-the-core', `${R}/engine/wiring.ts`, `${R}/config/settings.ts`],
  ['not-to-unresolvable', `${R}/control/typo.ts`, './no-such-module.js'],
];

t.test('every layer rule reports its violation in a fixture tree', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bgp-rr-layers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(fixture)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  // What npm does for the workspaces: node_modules/@bgp-rr/<name> -> packages/<name>.
  mkdirSync(join(dir, 'node_modules', '@bgp-rr'));
  for (const name of ['bgp-speaker', 'etcd-store', 'reflector']) {
    symlinkSync(join('..', '..', 'packages', name), join(dir, 'node_modules', '@bgp-rr', name));
  }

  const result = cruise(dir);
  const found = errors(result);

  // Resolution as under tap: NodeNext `.js` imports name `.ts` files, and @bgp-rr/*
  // reaches packages/*/src through the `bgp-rr-source` condition.
  const resolved = (from: string, specifier: string): string | undefined =>
    result.modules.find((m) => m.source === from)?.dependencies.find((d) => d.module === specifier)?.resolved;
  t.equal(resolved(`${S}/wire/codec.ts`, './bytes.js'), `${S}/wire/bytes.ts`);
  t.equal(resolved(`${R}/engine/engine.ts`, '@bgp-rr/bgp-speaker'), `${S}/index.ts`);

  for (const [rule, from, to] of expected) {
    t.ok(found.includes(`${rule}: ${from} → ${to}`), `${rule}: ${from} → ${to}`);
  }
  const want = new Set(expected.map(([rule, from, to]) => `${rule}: ${from} → ${to}`));
  t.same(
    found.filter((v) => !want.has(v)),
    [],
    'nothing else is reported (the allowed imports are allowed)',
  );
});

t.test('packages/*/src keeps the layer rules', async (t) => {
  const result = cruise(ROOT);
  t.ok(result.summary.totalCruised > 100, `cruised ${result.summary.totalCruised} modules`);
  t.same(errors(result), [], 'no layer violations (the rules: .dependency-cruiser.mjs, docs/DEVELOPING.md)');
});
