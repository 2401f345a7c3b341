/** A single-member etcd (Debian etcd-server) inside the run's namespace, seeded with the Calico keys. */
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { ETCD } from './plan.mjs';
import { startProc } from './proc.mjs';
import { tools } from './tools.mjs';

export async function startEtcd(dir, echo) {
  const url = `http://${ETCD}:2379`;
  const proc = startProc('etcd', tools.etcd, [
    '--name', 'bench', '--data-dir', join(dir, 'etcd'),
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', `http://${ETCD}:2380`, '--initial-advertise-peer-urls', `http://${ETCD}:2380`,
    '--initial-cluster', `bench=http://${ETCD}:2380`, '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'warn',
  ], { echo });
  const client = new Etcd3({ hosts: [url] });
  // etcd logs at warn level say nothing when ready: ask it.
  for (let i = 0; ; i++) {
    try {
      await client.get('/').exec();
      break;
    } catch (err) {
      if (!proc.running || i > 300) throw new Error(`etcd did not start: ${err.message}\n${proc.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    pid: proc.pid,
    /** Writes [key, value] pairs, 64 in flight. */
    async seed(kv) {
      let next = 0;
      const worker = async () => {
        while (next < kv.length) {
          const [k, v] = kv[next++];
          await client.put(k).value(v);
        }
      };
      await Promise.all(Array.from({ length: 64 }, worker));
    },
    async stop() {
      client.close();
      await proc.stop();
    },
  };
}
