/**
 * A real etcd cluster (one or three members) inside the reflector hosts' network
 * namespaces: member i runs in host i's namespace on its LAN address, as on the
 * bare-metal reflector hosts (DESIGN.md §1: one etcd member beside each replica).
 * The test writes through etcdctl run inside host 0's namespace (the test process
 * itself lives in the root namespace, which has no route to the LAN).
 */
import { join } from 'node:path';
import { etcdctlWriter, type KeyValueWriter } from '../../harness/calico-cluster.js';
import { ETCD_STOP_MS } from '../../harness/etcd.js';
import type { Netns, Proc, Teardown } from '../../harness/index.js';
import { requireTool, tmpDir } from '../../harness/index.js';

export interface EtcdHost {
  readonly ns: Netns;
  /** The LAN address the member listens on. */
  readonly address: string;
}

export interface NetnsEtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly running: boolean;
  start(): Promise<void>;
  kill(sig?: NodeJS.Signals): Promise<void>;
}

export interface NetnsEtcd {
  readonly endpoints: readonly string[];
  readonly members: readonly NetnsEtcdMember[];
  readonly writer: KeyValueWriter;
  /** etcdctl get --prefix --keys-only: the keys under prefix. */
  keys(prefix: string): Promise<string[]>;
}

export async function startNetnsEtcd(t: Teardown, hosts: readonly EtcdHost[]): Promise<NetnsEtcd> {
  const etcd = requireTool('etcd');
  const etcdctl = requireTool('etcdctl');
  const dir = tmpDir(t, 'etcd-');
  const names = hosts.map((_, i) => `m${i}`);
  const initial = hosts.map((h, i) => `${names[i]}=http://${h.address}:2380`).join(',');
  const token = `bgp-rr-it-${process.pid}-${Date.now()}`;
  const members = hosts.map((h, i): NetnsEtcdMember => {
    const name = names[i] ?? `m${i}`;
    const clientUrl = `http://${h.address}:2379`;
    const args = [
      '--name', name,
      '--data-dir', join(dir, name),
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', `http://${h.address}:2380`,
      '--initial-advertise-peer-urls', `http://${h.address}:2380`,
      '--initial-cluster', initial,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', token,
      '--heartbeat-interval', '50',
      '--election-timeout', '500',
      '--logger', 'zap',
      '--log-outputs', 'stderr',
    ];
    let proc: Proc | undefined;
    return {
      name,
      clientUrl,
      get running() {
        return proc?.running ?? false;
      },
      async start() {
        if (proc?.running) return;
        proc = h.ns.spawn(t, etcd, args, { name: `etcd-${name}`, killTimeoutMs: ETCD_STOP_MS });
        // etcd 3.4 (zap) logs this once the member has joined the cluster and serves clients.
        await proc.waitForOutput(/serving client traffic/, { timeoutMs: 60_000 });
      },
      async kill(sig: NodeJS.Signals = 'SIGKILL') {
        await proc?.kill(sig);
      },
    };
  });
  await Promise.all(members.map((m) => m.start()));
  const endpoints = members.map((m) => m.clientUrl);
  const home = hosts[0];
  if (home === undefined) throw new Error('etcd needs at least one host');
  const runCtl = (args: readonly string[], input?: string) =>
    home.ns.exec(etcdctl, args, { extraEnv: { ETCDCTL_API: '3' }, timeoutMs: 20_000, ...(input === undefined ? {} : { input }) });
  return {
    endpoints,
    members,
    writer: etcdctlWriter(runCtl, endpoints),
    async keys(prefix) {
      const res = await runCtl([`--endpoints=${endpoints.join(',')}`, 'get', '--prefix', '--keys-only', prefix]);
      if (res.code !== 0) throw new Error(`etcdctl get failed: ${res.stderr}`);
      return res.stdout.split('\n').filter((l) => l.trim() !== '');
    },
  };
}
