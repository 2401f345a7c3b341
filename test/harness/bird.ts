/**
 * BIRD for tests: BIRD 1.6 (`bird` for IPv4, `bird6` for IPv6, as calico/node runs them)
 * and BIRD 2 (unpacked in .cache/bird2). Generates a config in a temp dir, starts the
 * daemon in the foreground in its own process group (killed on teardown), waits for its
 * control socket, and reads state and routes through birdc.
 *
 * Configs listen only on the given local address (BIRD 1.6 `listen bgp address`, BIRD 2
 * `strict bind`), so tests on different 127.N blocks never collide. Announced routes are
 * static blackholes, exported with `export where source = RTS_STATIC`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBirdProtocols } from './bird-protocols.js';
import { birdPathList, parseBirdRoutes, type BirdPath } from './bird-routes.js';
import type { Teardown } from './cleanup.js';
import type { Netns } from './netns.js';
import { run, spawnProc, tmpDir, waitFor, type Proc } from './proc.js';
import { requireTool } from './tools.js';

/** '1.6' runs `bird` (IPv4), '1.6-v6' runs `bird6`, '2' runs BIRD 2 (both families). */
export type BirdVersion = '1.6' | '1.6-v6' | '2';

export interface BirdNeighbor {
  /** Protocol name, e.g. "peer1" (not a BIRD keyword such as "rr"). */
  readonly name: string;
  readonly address: string;
  readonly port?: number;
  readonly as: number;
  readonly passive?: boolean;
  /** Omitted: BIRD's default (240 s), as calico/node. */
  readonly holdTime?: number;
  /** `add paths on` (send and receive). */
  readonly addPaths?: boolean;
  /** `graceful restart` (on), optionally with a restart time. */
  readonly gracefulRestart?: boolean | number;
  /** Default true (calico/node: `multihop`). */
  readonly multihop?: boolean;
  /** BIRD 2 only: the channels (default: the neighbor address family). */
  readonly families?: readonly ('ipv4' | 'ipv6')[];
  /** BIRD 2 only: IPv6 next hop for an IPv6 channel over an IPv4 session. */
  readonly ipv6NextHop?: string;
  /** Extra lines inside the protocol block. */
  readonly extra?: string;
}

export interface BirdConfig {
  readonly version: BirdVersion;
  readonly routerId: string;
  /** Our listen/source address. */
  readonly localAddress: string;
  readonly localAs: number;
  /** BGP listen port (default 179). */
  readonly port?: number;
  readonly neighbors: readonly BirdNeighbor[];
  /** Prefixes BIRD announces (static blackhole routes). */
  readonly static4?: readonly string[];
  readonly static6?: readonly string[];
}

export interface Bird {
  readonly proc: Proc;
  readonly dir: string;
  readonly ctl: string;
  readonly config: BirdConfig;
  /** One birdc command; resolves with its output (throws on a birdc failure). */
  cli(command: string): Promise<string>;
  /** "BGP state:" of a protocol (Established, Active, Connect, OpenSent, Passive, Idle...). */
  bgpState(name: string): Promise<string>;
  waitBgpState(name: string, state: string, timeoutMs?: number): Promise<void>;
  /** `show route all [args]`, parsed (bird-routes.ts): every path, in BIRD's order. */
  routes(args?: string): Promise<BirdPath[]>;
  /** Writes a new config and runs `configure`. */
  reconfigure(config: BirdConfig): Promise<void>;
  /** SIGSTOP / SIGCONT the daemon. */
  freeze(): void;
  thaw(): void;
}

function binaries(v: BirdVersion): { daemon: string; client: string } {
  if (v === '2') return { daemon: requireTool('bird2'), client: requireTool('birdc2') };
  return { daemon: requireTool(v === '1.6' ? 'bird' : 'bird6'), client: requireTool('birdc') };
}

