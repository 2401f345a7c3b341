/**
 * Network namespaces for tests: our stand-in for the hosts of a cluster. Each
 * namespace has its own interfaces, addresses and kernel routing table, so BIRD can
 * install routes that the test then reads with `ip route`.
 *
 * All addresses are configured INSIDE namespaces the test created, never in the
 * host's namespace:
 *   - point-to-point veth links (addVeth): 10.250.x.y/30 and fd00:fa::/48 subnets;
 *   - LANs (createLan): a hub namespace holding a bridge `br0`; each attached
 *     namespace gets 10.L.(i>>8).(i&255)/16 and fd00:L::i/64 (L = LAN number, i =
 *     host index you choose). IPv6 addresses are added with `nodad`, usable at once.
 *
 * Names are bgprr-<pid>-<starttime>-<k> (the owner test process). A namespace is
 * deleted on t.teardown and by the exit handler, after SIGKILL to every process
 * inside it; namespaces of dead owners (a SIGKILLed test run) are swept at the next
 * createNetns.
 */
import { execFileSync } from 'node:child_process';
import { harnessTeardown, onExitSync, type Teardown } from './cleanup.js';
import { isAlive, selfOwner } from './liveness.js';
import { mustRun, run, spawnProc, type Proc, type RunOptions, type RunResult, type SpawnOptions } from './proc.js';
import { requireTool } from './tools.js';

export const NETNS_PREFIX = 'bgprr-';

export interface Netns {
  readonly name: string;
  /** Runs a short command inside the namespace (does not throw on non-zero exit). */
  exec(cmd: string, args?: readonly string[], opts?: Omit<RunOptions, 'netns'>): Promise<RunResult>;
  /** exec() that throws unless the command exits 0. */
  mustExec(cmd: string, args?: readonly string[], opts?: Omit<RunOptions, 'netns'>): Promise<RunResult>;
  /** Starts a process inside the namespace, killed on t.teardown (see spawnProc). */
  spawn(t: Teardown, cmd: string, args?: readonly string[], opts?: Omit<SpawnOptions, 'netns'>): Proc;
  /** `ip -n NAME args...`, throwing on failure. */
  ip(args: readonly string[]): Promise<RunResult>;
  /** Connects this namespace to peer with a veth pair and addresses on both ends. */
  addVeth(peer: Netns): Promise<VethLink>;
  /** Kills every process inside and deletes the namespace; idempotent (also done on teardown). */
  delete(): Promise<void>;
}

export interface Endpoint {
  ns: Netns;
  ifname: string;
  /** Address without prefix length, e.g. "10.250.0.1". */
  ipv4: string;
  ipv6: string;
  /** With prefix length, e.g. "10.250.0.1/30". */
  ipv4Cidr: string;
  ipv6Cidr: string;
}

export interface VethLink {
  local: Endpoint;
  remote: Endpoint;
}

export interface NetnsOptions {
  /** Extra sysctls set inside the namespace, e.g. { 'net.ipv4.ip_forward': '1' }. */
  sysctls?: Record<string, string>;
}

let nsCounter = 0;
let linkCounter = 0;
let lanCounter = 0;
let swept = false;

/** Creates a namespace with `lo` up, deleted on t.teardown. */
export async function createNetns(t: Teardown, opts: NetnsOptions = {}): Promise<Netns> {
  const ip = requireTool('ip');
  if (!swept) {
    swept = true;
    sweepDeadNamespaces(ip);
  }
  const owner = selfOwner();
  const name = `${NETNS_PREFIX}${owner.pid}-${owner.startTime}-${++nsCounter}`;
  await mustRun(ip, ['netns', 'add', name]);
  const unregister = onExitSync(() => deleteNamespaceSync(ip, name));
  const ns = new NetnsImpl(name, ip, unregister);
  harnessTeardown(t, async () => {
    try {
      await ns.delete();
    } catch {
      // teardown must not throw; the exit handler retries
    }
  });
  await ns.ip(['link', 'set', 'lo', 'up']);
  for (const [key, value] of Object.entries(opts.sysctls ?? {})) {
    await ns.mustExec('sysctl', ['-q', '-w', `${key}=${value}`]);
  }
  return ns;
}

class NetnsImpl implements Netns {
  #deleted = false;

  constructor(
    readonly name: string,
    private readonly ipPath: string,
    private readonly unregister: () => void,
  ) {}

  exec(cmd: string, args: readonly string[] = [], opts: Omit<RunOptions, 'netns'> = {}): Promise<RunResult> {
    return run(cmd, args, { ...opts, netns: this.name });
  }

  mustExec(cmd: string, args: readonly string[] = [], opts: Omit<RunOptions, 'netns'> = {}): Promise<RunResult> {
    return mustRun(cmd, args, { ...opts, netns: this.name });
  }

  spawn(t: Teardown, cmd: string, args: readonly string[] = [], opts: Omit<SpawnOptions, 'netns'> = {}): Proc {
    return spawnProc(t, cmd, args, { ...opts, netns: this.name });
  }

  ip(args: readonly string[]): Promise<RunResult> {
    return mustRun(this.ipPath, ['-n', this.name, ...args]);
  }

