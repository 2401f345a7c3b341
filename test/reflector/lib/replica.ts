/**
 * One bgp-rr replica (`bgp-rr run`) inside its reflector host's namespace, with its
 * control socket in a temporary directory of the root namespace's file system, so the
 * CLI (`bgp-rr peers --json` ...) runs from the test process directly.
 */
import { join } from 'node:path';
import type { Netns, Proc, Teardown } from '../../harness/index.js';
import { REPO_ROOT, run } from '../../harness/index.js';

export const BGP_RR_BIN = join(REPO_ROOT, 'packages', 'reflector', 'bin', 'bgp-rr.js');

export interface ReplicaOptions {
  ns: Netns;
  name: string;
  /** Addresses the replica listens on (port 179); the first IPv4 one is its router id. */
  addresses: readonly string[];
  etcdEndpoints: readonly string[];
  clusterId: string;
  routerId: string;
  dir: string;
  holdTime?: number;
  logLevel?: string;
  echo?: boolean;
}

/** A row of `bgp-rr peers --json`, the fields the tests read (others kept). */
export interface PeerRow {
  readonly [field: string]: unknown;
}

export class Replica {
  #proc: Proc | undefined;
  readonly controlSocket: string;

  constructor(
    private readonly t: Teardown,
    readonly opts: ReplicaOptions,
  ) {
    this.controlSocket = join(opts.dir, `${opts.name}.sock`);
  }

  get proc(): Proc | undefined {
    return this.#proc;
  }

  get running(): boolean {
    return this.#proc?.running ?? false;
  }

  args(): string[] {
    const o = this.opts;
    return [
      BGP_RR_BIN,
      'run',
      '--etcd-endpoints', o.etcdEndpoints.join(','),
      '--router-id', o.routerId,
      '--cluster-id', o.clusterId,
      ...o.addresses.flatMap((a) => ['--listen', a]),
      '--name', o.name,
      '--control-socket', this.controlSocket,
      '--metrics-address', '127.0.0.1:9179',
      '--hold-time', String(o.holdTime ?? 9),
      '--log-level', o.logLevel ?? 'info',
    ];
  }

  /** Starts `bgp-rr run` and waits until its control socket answers. */
  async start(): Promise<void> {
    if (this.#proc?.running) return;
    this.#proc = this.opts.ns.spawn(this.t, process.execPath, this.args(), { name: this.opts.name, echo: this.opts.echo, killTimeoutMs: 10_000 });
    const proc = this.#proc;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (!proc.running) throw new Error(`${this.opts.name} exited (${JSON.stringify(proc.exitInfo)}):\n${proc.output.slice(-3000)}`);
      const res = await this.cli(['status', '--json']);
      if (res.code === 0) return;
      if (Date.now() > deadline) throw new Error(`${this.opts.name}: control socket never answered: ${res.stderr}\n${proc.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  async kill(sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.#proc?.kill(sig);
  }

  cli(args: readonly string[]): ReturnType<typeof run> {
    return run(process.execPath, [BGP_RR_BIN, ...args, '--control-socket', this.controlSocket], { timeoutMs: 15_000 });
  }

  async json(args: readonly string[]): Promise<unknown> {
    const res = await this.cli([...args, '--json']);
    if (res.code !== 0) throw new Error(`bgp-rr ${args.join(' ')} (${this.opts.name}) failed: ${res.stderr || res.stdout}`);
    return JSON.parse(res.stdout) as unknown;
  }

  /** `bgp-rr peers --json` rows. */
  async peers(): Promise<PeerRow[]> {
    return rowsOf(await this.json(['peers']));
  }
}

/** A JSON answer that is an array of rows, or an object holding one ({ peers: [...] }). */
export function rowsOf(v: unknown): PeerRow[] {
  if (Array.isArray(v)) return v as PeerRow[];
  if (v !== null && typeof v === 'object') {
    for (const value of Object.values(v)) if (Array.isArray(value)) return value as PeerRow[];
  }
  throw new Error(`expected rows, got ${JSON.stringify(v).slice(0, 300)}`);
}
