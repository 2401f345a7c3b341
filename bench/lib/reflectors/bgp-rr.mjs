/**
 * bgp-rr through its CLI contract (DESIGN.md §5): `bgp-rr run` with its peers derived
 * from a real etcd seeded with the Calico resources of the fleet.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calicoKeys } from '../calico.mjs';
import { startEtcd } from '../etcd.mjs';
import { blockLength, CLUSTER_ID, REFLECTOR } from '../plan.mjs';
import { poll, run, startProc, waitListening } from '../proc.mjs';
import { REPO_ROOT, tools } from '../tools.mjs';

/**
 * The Node options bgp-rr runs with when started as an operator starts it (systemd's
 * `ExecStart=/usr/bin/bgp-rr run` execs the bin, so its shebang line applies): the
 * options after `node` in `#!/usr/bin/env -S node OPTIONS`. The benchmark starts
 * `node OPTIONS bin run` itself (so that --node-args, e.g. a profiler, can be added),
 * with the same options.
 */
export function shebangNodeOptions(bin = tools.bgpRr) {
  let first;
  try {
    first = readFileSync(bin, 'utf8').split('\n', 1)[0];
  } catch {
    return [];
  }
  const m = /^#!\S*env\s+(?:-S\s+)?node((?:\s+--?\S+)*)\s*$/.exec(first) ?? /^#!\S*\/node((?:\s+--?\S+)*)\s*$/.exec(first);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

export default {
  name: 'bgp-rr',
  missing() {
    if (!existsSync(tools.bgpRr) || !existsSync(join(REPO_ROOT, 'packages', 'reflector', 'dist', 'cli', 'main.js'))) return 'bgp-rr is not built (npm run build)';
    return undefined;
  },
  /** The daemon lands in stages: `bgp-rr run --help` must exist. */
  async runnable() {
    const r = await run(process.execPath, [tools.bgpRr, 'run', '--help']);
    return r.code === 0 && /--etcd-endpoints/.test(r.stdout + r.stderr) ? undefined : "`bgp-rr run` is not available yet (this build has no run subcommand)";
  },
  async version() {
    const r = await run(process.execPath, [tools.bgpRr, '--version']);
    const opts = shebangNodeOptions();
    return `bgp-rr ${r.stdout.trim() || '?'} (node ${process.versions.node}${opts.length > 0 ? ` ${opts.join(' ')}` : ''})`;
  },
  async start({ dir, clients, echo, nodeArgs = [] }) {
    const etcd = await startEtcd(dir, echo);
    await etcd.seed(calicoKeys(clients, blockLength(clients.length)));
    const ctl = join(dir, 'bgp-rr.ctl');
    const proc = startProc('bgp-rr', process.execPath, [
      ...shebangNodeOptions(),
      ...nodeArgs,
      tools.bgpRr, 'run',
      '--etcd-endpoints', etcd.url,
      '--router-id', REFLECTOR,
      '--cluster-id', CLUSTER_ID,
      '--listen', REFLECTOR,
      '--name', 'bench-rr',
      '--control-socket', ctl,
      '--metrics-address', `${REFLECTOR}:9180`,
      '--log-level', 'warn',
    ], { echo });
    await waitListening(proc, REFLECTOR, 179);
    // Sessions from nodes it does not know yet would be refused: wait until it knows them all.
    let failures = 0;
    await poll(async () => {
      const r = await run(process.execPath, [tools.bgpRr, 'peers', '--json', '--control-socket', ctl]);
      if (r.code !== 0) {
        if (++failures > 40) throw new Error(`bgp-rr peers keeps failing: ${r.stderr.trim()}`);
        return undefined;
      }
      let doc;
      try {
        doc = JSON.parse(r.stdout);
      } catch {
        return undefined;
      }
      const peers = Array.isArray(doc) ? doc : doc.peers;
      return Array.isArray(peers) && peers.length >= clients.length ? true : undefined;
    }, { what: `bgp-rr knowing ${clients.length} peers`, timeoutMs: 60_000, intervalMs: 250 }).catch((err) => {
      process.stderr.write(`bench: ${err.message}; going on\n`);
    });
    const scrape = async () => (await fetch(`http://${REFLECTOR}:9180/metrics`)).text();
    return {
      pid: proc.pid,
      proc,
      /**
       * prom-client resets its event-loop delay histogram at each scrape: one scrape just
       * before the fleet starts leaves start-up (module loading, the etcd snapshot) out, so
       * the figure covers the sessions' lifetime, when a late keepalive would matter.
       */
      async beforeFleet() {
        await scrape().catch(() => undefined);
      },
      /** Event-loop delay from the fleet's start to the end of the run (see beforeFleet). */
      async extra() {
        try {
          const text = await scrape();
          const get = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]) * 1000;
          const mib = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]) / 2 ** 20;
          return {
            eventLoopP99Ms: get('nodejs_eventloop_lag_p99_seconds'),
            eventLoopMaxMs: get('nodejs_eventloop_lag_max_seconds'),
            // Where the memory is at the end of the run (not at the peak): the JS heap and
            // memory outside it (Buffers), for the profile notes in docs/benchmarks.md.
            heapTotalMiB: mib('nodejs_heap_size_total_bytes'),
            heapUsedMiB: mib('nodejs_heap_size_used_bytes'),
            externalMiB: mib('nodejs_external_memory_bytes'),
          };
        } catch (err) {
          return { metricsError: String(err) };
        }
      },
      async stop() {
        await proc.stop();
        await etcd.stop();
      },
    };
  },
};