  async addVeth(peer: Netns): Promise<VethLink> {
    const k = ++linkCounter;
    if (k > 16383) throw new Error('too many veth links in one test process');
    const localIf = `veth${k}a`;
    const remoteIf = `veth${k}b`;
    await this.ip(['link', 'add', localIf, 'type', 'veth', 'peer', 'name', remoteIf, 'netns', peer.name]);
    // Subnet k: 10.250.(k>>6).((k&63)<<2)/30 and fd00:fa:k::/64.
    const base = `10.250.${k >> 6}`;
    const host = (k & 63) << 2;
    const v6 = `fd00:fa:${k.toString(16)}::`;
    const local = endpoint(this, localIf, `${base}.${host + 1}`, 30, `${v6}1`);
    const remote = endpoint(peer, remoteIf, `${base}.${host + 2}`, 30, `${v6}2`);
    await configure(local);
    await configure(remote);
    return { local, remote };
  }

  async delete(): Promise<void> {
    if (this.#deleted) return;
    this.#deleted = true;
    await killAllInside(this.ipPath, this.name);
    await run(this.ipPath, ['netns', 'del', this.name]);
    this.unregister();
  }
}

function endpoint(ns: Netns, ifname: string, ipv4: string, len4: number, ipv6: string, len6 = 64): Endpoint {
  return { ns, ifname, ipv4, ipv6, ipv4Cidr: `${ipv4}/${len4}`, ipv6Cidr: `${ipv6}/${len6}` };
}

async function configure(e: Endpoint): Promise<void> {
  await e.ns.ip(['addr', 'add', e.ipv4Cidr, 'dev', e.ifname]);
  await e.ns.ip(['-6', 'addr', 'add', e.ipv6Cidr, 'dev', e.ifname, 'nodad']);
  await e.ns.ip(['link', 'set', e.ifname, 'up']);
}

/** A layer-2 segment: a hub namespace with bridge br0 and the namespaces attached to it. */
export interface Lan {
  readonly hub: Netns;
  /** L: the LAN's number, its subnets are 10.L.0.0/16 and fd00:L::/64 (L in hex). */
  readonly index: number;
  readonly ipv4Subnet: string;
  readonly ipv6Subnet: string;
  /** 10.L.(i>>8).(i&255) */
  ipv4(hostIndex: number): string;
  /** fd00:L::i (hex) */
  ipv6(hostIndex: number): string;
  /** Connects ns to the bridge with interface `lan<L>` holding the addresses of hostIndex. */
  attach(ns: Netns, hostIndex: number): Promise<Endpoint>;
}

/** Creates a LAN (hub namespace + bridge), deleted on t.teardown. */
export async function createLan(t: Teardown): Promise<Lan> {
  const index = ++lanCounter;
  if (index > 249) throw new Error('too many LANs in one test process');
  const hub = await createNetns(t);
  await hub.ip(['link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'mcast_snooping', '0']);
  await hub.ip(['link', 'set', 'br0', 'up']);
  const hex = index.toString(16);
  const ipv4 = (i: number): string => {
    if (!Number.isInteger(i) || i < 1 || i > 65534) throw new RangeError(`host index ${i} outside 1..65534`);
    return `10.${index}.${i >> 8}.${i & 255}`;
  };
  const ipv6 = (i: number): string => {
    if (!Number.isInteger(i) || i < 1 || i > 65534) throw new RangeError(`host index ${i} outside 1..65534`);
    return `fd00:${hex}::${i.toString(16)}`;
  };
  let port = 0;
  return {
    hub,
    index,
    ipv4Subnet: `10.${index}.0.0/16`,
    ipv6Subnet: `fd00:${hex}::/64`,
    ipv4,
    ipv6,
    async attach(ns: Netns, hostIndex: number): Promise<Endpoint> {
      const hubIf = `p${++port}`;
      const nsIf = `lan${index}`;
      await hub.ip(['link', 'add', hubIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', ns.name]);
      await hub.ip(['link', 'set', hubIf, 'master', 'br0']);
      await hub.ip(['link', 'set', hubIf, 'up']);
      const e = endpoint(ns, nsIf, ipv4(hostIndex), 16, ipv6(hostIndex));
      await configure(e);
      return e;
    },
  };
}

async function killAllInside(ip: string, name: string): Promise<void> {
  const res = await run(ip, ['netns', 'pids', name]);
  for (const pid of res.stdout.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

function deleteNamespaceSync(ip: string, name: string): void {
  try {
    const pids = execFileSync(ip, ['netns', 'pids', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
  } catch {
    // no such namespace
  }
  try {
    execFileSync(ip, ['netns', 'del', name], { stdio: 'ignore' });
  } catch {
    // already deleted
  }
}

/** Deletes bgprr- namespaces whose owner process is dead. */
export function sweepDeadNamespaces(ip = requireTool('ip')): void {
  let list: string;
  try {
    list = execFileSync(ip, ['netns', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = /^bgprr-(\d+)-(\d+)-\d+$/.exec(name);
    if (!m) continue;
    if (isAlive({ pid: Number(m[1]), startTime: m[2] ?? '' })) continue;
    deleteNamespaceSync(ip, name);
  }
}
