/**
 * A "Calico node" for tests and the demo: BIRD configured the way calico/node's confd
 * configures it toward external route reflectors (docs/calico-datastore.md §4,
 * bird.cfg.template / bird_ipam.cfg.template):
 *   - BIRD 1.6 ('bird1'): `bird` for IPv4 and, with IPv6 blocks, a second process
 *     `bird6`, as calico/node runs them; or BIRD 2 ('bird2'): one process, one session
 *     per family (confd's peer list, rendered for BIRD 2), or with `multiprotocol`
 *     both channels on the IPv4 session;
 *   - `router id` the node's IPv4 address unless `routerId` (CALICO_ROUTER_ID) says otherwise;
 *   - per reflector address: `local as 64512`, `neighbor <rr> as 64512`,
 *     `source address <node IP>`, `multihop`, `graceful restart`, `add paths on`,
 *     `gateway recursive`, no hold time (BIRD offers 240 s), connect delay 2 s,
 *     retry 5 s, error wait 5-30 s; the node dials (never passive);
 *   - each affine block as a `static ... blackhole` route, the only thing exported
 *     to the reflectors (calico_aggr);
 *   - with `kernel` (in a network namespace): a kernel protocol (persist, graceful
 *     restart, scan time 2 as calico's) that installs BGP routes into the
 *     namespace's table, so `ip route` shows other nodes' blocks via their address.
 * Without a namespace (the demo on 127.x) set listenAddress so that many BIRD
 * processes can share the host, and leave kernel off.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBirdProtocols } from './bird-protocols.js';
import { birdRoutesOfFamily, parseBirdRoutes, type BirdRoutes } from './bird-routes.js';
import type { Teardown } from './cleanup.js';
import type { Netns } from './netns.js';
import { run, spawnProc, waitFor, type Proc, type RunResult } from './proc.js';
import { requireTool, type ToolName } from './tools.js';

export type BirdFlavor = 'bird1' | 'bird2';
export type Family = 4 | 6;

export interface CalicoNodeOptions {
  name: string;
  flavor: BirdFlavor;
  /** The node's BGP address (Node spec.bgp.ipv4Address without the mask). */
  ipv4: string;
  /**
   * BIRD's `router id`, the BGP Identifier of its OPEN: calico/node sets the node's IPv4
   * address unless CALICO_ROUTER_ID gives another (docs/calico-datastore.md §4). Default `ipv4`.
   */
  routerId?: string;
  ipv6?: string;
  blocks4: readonly string[];
  blocks6?: readonly string[];
  /** Reflector replica addresses (the BGPPeers' peerIPs) of each family. */
  reflectors4: readonly string[];
  reflectors6?: readonly string[];
  /** Reflector BGP port (default 179). */
  reflectorPort?: number;
  asNumber?: number;
  /** Directory for configs and control sockets (short: socket paths <= 108 bytes). */
  dir: string;
  /** Run inside this namespace. */
  ns?: Netns;
  /** Install BGP routes into the kernel (only inside a namespace). */
  kernel?: boolean;
  /** Bind BIRD's BGP listening socket to the node address (many nodes on one host). */
  listenAddress?: boolean;
  /**
   * Device routes that make other nodes' addresses (BGP next hops) resolvable, e.g.
   * { prefix: '127.20.0.0/16', iface: 'lo' } for nodes sharing the loopback (BIRD's
   * direct protocol ignores host-scope addresses). Never exported.
   */
  deviceRoutes?: readonly { prefix: string; iface: string }[];
  /**
   * BIRD 2 only: an IPv6 channel next to the IPv4 one on each IPv4 reflector session
   * (multiprotocol BGP, RFC 4760) instead of one session per family; its next hop is
   * `ipv6` when set.
   */
  multiprotocol?: boolean;
  echo?: boolean;
}

interface Daemon {
  family: Family | 'both';
  bin: ToolName;
  ctl: ToolName;
  conf: string;
  sock: string;
  proc?: Proc;
}