function neighborBlock(c: BirdConfig, n: BirdNeighbor): string {
  const port = n.port !== undefined ? ` port ${n.port}` : '';
  const lines: string[] = [];
  if (c.version === '2') {
    lines.push(`local ${c.localAddress}${c.port !== undefined ? ` port ${c.port}` : ''} as ${c.localAs};`, 'strict bind on;');
  } else {
    lines.push(`local ${c.localAddress} as ${c.localAs};`, `source address ${c.localAddress};`);
  }
  lines.push(`neighbor ${n.address}${port} as ${n.as};`);
  if (n.multihop ?? true) lines.push('multihop;');
  if (n.holdTime !== undefined) lines.push(`hold time ${n.holdTime};`);
  if (n.passive) lines.push('passive on;');
  if (n.gracefulRestart) lines.push('graceful restart on;');
  if (typeof n.gracefulRestart === 'number') lines.push(`graceful restart time ${n.gracefulRestart};`);
  lines.push('connect delay time 1;', 'connect retry time 2;', 'error wait time 1, 3;');
  const exp = 'import all; export where source = RTS_STATIC;';
  if (c.version === '2') {
    const fams = n.families ?? [n.address.includes(':') ? 'ipv6' : 'ipv4'];
    for (const f of fams) {
      const nh = f === 'ipv6' && n.ipv6NextHop ? ` next hop address ${n.ipv6NextHop};` : '';
      lines.push(`${f} { ${exp}${n.addPaths ? ' add paths on;' : ''}${nh} };`);
    }
  } else {
    lines.push(exp);
    if (n.addPaths) lines.push('add paths on;');
  }
  if (n.extra) lines.push(n.extra);
  return `protocol bgp ${n.name} {\n  ${lines.join('\n  ')}\n}\n`;
}

export function birdConfigText(c: BirdConfig): string {
  // Log to stderr: the harness keeps it (proc.output) for tests to wait on and for failures.
  const out: string[] = ['log stderr all;', `router id ${c.routerId};`];
  if (c.version !== '2') out.push(`listen bgp address ${c.localAddress}${c.port !== undefined ? ` port ${c.port}` : ''};`);
  out.push('protocol device { scan time 10; }');
  out.push(c.version === '2' ? 'protocol direct { ipv4; ipv6; interface "lo"; }' : 'protocol direct { interface "lo"; }');
  const statics = (name: string, channel: string, prefixes: readonly string[] | undefined): void => {
    if (!prefixes || prefixes.length === 0) return;
    const routes = prefixes.map((p) => `route ${p} blackhole;`).join(' ');
    out.push(`protocol static ${name} { ${c.version === '2' ? `${channel}; ` : ''}${routes} }`);
  };
  if (c.version !== '1.6-v6') statics('s4', 'ipv4', c.static4);
  if (c.version !== '1.6') statics('s6', 'ipv6', c.static6);
  for (const n of c.neighbors) out.push(neighborBlock(c, n));
  return `${out.join('\n')}\n`;
}

export async function startBird(t: Teardown, config: BirdConfig, opts: { netns?: Netns } = {}): Promise<Bird> {
  const { daemon, client } = binaries(config.version);
  const dir = tmpDir(t, 'bird-');
  const conf = join(dir, 'bird.conf');
  const ctl = join(dir, 'bird.ctl');
  writeFileSync(conf, birdConfigText(config));
  const args = ['-f', '-c', conf, '-s', ctl];
  const proc = opts.netns ? opts.netns.spawn(t, daemon, args, { name: `bird${config.version}` }) : spawnProc(t, daemon, args, { name: `bird${config.version}` });
  let current = config;

  const cli = async (command: string): Promise<string> => {
    const r = await run(client, ['-s', ctl, ...command.split(' ')], { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`birdc ${command}: exit ${r.code}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const bgpState = async (name: string): Promise<string> => {
    const out = await cli(`show protocols all ${name}`);
    return parseBirdProtocols(out).get(name)?.bgpState ?? 'unknown';
  };
  const up = waitFor(async () => (await cli('show status')).includes('Daemon is up'), {
    what: `BIRD ${config.version} control socket ${ctl}`,
    timeoutMs: 15_000,
  });
  const died = proc.exited.then((e) => {
    throw new Error(`BIRD ${config.version} exited (${e.code ?? e.signal}): ${proc.output}`);
  });
  await Promise.race([up, died]);
  died.catch(() => {}); // later exits are the test's business
  return {
    proc,
    dir,
    ctl,
    get config() {
      return current;
    },
    cli,
    bgpState,
    async waitBgpState(name, state, timeoutMs = 30_000) {
      await waitFor(async () => (await bgpState(name)) === state, { what: `BIRD protocol ${name} in ${state}`, timeoutMs });
    },
    async routes(args = '') {
      return birdPathList(parseBirdRoutes(await cli(`show route all ${args}`.trim())));
    },
    async reconfigure(next) {
      current = next;
      writeFileSync(conf, birdConfigText(next));
      const out = await cli('configure');
      if (!/Reconfigured|Reconfiguration in progress/.test(out)) throw new Error(`birdc configure: ${out}`);
    },
    freeze: () => proc.signal('SIGSTOP'),
    thaw: () => proc.signal('SIGCONT'),
  };
}
