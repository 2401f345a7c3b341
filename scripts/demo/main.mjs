// The demo's steps: start, then show the cluster until Ctrl-C, or (--once) until
// every node holds every other node's block.
import { HELP, parseArgs } from './args.mjs';
import { pickFlavor, startCluster } from './cluster.mjs';
import { complete, render, sample } from './view.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function main(argv) {
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
  const log = (msg) => process.stdout.write(`demo: ${msg}\n`);
  // Teardowns of the harness, run newest first. Ctrl-C: the harness's exit handler
  // kills every process group and removes every file it made.
  const teardowns = [];
  const t = { teardown: (fn) => void teardowns.push(fn) };
  const stop = async () => {
    for (const fn of teardowns.reverse()) await fn();
  };
  process.on('exit', () => process.stdout.write('demo: stopped, everything cleaned up\n'));
  const tty = process.stdout.isTTY && !opts.once;
  const started = Date.now();
  try {
    const flavor = pickFlavor(opts.flavor);
    const cluster = await startCluster(t, { nodes: opts.nodes, flavor, log });
    log(opts.once ? `waiting (at most ${opts.timeoutS} s) until every node holds every other node's block` : 'Ctrl-C to stop');
    const deadline = Date.now() + opts.timeoutS * 1000;
    for (;;) {
      const s = await sample(cluster);
      const done = complete(cluster, s);
      const peers = await cluster.replicas[0].cli(['peers']);
      const screen = render(cluster, s, peers.code === 0 ? peers.stdout : peers.stderr, (Date.now() - started) / 1000);
      if (tty) process.stdout.write(`\x1b[H\x1b[2J${screen}\n`);
      if (opts.once) {
        if (done) {
          process.stdout.write(`${screen}\n\ndemo: every node holds every other node's block (${((Date.now() - started) / 1000).toFixed(1)} s after start)\n`);
          return 0;
        }
        if (Date.now() > deadline) {
          process.stdout.write(`${screen}\n\ndemo: FAILED: not every node holds every other node's block after ${opts.timeoutS} s\n`);
          for (const r of cluster.replicas) process.stdout.write(`--- last output of ${r.name} ---\n${(r.proc?.output ?? '').slice(-1500)}\n`);
          return 1;
        }
      } else if (!tty) {
        process.stdout.write(`${screen}\n\n`);
      }
      await sleep(opts.once ? 1000 : 2000);
    }
  } catch (err) {
    process.stderr.write(`demo: ${err?.stack ?? err}\n`);
    return 1;
  } finally {
    await stop();
  }
}
