/**
 * `bgp-rr` in tests, started the one way systemd starts it (systemd/bgp-rr.service):
 * the installed bin, packages/reflector/bin/bgp-rr.js, executed directly, so its
 * shebang (`#!/usr/bin/env -S node --lite-mode --no-expose-wasm`) picks the Node
 * flags, and it runs the built dist/ (`npm test` builds first, in its pretest). The
 * daemon (`bgp-rr run`) and every CLI command go through here: hardening, daemon and
 * multi-replica tests, and the demo.
 *
 * Coverage: under tap, NODE_OPTIONS carries tap's process-info hook
 * (@tapjs/processinfo), which the bin's node inherits with its own flags; the hook
 * enables source maps and records coverage of dist/*.js, which the report maps back to
 * packages/*\/src through the maps tsc writes (tsconfig.base.json sourceMap). A
 * daemon killed with SIGKILL writes none: it must stop on SIGTERM (proc.ts).
 *
 * dist/ older than src/ would test old code: the first start checks and says "npm run build".
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Teardown } from './cleanup.js';
import type { Netns } from './netns.js';
import { run, spawnProc, type Proc, type RunResult } from './proc.js';
import { REPO_ROOT } from './tools.js';

export const BGP_RR_BIN = join(REPO_ROOT, 'packages', 'reflector', 'bin', 'bgp-rr.js');

/** Packages whose dist/ the bin runs (the reflector and what it imports). */
const BUILT_PACKAGES = ['bgp-speaker', 'etcd-store', 'reflector'];

export interface BgpRrOptions {
  /** Name in messages and in the harness's records (default "bgp-rr"). */
  name?: string;
  /** Run inside this network namespace. */
  ns?: Netns;
  /** Environment added to ours (an environment file, as systemd's EnvironmentFile=). */
  extraEnv?: Record<string, string>;
  /** The whole environment instead of ours plus extraEnv. */
  env?: NodeJS.ProcessEnv;
  /** Grace between SIGTERM and SIGKILL (default 10 s); a SIGKILL fails the test. */
  killTimeoutMs?: number;
  echo?: boolean;
}

/** Starts `bgp-rr ARGS...` (e.g. ['run', '--router-id', ...]); stopped on t's teardown. */
export function spawnBgpRr(t: Teardown, args: readonly string[], opts: BgpRrOptions = {}): Proc {
  assertBuilt();
  const spawnOpts = {
    name: opts.name ?? 'bgp-rr',
    killTimeoutMs: opts.killTimeoutMs ?? 10_000,
    ...(opts.env !== undefined ? { env: opts.env } : {}),
    ...(opts.extraEnv !== undefined ? { extraEnv: opts.extraEnv } : {}),
    ...(opts.echo !== undefined ? { echo: opts.echo } : {}),
  };
  return opts.ns ? opts.ns.spawn(t, BGP_RR_BIN, args, spawnOpts) : spawnProc(t, BGP_RR_BIN, args, spawnOpts);
}

export interface BgpRrRunOptions {
  extraEnv?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** Killed after this long (default 30 s). */
  timeoutMs?: number;
}

/** Runs one `bgp-rr ARGS...` command (the CLI) to completion; never throws for a non-zero exit. */
export function runBgpRr(args: readonly string[], opts: BgpRrRunOptions = {}): Promise<RunResult> {
  assertBuilt();
  return run(BGP_RR_BIN, args, { timeoutMs: opts.timeoutMs ?? 30_000, ...(opts.env !== undefined ? { env: opts.env } : {}), ...(opts.extraEnv !== undefined ? { extraEnv: opts.extraEnv } : {}) });
}

/** The CLI of one replica: every command with `--control-socket SOCKET`, as an operator runs it on the reflector host. */
export class BgpRrCli {
  constructor(
    readonly socket: string,
    private readonly opts: BgpRrRunOptions & { what?: string } = {},
  ) {}

  /** `bgp-rr ARGS... --control-socket SOCKET`. */
  run(args: readonly string[]): Promise<RunResult> {
    return runBgpRr([...args, '--control-socket', this.socket], this.opts);
  }

  /** `bgp-rr ARGS... --json`, parsed; throws with stderr on a non-zero exit. */
  async json<R>(args: readonly string[]): Promise<R> {
    const r = await this.run([...args, '--json']);
    if (r.code !== 0) throw new Error(`bgp-rr ${args.join(' ')}${this.opts.what ? ` (${this.opts.what})` : ''}: exit ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    return JSON.parse(r.stdout) as R;
  }

  /**
   * Waits until `bgp-rr status` answers on the socket; throws with the daemon's last
   * output as soon as `proc` has exited.
   */
  async ready(proc: Proc | undefined, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc !== undefined && !proc.running) throw new Error(`${proc.name} exited (${JSON.stringify(proc.exitInfo)}):\n${proc.output.slice(-3000)}`);
      const r = await this.run(['status', '--json']);
      if (r.code === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`${proc?.name ?? 'bgp-rr'}: no answer on ${this.socket} after ${timeoutMs} ms: ${(r.stderr || r.stdout).trim().slice(0, 300)}\n${proc?.output.slice(-3000) ?? ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}

let built: string | undefined;

/** Throws, saying to build, when dist/ is missing or older than src/ (checked once per process). */
export function assertBuilt(): void {
  if (built === 'ok') return;
  const stale: string[] = [];
  for (const pkg of BUILT_PACKAGES) {
    const root = join(REPO_ROOT, 'packages', pkg);
    const src = newest(join(root, 'src'), '.ts');
    const dist = newest(join(root, 'dist'), '.js');
    if (dist === undefined) stale.push(`packages/${pkg}/dist is missing`);
    else if (src !== undefined && src.mtimeMs > dist.mtimeMs) stale.push(`${src.path.slice(REPO_ROOT.length + 1)} is newer than packages/${pkg}/dist`);
  }
  if (stale.length > 0) throw new Error(`bgp-rr runs from dist/ (bin/bgp-rr.js): ${stale.join('; ')}: run \`npm run build\` first (npm test does)`);
  built = 'ok';
}

function newest(dir: string, ext: string): { path: string; mtimeMs: number } | undefined {
  let best: { path: string; mtimeMs: number } | undefined;
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (name.endsWith(ext) && !name.endsWith('.d.ts') && (best === undefined || st.mtimeMs > best.mtimeMs)) best = { path: p, mtimeMs: st.mtimeMs };
    }
  };
  walk(dir);
  return best;
}
