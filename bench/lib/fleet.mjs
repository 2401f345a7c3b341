/**
 * The fleet: N simulated Calico nodes, none of them our code. BIRD 2 processes, each
 * holding clientsPerProcess(N) clients. Client i has its own routing table t<i>, a
 * static protocol s<i> holding its block (blackhole, as Calico's bird_ipam template
 * does) and a BGP protocol c<i> with its own router id and source address, set up
 * like calico/node's template (multihop, graceful restart, add paths, connect delay
 * 2 s, retry 5 s, error wait 5-30 s, BIRD's default 240 s hold time). The export
 * filter sets NEXT_HOP to the client's 198.19.x.y next hop.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectBirdWhenReady, parseProtocolsAll, parseRoutesAll } from './birdctl.mjs';
import { cpuSeconds, peakRssMiB, startProc } from './proc.mjs';
import { AS, REFLECTOR } from './plan.mjs';
import { tools } from './tools.mjs';

/**
 * Clients per BIRD process. A process keeps one cached route attribute set (rta) per
 * route of each of its clients, clients x (N-1) of them, in a hash table that BIRD 2
 * stops growing at 32768 buckets; beyond that every imported route walks a longer
 * chain (at 250 clients per process and N = 5000: 1.25 M entries, chains of ~38, 55 %
 * of the fleet's CPU in that walk under perf). Keeping clients x N near 2^17 keeps the
 * chains short, so the fleet costs the same per route at every N.
 */
export function clientsPerProcess(n) {
  return Math.max(10, Math.min(250, Math.floor(2 ** 17 / n)));
}

function clientConfig(c, disabled) {
  return `
ipv4 table t${c.i};
protocol static s${c.i} { ipv4 { table t${c.i}; }; route ${c.prefix} blackhole; }
protocol bgp c${c.i} {
  router id ${c.addr};
  local ${c.addr} port 1179 as ${AS};
  neighbor ${REFLECTOR} port ${c.port} as ${AS};
  strict bind yes; multihop; graceful restart on;${disabled ? ' disabled yes;' : ''}
  connect delay time 2; connect retry time 5; error wait time 5,30;
  ipv4 {
    table t${c.i}; igp table master4; add paths on; import all;
    export filter { if net = ${c.prefix} then { bgp_next_hop = ${c.nextHop}; accept; } reject; };
  };
}`;
}

function processConfig(group, disabled) {
  return `# bench fleet process: clients ${group[0].i}..${group[group.length - 1].i}
router id ${group[0].addr};
log stderr { warning, error, remote, fatal, bug };
timeformat protocol "%F %T.%3f";
protocol device {}
protocol direct { ipv4; interface "nh0"; }
${group.map((c) => clientConfig(c, disabled)).join('\n')}
`;
}

/**
 * Writes the configs and starts the fleet processes. Clients dial 1.5-2 s after their
 * protocol starts: at once (storm), or, with `disabled`, when enable() starts them.
 */
export async function startFleet(dir, clients, { disabled = false, echo = false, sched = 'normal' } = {}) {
  const groups = [];
  const per = clientsPerProcess(clients.length);
  for (let k = 0; k < clients.length; k += per) groups.push(clients.slice(k, k + per));
  const procs = groups.map((group, p) => {
    const conf = join(dir, `fleet-${p}.conf`);
    const sock = join(dir, `fleet-${p}.ctl`);
    writeFileSync(conf, processConfig(group, disabled));
    const bird = [tools.bird2, '-f', '-c', conf, '-s', sock];
    // The fleet stands in for N machines of their own: as SCHED_IDLE it runs only on CPU
    // time the reflector under test leaves (the same for every implementation;
    // docs/benchmarks.md). chrt execs bird: the pid is bird's.
    const [cmd, ...args] = sched === 'idle' ? [tools.chrt, '--idle', '0', ...bird] : bird;
    const proc = startProc(`fleet-${p}`, cmd, args, { echo });
    return { proc, sock, group };
  });
  const conns = await Promise.all(procs.map((p) => connectBirdWhenReady(p.sock)));
  const ctlOf = new Map();
  procs.forEach((p, k) => p.group.forEach((c) => ctlOf.set(c.i, conns[k])));
  return {
    clients,
    pids: procs.map((p) => p.proc.pid),
    /** Every BGP protocol of the fleet: name -> { up, since, info, imported, updates, withdraws }. */
    async protocols() {
      const maps = await Promise.all(conns.map((c) => c.cmd('show protocols all').then(parseProtocolsAll)));
      const all = new Map();
      for (const m of maps) for (const [k, v] of m) all.set(k, v);
      return all;
    },
    /** Routes in client i's table, with BGP attributes. */
    async routes(i) {
      return parseRoutesAll(await ctlOf.get(i).cmd(`show route all table t${i}`));
    },
    /** Starts client i's BGP protocol (ramp arrival). */
    async enable(i) {
      await ctlOf.get(i).cmd(`enable c${i}`);
    },
    /** Withdraws (enable=false) or re-announces client i's block. */
    async announce(i, enable) {
      await ctlOf.get(i).cmd(`${enable ? 'enable' : 'disable'} s${i}`);
    },
    cpuSeconds() {
      return procs.reduce((s, p) => s + (cpuSeconds(p.proc.pid) ?? 0), 0);
    },
    peakRssMiB() {
      return procs.reduce((s, p) => s + (peakRssMiB(p.proc.pid) ?? 0), 0);
    },
    exited() {
      return procs.filter((p) => !p.proc.running).map((p) => `${p.proc.name}: ${p.proc.output.slice(-500)}`);
    },
    async stop() {
      await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
      await Promise.all(procs.map((p) => p.proc.stop()));
    },
  };
}