export class CalicoNode {
  readonly #daemons: Daemon[];

  constructor(
    private readonly t: Teardown,
    readonly opts: CalicoNodeOptions,
  ) {
    const d = opts.dir;
    const v6 = (opts.blocks6?.length ?? 0) > 0 || (opts.reflectors6?.length ?? 0) > 0;
    if (opts.flavor === 'bird2') {
      this.#daemons = [{ family: 'both', bin: 'bird2', ctl: 'birdc2', conf: join(d, `${opts.name}.conf`), sock: join(d, `${opts.name}.ctl`) }];
    } else {
      this.#daemons = [{ family: 4, bin: 'bird', ctl: 'birdc', conf: join(d, `${opts.name}.conf`), sock: join(d, `${opts.name}.ctl`) }];
      if (v6) this.#daemons.push({ family: 6, bin: 'bird6', ctl: 'birdc6', conf: join(d, `${opts.name}-6.conf`), sock: join(d, `${opts.name}-6.ctl`) });
    }
    for (const dm of this.#daemons) writeFileSync(dm.conf, renderConfig(opts, dm.family));
  }

  get name(): string {
    return this.opts.name;
  }

  /** Starts BIRD (each process) in the foreground; `recovery` = -R (graceful restart after start). */
  async start(recovery = false): Promise<void> {
    for (const dm of this.#daemons) {
      if (dm.proc?.running) continue;
      const args = ['-f', '-c', dm.conf, '-s', dm.sock, ...(recovery ? ['-R'] : [])];
      const name = `${this.opts.name}-${dm.bin}`;
      dm.proc = this.opts.ns
        ? this.opts.ns.spawn(this.t, requireTool(dm.bin), args, { name, echo: this.opts.echo })
        : spawnProc(this.t, requireTool(dm.bin), args, { name, echo: this.opts.echo });
    }
    for (const dm of this.#daemons) {
      await waitFor(async () => (await this.#birdc(dm, ['show', 'status'])).code === 0, { what: `${this.opts.name} ${dm.bin} control socket`, timeoutMs: 20_000 });
    }
  }

  /** Kills every BIRD process of the node (SIGKILL: no NOTIFICATION, kernel routes kept). */
  async kill(sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await Promise.all(this.#daemons.map((dm) => dm.proc?.kill(sig)));
  }

  /** calico/node restarting: BIRD killed, started again with graceful-restart recovery. */
  async gracefulRestart(): Promise<void> {
    await this.kill('SIGKILL');
    await this.start(true);
  }

  /**
   * What confd does when calico/node's view changes: rewrites the daemon's config (here
   * through `edit`) and runs `birdc configure`; resolves with birdc's answer.
   */
  async reconfigure(edit: (config: string) => string, family: Family = 4): Promise<RunResult> {
    const dm = this.#daemons.find((x) => x.family === family || x.family === 'both');
    if (dm === undefined) throw new Error(`${this.opts.name}: no BIRD for IPv${family}`);
    writeFileSync(dm.conf, edit(readFileSync(dm.conf, 'utf8')));
    return this.#birdc(dm, ['configure']);
  }

  /** Runs a birdc command on the daemon of family (bird1) or the single daemon (bird2). */
  birdc(args: readonly string[], family: Family = 4): Promise<RunResult> {
    const dm = this.#daemons.find((x) => x.family === family || x.family === 'both');
    if (dm === undefined) throw new Error(`${this.opts.name}: no BIRD for IPv${family}`);
    return this.#birdc(dm, args);
  }

  /** BGP sessions of every daemon: protocol name -> BIRD state ("Established", "Connect"...). */
  async sessions(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const dm of this.#daemons) {
      const res = await this.#birdc(dm, ['show', 'protocols']);
      for (const p of parseBirdProtocols(res.stdout).values()) {
        // The info column ("Established", "Active Socket: ..."), else the state ("down").
        if (p.proto === 'BGP') out.set(p.name, p.info.replace(/\s+/g, ' ') || p.state);
      }
    }
    return out;
  }

  /** What BIRD holds from BGP (its table, not the kernel) for a family: prefix -> paths. */
  async bgpRoutes(family: Family): Promise<BirdRoutes> {
    const res = await this.birdc(['show', 'route', 'all', 'where', 'source', '=', 'RTS_BGP'], family);
    if (res.code !== 0) throw new Error(`${this.opts.name}: birdc show route all failed: ${res.stderr || res.stdout}`);
    // BIRD 2 lists every table (master4 and master6) at once.
    return birdRoutesOfFamily(parseBirdRoutes(res.stdout), family);
  }

  #birdc(dm: Daemon, args: readonly string[]): Promise<RunResult> {
    const cmd = requireTool(dm.ctl);
    const full = ['-s', dm.sock, ...args];
    return this.opts.ns ? this.opts.ns.exec(cmd, full, { timeoutMs: 10_000 }) : run(cmd, full, { timeoutMs: 10_000 });
  }
}

/** Starts a node; stopped on t.teardown. */
export async function startCalicoNode(t: Teardown, opts: CalicoNodeOptions): Promise<CalicoNode> {
  const node = new CalicoNode(t, opts);
  await node.start();
  return node;
}

/** Kernel routes installed by BIRD in a namespace: prefix -> next hops (`ip route show proto bird`). */
export async function kernelRoutes(ns: Netns, family: Family): Promise<Map<string, string[]>> {
  const res = await ns.mustExec(requireTool('ip'), [`-${family}`, 'route', 'show', 'proto', 'bird']);
  return parseIpRoutes(res.stdout);
}

/** `ip route` lines -> prefix -> gateways (multipath `nexthop via` lines included). */
export function parseIpRoutes(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      const f = line.trim().split(/\s+/);
      current = f[0] === 'blackhole' || f[0] === 'unreachable' ? f[1] : f[0];
      if (current === undefined) continue;
      if (current !== undefined && !current.includes('/')) current += current.includes(':') ? '/128' : '/32';
      out.set(current, []);
    }
    const via = /\bvia\s+(?:inet6?\s+)?([0-9a-f.:]+)/i.exec(line);
    if (current !== undefined && via?.[1] !== undefined) out.get(current)?.push(via[1]);
  }
  return out;
}

