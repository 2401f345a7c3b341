// The demo's steps: start the cluster, then show it until Ctrl-C or, with --once,
// until every node holds every other node's block (exit 0) or the time is up (exit 1).
//
// Cleanup: every process runs in its own process group under the test harness
// (test/harness/proc.ts). On success, failure or a signal the demo stops them all
// (SIGTERM, then SIGKILL after a grace period, newest first: nodes, replicas, etcd)
// and removes its files; a second Ctrl-C kills everything at once. Should the demo
// itself die, the harness's exit handler and its sweep of dead owners still do it.
import { runExitCleanups } from '../../test/harness/cleanup.js';
import { HELP, parseArgs } from './args.mjs';
import { pickFlavor, startCluster } from './cluster.mjs';
import { complete, failureReport, render, sample, sampleRoute } from './view.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
/** Longest a graceful stop may take before everything is killed. */
const STOP_GRACE_MS = 20_000;

export async function main(argv) {
  const out = (text) => process.stdout.write(`${text}\n`);
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`demo: ${err.message}\n${HELP}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const started = Date.now();
  const elapsedS = () => (Date.now() - started) / 1000;
  const log = (msg) => out(`demo: [${elapsedS().toFixed(1).padStart(5)} s] ${msg}`);

  // --- stopping: the harness's teardowns, newest first, each once.
  const teardowns = [];
  const stop = async () => {
    for (const fn of teardowns.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        // one failed teardown must not keep the others from running; say what it found
        // (e.g. a replica that ignored SIGTERM and had to be killed)
        out(`demo: ${err?.message ?? err}`);
      }
    }
  };
  let stopping = false;
  // Dies of the signal once everything is stopped, so that a calling shell (npm run)
  // sees an interrupted command.
  const dieOf = (sig) => {
    runExitCleanups();
    for (const s of SIGNALS) process.removeAllListeners(s);
    process.kill(process.pid, sig);
    setTimeout(() => process.exit(SIGNAL_EXIT[sig] ?? 1), 1000).unref();
  };
  const onSignal = (sig) => {
    if (stopping) {
      out('demo: killing everything now');
      dieOf(sig);
      return;
    }
    stopping = true;
    out(`\ndemo: ${sig}: stopping nodes, replicas and etcd (again to kill at once)`);
    setTimeout(() => {
      out('demo: stopping takes too long, killing everything');
      dieOf(sig);
    }, STOP_GRACE_MS).unref();
    void stop().then(() => {
      out('demo: stopped, everything cleaned up');
      dieOf(sig);
    });
  };
  // While a signal stops the demo, the steps under way end early (their processes
  // are going away): they wait here for the signal handler to finish and exit.
  const signalled = () => new Promise(() => undefined);
  // The harness installs its own signal handlers (SIGKILL everything, then die) the
  // first time it starts something; the demo stops gracefully instead, so it keeps
  // the signals to itself. The harness's exit handler stays as the last resort.
  const ownSignals = () => {
    for (const sig of SIGNALS) {
      for (const l of process.listeners(sig)) if (l !== onSignal) process.removeListener(sig, l);
      if (!process.listeners(sig).includes(onSignal)) process.on(sig, onSignal);
    }
  };
  const t = {
    teardown: (fn) => {
      teardowns.push(fn);
      ownSignals();
    },
  };
  ownSignals();

  let cluster;
  let last;
  const once = async () => {
    cluster = await startCluster(t, { nodes: opts.nodes, flavor: pickFlavor(opts.flavor), log });
    log("waiting until every node holds every other node's block");
    while (!stopping) {
      last = await sample(cluster);
      if (complete(last)) return;
      await sleep(1000);
    }
  };
  const watch = async () => {
    cluster = await startCluster(t, { nodes: opts.nodes, flavor: pickFlavor(opts.flavor), log });
    const r = cluster.replicas[0];
    log(`explore from another terminal, e.g.: ${r.shell('routes')}`);
    log('Ctrl-C to stop');
    const tty = process.stdout.isTTY === true;
    if (tty) await sleep(3000);
    while (!stopping) {
      last = await sample(cluster);
      const screen = render(cluster, last, elapsedS());
      if (tty) process.stdout.write(`\x1b[H\x1b[2J${screen}\n\nCtrl-C to stop; the replicas' CLI: ${r.shell('peers')}\n`);
      else out(`${screen}\n`);
      await sleep(tty ? 2000 : 5000);
    }
  };

  try {
    if (!opts.once) {
      await watch();
      return await signalled(); // the loop ends only when a signal stops the demo
    }
    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), opts.timeoutS * 1000);
    });
    const result = await Promise.race([once().then(() => 'done'), timedOut]);
    clearTimeout(timer);
    if (stopping) return await signalled();
    if (result === 'done') {
      out(`\n${render(cluster, last, elapsedS())}\n`);
      const route = await sampleRoute(cluster);
      if (route !== '') out(`${route}\n`);
      log(`OK: every node holds every other node's block (${cluster.nodes.length} nodes, 3 replicas), checked on every node`);
      return 0;
    }
    if (cluster === undefined) {
      log(`FAILED: the cluster did not start within ${opts.timeoutS} s`);
    } else {
      if (last !== undefined) out(`\n${render(cluster, last, elapsedS())}\n\n${failureReport(cluster, last)}\n`);
      log(`FAILED: not every node holds every other node's block after ${opts.timeoutS} s (see above)`);
    }
    return 1;
  } catch (err) {
    if (stopping) return await signalled();
    log(`FAILED: ${err?.stack ?? err}`);
    return 1;
  } finally {
    if (!stopping) {
      stopping = true;
      log('stopping nodes, replicas and etcd');
      await stop();
      log('stopped, everything cleaned up');
    }
  }
}
