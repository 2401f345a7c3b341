/**
 * One benchmark run, executed INSIDE a fresh network namespace by run.mjs:
 *   node bench/lib/one-run.mjs '{"impl":"gobgpd","n":100,"dir":"/tmp/...","churn":10}'
 * Sets up the namespace (lo, the next-hop subnet, the per-client DNAT), starts the
 * reflector, then the fleet, measures, and prints one line "RESULT <json>".
 * Whatever is left running dies with the namespace (run.mjs deletes it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { churn, fullReflection, ramp, spotCheck, updateCount } from './measure.mjs';
import { clients as planClients, DNAT_BASE, REFLECTOR } from './plan.mjs';
import { mustRun, peakRssMiB, tcpCounters } from './proc.mjs';
import { startFleet } from './fleet.mjs';
import { reflectors } from './reflectors/index.mjs';
import { tools } from './tools.mjs';

async function setupNamespace(n) {
  await mustRun(tools.ip, ['link', 'set', 'lo', 'up']);
  // The clients' next hops (198.19.x.y) are on this link, so BIRD resolves them.
  await mustRun(tools.ip, ['link', 'add', 'nh0', 'type', 'veth', 'peer', 'name', 'nh1']);
  await mustRun(tools.ip, ['addr', 'add', '198.18.0.1/15', 'dev', 'nh0']);
  await mustRun(tools.ip, ['link', 'set', 'nh0', 'up']);
  await mustRun(tools.ip, ['link', 'set', 'nh1', 'up']);
  // Client i dials REFLECTOR:DNAT_BASE+i; locally generated packets pass the nat output hook.
  const rules = `table ip bench {
  chain out {
    type nat hook output priority -100;
    ip daddr ${REFLECTOR} tcp dport ${DNAT_BASE}-${DNAT_BASE + n - 1} dnat to ${REFLECTOR}:179
  }
}
`;
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(tools.nft, ['-f', '-'], { input: rules, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nft failed: ${r.stderr}`);
}

async function main() {
  const opts = JSON.parse(process.argv[2]);
  const impl = reflectors[opts.impl];
  const echo = Boolean(opts.echo);
  mkdirSync(opts.dir, { recursive: true });
  await setupNamespace(opts.n);
  const clients = planClients(opts.n);
  const result = { impl: opts.impl, n: opts.n, run: opts.run, arrival: opts.arrival, startedAt: new Date().toISOString() };
  const reflector = await impl.start({ dir: opts.dir, clients, echo, nodeArgs: opts.nodeArgs ?? [] });
  let fleet;
  try {
    await reflector.beforeFleet?.();
    const rampRate = opts.arrival === 'ramp' ? opts.rampRate : 0;
    fleet = await startFleet(opts.dir, clients, { disabled: rampRate > 0, echo, sched: opts.fleetSched ?? 'normal' });
    const timeoutMs = opts.timeoutMs ?? 120_000 + opts.n * 100 + (rampRate > 0 ? (opts.n / rampRate) * 1000 : 0);
    const ramping = rampRate > 0 ? ramp(fleet, rampRate) : Promise.resolve();
    Object.assign(result, await fullReflection(fleet, reflector, timeoutMs));
    // Read at full reflection: did a listener drop connections (SYN retries, late sessions)?
    result.tcp = tcpCounters();
    await ramping;
    if (result.converged) {
      result.updates = await updateCount(fleet);
      result.spotCheck = await spotCheck(fleet);
      if (opts.churn > 0) result.churn = await churn(fleet, Math.min(opts.churn, opts.n - 1));
    }
    result.reflectorPeakRssMiB = peakRssMiB(reflector.pid);
    Object.assign(result, await reflector.extra?.());
    result.fleetPeakRssMiB = fleet.peakRssMiB();
    result.fleetProcesses = fleet.pids.length;
  } finally {
    await fleet?.stop();
    await reflector.stop();
    writeFileSync(join(opts.dir, `${opts.impl}.log`), reflector.proc.output);
  }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`one-run: ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
