/**
 * GoBGP for tests: gobgpd with a generated TOML config in a temp dir, its gRPC API on a
 * unix socket there (no TCP port to collide on), killed on teardown; the `gobgp` CLI
 * (JSON output) for state, routes and route injection.
 *
 * GoBGP treats a NEXT_HOP in 127.0.0.0/8 as invalid (treat-as-withdraw): routes sent to
 * it need a next hop outside loopback even when the session runs on loopback.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Teardown } from './cleanup.js';
import { run, spawnProc, tmpDir, waitFor, type Proc } from './proc.js';
import { requireTool } from './tools.js';

export type GobgpFamily = 'ipv4-unicast' | 'ipv6-unicast';

export interface GobgpNeighbor {
  readonly address: string;
  readonly as: number;
  /** Port to dial (default 179). */
  readonly port?: number;
  readonly passive?: boolean;
  readonly holdTime?: number;
  readonly families?: readonly GobgpFamily[];
  /** ADD-PATH receive and send (send-max 8) for every family. */
  readonly addPaths?: boolean;
  readonly gracefulRestart?: boolean;
}

export interface GobgpConfig {
  readonly as: number;
  readonly routerId: string;
  readonly localAddress: string;
  /** Listen port (default 179). */
  readonly port?: number;
  readonly neighbors: readonly GobgpNeighbor[];
}

/** One path of `gobgp global rib -j` / `neighbor X adj-in -j`. */
export interface GobgpPath {
  readonly prefix: string;
  readonly nextHop: string | undefined;
  readonly pathId: number | undefined;
  readonly best: boolean;
  readonly attrs: readonly Record<string, unknown>[];
}

export interface Gobgp {
  readonly proc: Proc;
  readonly dir: string;
  /** Runs `gobgp <args>` against this daemon; resolves with stdout. */
  cli(args: readonly string[]): Promise<string>;
  /** BGP FSM state of a neighbor: 'established', 'active', 'idle', ... */
  neighborState(address: string): Promise<string>;
  waitEstablished(address: string, timeoutMs?: number): Promise<void>;
  /** Loc-RIB paths of a family. */
  rib(family: GobgpFamily): Promise<GobgpPath[]>;
  addRoute(family: GobgpFamily, prefix: string, nextHop: string): Promise<void>;
  deleteRoute(family: GobgpFamily, prefix: string): Promise<void>;
  freeze(): void;
  thaw(): void;
}

/** apipb session_state numbers. */
const SESSION_STATE = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];

export function gobgpConfigText(c: GobgpConfig): string {
  const out = [
    '[global.config]',
    `  as = ${c.as}`,
    `  router-id = "${c.routerId}"`,
    `  port = ${c.port ?? 179}`,
    `  local-address-list = ["${c.localAddress}"]`,
  ];
  for (const n of c.neighbors) {
    out.push(
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${n.address}"`,
      `    peer-as = ${n.as}`,
      '  [neighbors.transport.config]',
      `    local-address = "${c.localAddress}"`,
      `    passive-mode = ${n.passive ? 'true' : 'false'}`,
      `    remote-port = ${n.port ?? 179}`,
      '  [neighbors.timers.config]',
      `    hold-time = ${n.holdTime ?? 90}`,
      `    keepalive-interval = ${Math.max(1, Math.floor((n.holdTime ?? 90) / 3))}`,
      '    connect-retry = 2',
    );
    if (n.gracefulRestart) out.push('  [neighbors.graceful-restart.config]', '    enabled = true', '    restart-time = 120');
    for (const f of n.families ?? ['ipv4-unicast']) {
      out.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${f}"`);
      if (n.addPaths) out.push('    [neighbors.afi-safis.add-paths.config]', '      receive = true', '      send-max = 8');
      if (n.gracefulRestart) out.push('    [neighbors.afi-safis.mp-graceful-restart.config]', '      enabled = true');
    }
  }
  return `${out.join('\n')}\n`;
}

interface RawPath {
  nlri?: { prefix?: string };
  best?: boolean;
  identifier?: number;
  'local-identifier'?: number;
  attrs?: Record<string, unknown>[];
}

export function parseGobgpRib(json: string): GobgpPath[] {
  const trimmed = json.trim();
  if (trimmed === '' || trimmed === 'null') return [];
  const data = JSON.parse(trimmed) as Record<string, RawPath[]>;
  const out: GobgpPath[] = [];
  for (const [prefix, paths] of Object.entries(data)) {
    for (const p of paths ?? []) {
      const attrs = p.attrs ?? [];
      const nh = attrs.find((a) => a.type === 3 || a.type === 14);
      const nextHop = (nh?.nexthop as string | undefined) ?? (nh?.nexthops as string[] | undefined)?.[0];
      out.push({ prefix, nextHop, pathId: p.identifier, best: p.best ?? false, attrs });
    }
  }
  return out;
}

export async function startGobgp(t: Teardown, config: GobgpConfig): Promise<Gobgp> {
  const dir = tmpDir(t, 'gobgp-');
  const conf = join(dir, 'gobgpd.toml');
  const sock = join(dir, 'api.sock');
  writeFileSync(conf, gobgpConfigText(config));
  const proc = spawnProc(t, requireTool('gobgpd'), ['-f', conf, '-t', 'toml', '--api-hosts', `unix://${sock}`, '-p', '--pprof-disable'], { name: 'gobgpd' });
  const client = requireTool('gobgp');
  const cli = async (args: readonly string[]): Promise<string> => {
    const r = await run(client, ['--target', `unix://${sock}`, ...args], { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`gobgp ${args.join(' ')}: exit ${r.code}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const neighborState = async (address: string): Promise<string> => {
    const n = JSON.parse(await cli(['neighbor', address, '-j'])) as { state?: { session_state?: number } };
    return SESSION_STATE[n.state?.session_state ?? 0] ?? 'unknown';
  };
  const up = waitFor(async () => (await cli(['global', '-j'])).includes('"asn"'), { what: `gobgpd API on ${sock}`, timeoutMs: 15_000 });
  const died = proc.exited.then((e) => {
    throw new Error(`gobgpd exited (${e.code ?? e.signal}): ${proc.output}`);
  });
  await Promise.race([up, died]);
  died.catch(() => {});
  const afi = (f: GobgpFamily): string => (f === 'ipv4-unicast' ? 'ipv4' : 'ipv6');
  return {
    proc,
    dir,
    cli,
    neighborState,
    async waitEstablished(address, timeoutMs = 30_000) {
      await waitFor(async () => (await neighborState(address)) === 'established', { what: `gobgpd neighbor ${address} established`, timeoutMs });
    },
    async rib(family) {
      return parseGobgpRib(await cli(['global', 'rib', '-a', afi(family), '-j']));
    },
    async addRoute(family, prefix, nextHop) {
      await cli(['global', 'rib', 'add', '-a', afi(family), prefix, 'nexthop', nextHop]);
    },
    async deleteRoute(family, prefix) {
      await cli(['global', 'rib', 'del', '-a', afi(family), prefix]);
    },
    freeze: () => proc.signal('SIGSTOP'),
    thaw: () => proc.signal('SIGCONT'),
  };
}
