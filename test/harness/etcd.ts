/**
 * Real etcd for tests (Debian etcd-server, etcd 3.4): one member or a three-member
 * cluster on a leased loopback block (member i on 127.N.0.(10+i), client port 2379,
 * peer port 2380), temporary data directories, optional TLS with openssl-made
 * certificates, and the failures tests need: kill a member, restart it, stop every
 * member for a while. Every process is cleaned up by proc.ts (process groups).
 *
 * ```ts
 * const etcd = await startEtcd(t, { members: 3, tls: true });
 * await etcd.put('/calico/resources/v3/projectcalico.org/nodes/n1', '{...}');
 * await etcd.members[0].kill();  await etcd.members[0].start();
 * ```
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { leaseLoopbackBlock, type LoopbackBlock } from './addresses.js';
import { harnessTeardown, type Teardown } from './cleanup.js';
import { mustRun, spawnProc, tmpDir, waitFor, type Proc } from './proc.js';
import { requireTool } from './tools.js';

/**
 * How long a member may take to stop on SIGTERM before the harness kills it (and fails
 * the test). A member that leads, or serves requests, while its peers are gone spends
 * up to its request timeout on a graceful stop (etcd: 5 s + 2 election timeouts, 6 s
 * with --election-timeout 500; measured 6.01 s): more than the default 5 s grace.
 */
export const ETCD_STOP_MS = 15_000;

export interface EtcdTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface EtcdMember {
  readonly name: string;
  readonly address: string;
  readonly clientUrl: string;
  readonly dataDir: string;
  readonly running: boolean;
  readonly proc: Proc | undefined;
  /** Starts (or restarts, same data dir) the member and waits until it serves. */
  start(): Promise<void>;
  /** SIGKILL by default: a crash. */
  kill(sig?: NodeJS.Signals): Promise<void>;
}

export interface EtcdCluster {
  readonly block: LoopbackBlock;
  readonly members: readonly EtcdMember[];
  /** Client URLs of every member. */
  readonly endpoints: readonly string[];
  /** Client TLS files (CA, client cert and key), when started with tls. */
  readonly tls: EtcdTlsFiles | undefined;
  /** A client for the test's own calls (running members); closed on teardown. */
  client(): Etcd3;
  put(key: string, value: string): Promise<number>;
  del(key: string): Promise<number>;
  /** Current revision. */
  revision(): Promise<number>;
  /** Compacts history up to rev (default: the current revision). */
  compact(rev?: number): Promise<number>;
  stopAll(): Promise<void>;
  startAll(): Promise<void>;
}

export interface EtcdOptions {
  /** 1 (default) or 3. */
  members?: number;
  tls?: boolean;
  /** Use this leased block instead of leasing one. */
  block?: LoopbackBlock;
  /** First member address index in the block (default 10). */
  firstIndex?: number;
}