// --- configuration (confd's bird.cfg.template / bird6.cfg.template, peers as for an external RR) ---

const protoName = (ip: string, port: number): string => `Global_${ip.replace(/[.:]/g, '_')}${port === 179 ? '' : `_port_${port}`}`;

function renderConfig(o: CalicoNodeOptions, family: Family | 'both'): string {
  return family === 'both' ? renderBird2(o) : renderBird1(o, family);
}

const deviceRoutes = (o: CalicoNodeOptions, family: Family): { prefix: string; iface: string }[] =>
  (o.deviceRoutes ?? []).filter((r) => r.prefix.includes(':') === (family === 6));

function renderBird1(o: CalicoNodeOptions, family: Family): string {
  const port = o.reflectorPort ?? 179;
  const as = o.asNumber ?? 64512;
  const local = family === 4 ? o.ipv4 : (o.ipv6 ?? '');
  const blocks = family === 4 ? o.blocks4 : (o.blocks6 ?? []);
  const rrs = family === 4 ? o.reflectors4 : (o.reflectors6 ?? []);
  const lines = [
    `# ${o.name}: calico/node ${family === 4 ? 'bird' : 'bird6'} (confd), peers: external route reflectors`,
    `router id ${o.routerId ?? o.ipv4};`,
    ...(o.listenAddress ? [`listen bgp address ${local};`] : []),
    'protocol device { scan time 2; }',
    'protocol direct { interface -"cali*", -"kube-ipvs*", "*"; }',
    ...(o.kernel
      ? ['protocol kernel {', '  persist; scan time 2; graceful restart; merge paths on;', '  import none;', '  export filter { if source = RTS_BGP then accept; reject; };', '}']
      : []),
    'protocol static {',
    ...blocks.map((b) => `  route ${b} blackhole;`),
    ...deviceRoutes(o, family).map((r) => `  route ${r.prefix} via "${r.iface}";`),
    '}',
    'filter calico_export_to_bgp_peers {',
    ...blocks.map((b) => `  if ( net = ${b} ) then accept;`),
    '  reject;',
    '}',
    'template bgp bgp_template {',
    `  local as ${as};`,
    '  gateway recursive;',
    '  import all;',
    '  export filter calico_export_to_bgp_peers;',
    '  add paths on;',
    '  graceful restart;',
    '  connect delay time 2;',
    '  connect retry time 5;',
    '  error wait time 5,30;',
    '}',
    ...rrs.flatMap((rr) => [
      `protocol bgp ${protoName(rr, port)} from bgp_template {`,
      '  ttl security off;',
      '  multihop;',
      `  neighbor ${rr}${port === 179 ? '' : ` port ${port}`} as ${as};`,
      `  source address ${local};`,
      '}',
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

function renderBird2(o: CalicoNodeOptions): string {
  const port = o.reflectorPort ?? 179;
  const as = o.asNumber ?? 64512;
  const b4 = o.blocks4;
  const b6 = o.blocks6 ?? [];
  const channel = (fam: 'ipv4' | 'ipv6', nextHop = ''): string =>
    `  ${fam} { import all; export filter calico_export_to_bgp_peers; add paths on; gateway recursive;${nextHop} };`;
  const peer = (rr: string, local: string, fam: 'ipv4' | 'ipv6'): string[] => [
    `protocol bgp ${protoName(rr, port)} from bgp_template {`,
    '  multihop;',
    ...(o.listenAddress ? ['  strict bind on;'] : []),
    `  local ${local} as ${as};`,
    `  neighbor ${rr}${port === 179 ? '' : ` port ${port}`} as ${as};`,
    channel(fam),
    ...(o.multiprotocol && fam === 'ipv4' ? [channel('ipv6', o.ipv6 !== undefined ? ` next hop address ${o.ipv6};` : '')] : []),
    '}',
  ];
  const kernel = (fam: 'ipv4' | 'ipv6'): string[] =>
    o.kernel ? [`protocol kernel kernel_${fam} {`, `  ${fam} { import none; export where source = RTS_BGP; };`, '  persist; scan time 2; graceful restart; merge paths on;', '}'] : [];
  const lines = [
    `# ${o.name}: calico/node peers with external route reflectors, rendered for BIRD 2`,
    `router id ${o.routerId ?? o.ipv4};`,
    'protocol device { scan time 2; }',
    'protocol direct { ipv4; ipv6; interface -"cali*", -"kube-ipvs*", "*"; }',
    ...kernel('ipv4'),
    ...(b6.length > 0 ? kernel('ipv6') : []),
    'protocol static static_ipv4 {', '  ipv4;', ...b4.map((b) => `  route ${b} blackhole;`), ...deviceRoutes(o, 4).map((r) => `  route ${r.prefix} via "${r.iface}";`), '}',
    ...(b6.length > 0 ? ['protocol static static_ipv6 {', '  ipv6;', ...b6.map((b) => `  route ${b} blackhole;`), ...deviceRoutes(o, 6).map((r) => `  route ${r.prefix} via "${r.iface}";`), '}'] : []),
    'filter calico_export_to_bgp_peers {',
    ...[...b4, ...b6].map((b) => `  if ( net = ${b} ) then accept;`),
    '  reject;',
    '}',
    'template bgp bgp_template {',
    '  graceful restart;',
    '  connect delay time 2;',
    '  connect retry time 5;',
    '  error wait time 5,30;',
    '}',
    ...o.reflectors4.flatMap((rr) => peer(rr, o.ipv4, 'ipv4')),
    ...(o.ipv6 !== undefined ? (o.reflectors6 ?? []).flatMap((rr) => peer(rr, o.ipv6 ?? '', 'ipv6')) : []),
  ];
  return `${lines.join('\n')}\n`;
}
