/**
 * The figures of one run, read from the fleet (BIRD control sockets) and /proc:
 * full reflection, the UPDATE count, the attribute spot check and churn.
 */
import { CLUSTER_ID } from './plan.mjs';
import { cpuSeconds, sleep } from './proc.mjs';

/** Poll interval while waiting for full reflection: parsing `show protocols all` costs the fleet too. */
const pollMs = (n) => Math.max(100, Math.round(n / 10));

/**
 * Waits until every client is Established and holds the N-1 other blocks.
 * Returns the time from the first session Established (BIRD's "since", ms) to the
 * poll that saw the full table, and CPU used meanwhile.
 */
export async function fullReflection(fleet, reflector, timeoutMs) {
  const n = fleet.clients.length;
  const start = Date.now();
  const cpu0 = cpuSeconds(reflector.pid) ?? 0;
  const fleetCpu0 = fleet.cpuSeconds();
  let firstUp = Infinity;
  let last;
  // [ms since start, sessions up, clients full, routes imported] per poll: where a slow run spent its time.
  const trace = [];
  for (;;) {
    const protos = await fleet.protocols();
    let up = 0;
    let full = 0;
    let lastUp = 0;
    let imported = 0;
    for (const p of protos.values()) {
      if (!p.up) continue;
      up++;
      firstUp = Math.min(firstUp, p.since);
      lastUp = Math.max(lastUp, p.since);
      if (p.imported === n - 1) full++;
      imported += p.imported ?? 0;
    }
    const now = Date.now();
    last = { up, full };
    trace.push([now - start, up, full, imported]);
    if (full === n) {
      // Sessions Established per second since the first: shows SYN drops and retries.
      const perSecond = [];
      for (const p of protos.values()) {
        const k = Math.floor((p.since - firstUp) / 1000);
        perSecond[k] = (perSecond[k] ?? 0) + 1;
      }
      return {
        sessionsUpPerSecond: Array.from(perSecond, (x) => x ?? 0),
        trace: thin(trace, 60),
        converged: true,
        convergenceS: (now - firstUp) / 1000,
        sessionsUpS: (lastUp - firstUp) / 1000,
        afterLastUpS: (now - lastUp) / 1000,
        reflectorCpuS: (cpuSeconds(reflector.pid) ?? NaN) - cpu0,
        fleetCpuS: fleet.cpuSeconds() - fleetCpu0,
      };
    }
    if (!reflector.proc.running) throw new Error(`reflector exited: ${reflector.proc.output.slice(-2000)}`);
    const dead = fleet.exited();
    if (dead.length > 0) throw new Error(`fleet process exited: ${dead.join('\n')}`);
    if (now - start > timeoutMs) {
      return { converged: false, trace: thin(trace, 60), timeoutS: timeoutMs / 1000, sessionsUp: last.up, clientsFull: last.full, reflectorCpuS: (cpuSeconds(reflector.pid) ?? NaN) - cpu0, fleetCpuS: fleet.cpuSeconds() - fleetCpu0 };
    }
    await sleep(pollMs(n));
  }
}

/** At most max entries of list, evenly spaced, the last one kept. */
function thin(list, max) {
  if (list.length <= max) return list;
  const step = list.length / max;
  return Array.from({ length: max }, (_, k) => list[Math.min(list.length - 1, Math.round((k + 1) * step) - 1)]);
}

/** Route announcements (and withdrawals) the clients received, once the counters stop moving. */
export async function updateCount(fleet) {
  const total = async () => {
    const ps = [...(await fleet.protocols()).values()];
    return { received: ps.reduce((s, p) => s + p.updates, 0), withdraws: ps.reduce((s, p) => s + p.withdraws, 0) };
  };
  let prev = await total();
  for (let i = 0; i < 20; i++) {
    await sleep(1000);
    const cur = await total();
    if (cur.received === prev.received && cur.withdraws === prev.withdraws) break;
    prev = cur;
  }
  const n = fleet.clients.length;
  return { ...prev, ideal: n * (n - 1) };
}

/**
 * RFC 4456 §8 on a few clients: every reflected route keeps the originator's NEXT_HOP,
 * carries ORIGINATOR_ID = the originator's router id and CLUSTER_LIST with our cluster id.
 */
export async function spotCheck(fleet, samples = 3) {
  const { clients } = fleet;
  const byPrefix = new Map(clients.map((c) => [c.prefix, c]));
  const picks = [...new Set([0, Math.floor(clients.length / 2), clients.length - 1])].slice(0, samples);
  let checked = 0;
  const bad = [];
  for (const i of picks) {
    for (const r of await fleet.routes(i)) {
      const origin = byPrefix.get(r.prefix);
      if (!origin || origin.i === i) continue;
      checked++;
      const problems = [];
      if (r.nextHop !== origin.nextHop) problems.push(`next hop ${r.nextHop} != ${origin.nextHop}`);
      if (r.originatorId !== origin.addr) problems.push(`ORIGINATOR_ID ${r.originatorId} != ${origin.addr}`);
      if (!r.clusterList?.includes(CLUSTER_ID)) problems.push(`CLUSTER_LIST ${r.clusterList?.join(' ')} lacks ${CLUSTER_ID}`);
      if (problems.length > 0 && bad.length < 5) bad.push(`client ${i} ${r.prefix}: ${problems.join(', ')}`);
    }
  }
  return { clients: picks.length, routes: checked, expected: picks.length * (clients.length - 1), ok: bad.length === 0 && checked === picks.length * (clients.length - 1), bad };
}

/** Waits until client i holds expected(i) routes; returns seconds since t0. */
async function until(fleet, expected, t0, timeoutMs) {
  for (;;) {
    const protos = await fleet.protocols();
    if (fleet.clients.every((c) => protos.get(`c${c.i}`)?.imported === expected(c.i))) return (Date.now() - t0) / 1000;
    if (Date.now() - t0 > timeoutMs) return undefined;
    await sleep(50);
  }
}

/** Ramp arrival: starts the clients' sessions at `rate` per second, in 100 ms steps. */
export async function ramp(fleet, rate) {
  const perStep = Math.max(1, Math.round(rate / 10));
  for (let k = 0; k < fleet.clients.length; k += perStep) {
    const t = Date.now();
    await Promise.all(fleet.clients.slice(k, k + perStep).map((c) => fleet.enable(c.i)));
    await sleep(Math.max(0, 100 - (Date.now() - t)));
  }
}

/** K clients withdraw their block, then announce it again; time until every client has seen each. */
export async function churn(fleet, k, timeoutMs = 60_000) {
  const n = fleet.clients.length;
  const step = Math.floor(n / k);
  const churned = new Set(Array.from({ length: k }, (_, j) => j * step));
  const t0 = Date.now();
  await Promise.all([...churned].map((i) => fleet.announce(i, false)));
  const withdrawS = await until(fleet, (i) => n - 1 - k + (churned.has(i) ? 1 : 0), t0, timeoutMs);
  const t1 = Date.now();
  await Promise.all([...churned].map((i) => fleet.announce(i, true)));
  const announceS = await until(fleet, () => n - 1, t1, timeoutMs);
  return { k, withdrawS, announceS };
}