export async function startEtcd(t: Teardown, opts: EtcdOptions = {}): Promise<EtcdCluster> {
  const etcdBin = requireTool('etcd');
  const block = opts.block ?? (await leaseLoopbackBlock(t));
  const n = opts.members ?? 1;
  const dir = tmpDir(t, 'etcd-');
  const addresses = Array.from({ length: n }, (_, i) => block.addr((opts.firstIndex ?? 10) + i));
  const scheme = opts.tls ? 'https' : 'http';
  const tls = opts.tls ? await makeCerts(dir, addresses) : undefined;
  const names = addresses.map((_, i) => `m${i}`);
  const initialCluster = names.map((name, i) => `${name}=http://${addresses[i]}:2380`).join(',');
  const token = `bgp-rr-test-${process.pid}-${block.n}`;
  let clientCache: Etcd3 | undefined;
  harnessTeardown(t, () => clientCache?.close());

  const members: EtcdMember[] = names.map((name, i) => {
    const address = addresses[i] ?? '';
    const clientUrl = `${scheme}://${address}:2379`;
    const dataDir = join(dir, name);
    const args = [
      '--name', name,
      '--data-dir', dataDir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', `http://${address}:2380`,
      '--initial-advertise-peer-urls', `http://${address}:2380`,
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', token,
      '--heartbeat-interval', '50',
      '--election-timeout', '500',
      '--logger', 'zap',
      '--log-outputs', 'stderr',
      ...(tls ? ['--cert-file', tls.serverCert, '--key-file', tls.serverKey, '--trusted-ca-file', tls.caFile, '--client-cert-auth'] : []),
    ];
    let proc: Proc | undefined;
    return {
      name,
      address,
      clientUrl,
      dataDir,
      get running() {
        return proc?.running ?? false;
      },
      get proc() {
        return proc;
      },
      async start() {
        if (proc?.running) return;
        proc = spawnProc(t, etcdBin, args, { name: `etcd-${name}`, killTimeoutMs: ETCD_STOP_MS });
        await proc.waitForOutput(/serving client traffic/, { timeoutMs: 60_000 });
      },
      async kill(sig: NodeJS.Signals = 'SIGKILL') {
        await proc?.kill(sig);
      },
    };
  });

  const tlsFiles: EtcdTlsFiles | undefined = tls ? { caFile: tls.caFile, certFile: tls.clientCert, keyFile: tls.clientKey } : undefined;
  let cachedHosts = '';
  /** A client for the running members; the same one until the running set changes or a call fails. */
  const client = (fresh = false): Etcd3 => {
    const running = members.filter((m) => m.running).map((m) => m.clientUrl);
    const hosts = running.length > 0 ? running : members.map((m) => m.clientUrl);
    if (clientCache !== undefined && !fresh && hosts.join(',') === cachedHosts) return clientCache;
    clientCache?.close();
    cachedHosts = hosts.join(',');
    clientCache = new Etcd3({
      hosts,
      ...(tls ? { credentials: { rootCertificate: read(tls.caFile), certChain: read(tls.clientCert), privateKey: read(tls.clientKey) } } : {}),
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 5000 }),
    });
    return clientCache;
  };
  // Retries a call until a member with quorum answers (after restarts, elections).
  let failed = false;
  const retry = <T>(what: string, fn: (c: Etcd3) => Promise<T>): Promise<T> =>
    waitFor(
      async () => {
        const c = client(failed);
        failed = true;
        const v = await fn(c);
        failed = false;
        return { v };
      },
      { what, timeoutMs: 30_000, intervalMs: 200 },
    ).then((r) => r.v);

  const cluster: EtcdCluster = {
    block,
    members,
    endpoints: members.map((m) => m.clientUrl),
    tls: tlsFiles,
    client: () => client(),
    put: (key, value) => retry(`etcd put ${key}`, async (c) => Number((await c.put(key).value(value).exec()).header.revision)),
    del: (key) => retry(`etcd delete ${key}`, async (c) => Number((await c.delete().key(key).exec()).header.revision)),
    revision: () => retry('etcd revision', async (c) => Number((await c.get('/').exec()).header.revision)),
    compact: async (rev) => {
      const r = rev ?? (await cluster.revision());
      await retry('etcd compact', (c) => c.kv.compact({ revision: r, physical: true }));
      return r;
    },
    stopAll: async () => {
      await Promise.all(members.map((m) => m.kill('SIGTERM')));
    },
    startAll: async () => {
      await Promise.all(members.map((m) => m.start()));
    },
  };
  await cluster.startAll();
  return cluster;
}

const certCache = new Map<string, Buffer>();
/** Small files, read once. */
function read(path: string): Buffer {
  let b = certCache.get(path);
  if (b === undefined) certCache.set(path, (b = readFileSync(path)));
  return b;
}

interface Certs {
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A throwaway CA, a server cert with every member's IP as SAN, a client cert. */
async function makeCerts(dir: string, addresses: readonly string[]): Promise<Certs> {
  const openssl = requireTool('openssl');
  const p = (f: string): string => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await mustRun(openssl, ['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=bgp-rr-test-ca']);
  const issue = async (name: string, ext: string): Promise<void> => {
    writeFileSync(p(`${name}.ext`), ext);
    await mustRun(openssl, ['req', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${name}`]);
    await mustRun(openssl, ['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.crt`), '-days', '2', '-extfile', p(`${name}.ext`)]);
  };
  const san = addresses.map((a) => `IP:${a}`).join(',');
  await issue('server', `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  await issue('client', 'extendedKeyUsage=clientAuth\n');
  return { caFile: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key') };
}
