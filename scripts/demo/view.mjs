// What the demo shows: per replica its sessions (from `bgp-rr peers --json`), per
// node how many of the other nodes' blocks it holds, and `bgp-rr peers` of one replica.
import { pool } from './cluster.mjs';

/** Rows of a JSON answer: an array, or the first array inside an object. */
export function rowsOf(v) {
  if (Array.isArray(v)) return v;
  if (v && typeof v === 'object') for (const x of Object.values(v)) if (Array.isArray(x)) return x;
  return [];
}

const isEstablished = (row) => Object.values(row).some((x) => x === 'Established');

/** One sample of the whole cluster. */
export async function sample(cluster) {
  const replicas = await Promise.all(
    cluster.replicas.map(async (r) => {
      const res = await r.cli(['peers', '--json']);
      if (res.code !== 0) return { name: r.name, error: (res.stderr || res.stdout).trim().split('\n')[0], running: r.proc?.running };
      let rows = [];
      try {
        rows = rowsOf(JSON.parse(res.stdout));
      } catch {
        return { name: r.name, error: 'unreadable peers --json' };
      }
      return { name: r.name, peers: rows.length, established: rows.filter(isEstablished).length, running: r.proc?.running };
    }),
  );
  const held = await holdings(cluster);
  return { replicas, held };
}

/** node name -> the other nodes' blocks it holds (routes learned over BGP). */
async function holdings(cluster) {
  if (cluster.speakers) return cluster.speakers.holdings();
  const out = new Map();
  await pool(cluster.nodes, 8, async (n) => {
    try {
      const routes = await n.bird.bgpRoutes(4);
      out.set(n.name, cluster.nodes.filter((o) => o !== n && routes.has(o.block)).length);
    } catch {
      out.set(n.name, 0);
    }
  });
  return out;
}

/** True when every node holds every other node's block. */
export const complete = (cluster, s) => cluster.nodes.every((n) => s.held.get(n.name) === cluster.nodes.length - 1);

export function render(cluster, s, peersText, elapsedS) {
  const n = cluster.nodes.length;
  const values = [...s.held.values()];
  const full = values.filter((v) => v === n - 1).length;
  const lines = [
    `bgp-rr demo: ${n} Calico nodes, 3 replicas, etcd ${cluster.etcd.endpoints.join(',')}   (${elapsedS.toFixed(0)} s)`,
    '',
    'replica   sessions established',
    ...s.replicas.map((r) => (r.error ? `${r.name.padEnd(9)} ${r.running === false ? 'exited' : r.error}` : `${r.name.padEnd(9)} ${String(r.established).padStart(4)} / ${r.peers}`)),
    '',
    `nodes holding all ${n - 1} other blocks: ${full}/${n}   (fewest: ${Math.min(...values)}, most: ${Math.max(...values)})`,
    '',
    `$ bgp-rr peers   (${cluster.replicas[0].name})`,
    ...peersText.split('\n').slice(0, 14),
  ];
  return lines.join('\n');
}
