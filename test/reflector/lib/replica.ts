/**
 * One bgp-rr replica (`bgp-rr run`, started by the harness's bgp-rr.ts as systemd
 * starts it) inside its reflector host's namespace, with its control socket in a
 * temporary directory of the root namespace's file system, so the CLI (`bgp-rr peers
 * --json` ...) runs from the test process directly.
 */
import { join } from 'node:path';
import type { Netns, Proc, RunResult, Teardown } from '../../harness/index.js';
import { BgpRrCli, spawnBgpRr } from '../../harness/bgp-rr.js';

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
  readonly #cli: BgpRrCli;

  constructor(
    private readonly t: Teardown,
    readonly opts: ReplicaOptions,
  ) {
    this.controlSocket = join(opts.dir, `${opts.name}.sock`);
    this.#cli = new BgpRrCli(this.controlSocket, { timeoutMs: 15_000, what: opts.name });
  }

  get proc(): Proc | undefined {
    return this.#proc;
  }

  get running(): boolean {
    return this.#proc?.running ?? false;
  }

  /** `bgp-rr run` arguments of this replica. */
  args(): string[] {
    const o = this.opts;
    return [
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
    this.#proc = spawnBgpRr(this.t, this.args(), { ns: this.opts.ns, name: this.opts.name, ...(this.opts.echo !== undefined ? { echo: this.opts.echo } : {}) });
    await this.#cli.ready(this.#proc, 30_000);
  }

  async kill(sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.#proc?.kill(sig);
  }

  cli(args: readonly string[]): Promise<RunResult> {
    return this.#cli.run(args);
  }

  json(args: readonly string[]): Promise<unknown> {
    return this.#cli.json<unknown>(args);
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
