/**
 * bgp-rr through its CLI contract (DESIGN.md §5): `bgp-rr run` with its peers derived
 * from a real etcd seeded with the Calico resources of the fleet.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { calicoKeys } from '../calico.mjs';
import { startEtcd } from '../etcd.mjs';
import { blockLength, CLUSTER_ID, REFLECTOR } from '../plan.mjs';
import { poll, run, startProc, waitListening } from '../proc.mjs';
import { REPO_ROOT, tools } from '../tools.mjs';

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
    return `bgp-rr ${r.stdout.trim() || '?'} (node ${process.versions.node})`;
  },
  async start({ dir, clients, echo, nodeArgs = [] }) {
    const etcd = await startEtcd(dir, echo);
    await etcd.seed(calicoKeys(clients, blockLength(clients.length)));
    const ctl = join(dir, 'bgp-rr.ctl');
    const proc = startProc('bgp-rr', process.execPath, [
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
    return {
      pid: proc.pid,
      proc,
      /** Event-loop delay over the run: prom-client resets it at each scrape, and we scrape once. */
      async extra() {
        try {
          const text = await (await fetch(`http://${REFLECTOR}:9180/metrics`)).text();
          const get = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]) * 1000;
          return { eventLoopP99Ms: get('nodejs_eventloop_lag_p99_seconds'), eventLoopMaxMs: get('nodejs_eventloop_lag_max_seconds') };
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
