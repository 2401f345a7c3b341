/**
 * Last-chance cleanup for everything the harness starts.
 *
 * Each resource (process group, network namespace, address lease) registers a
 * SYNCHRONOUS cleanup function here while it is alive. They all run:
 *   - when the test process exits for any reason ('exit' event; an uncaught
 *     exception ends in 'exit' too, tap reports it first),
 *   - when the test process receives SIGINT, SIGTERM or SIGHUP (tap sends SIGTERM
 *     on timeout); the signal is then re-raised so the process still dies of it.
 * Normal cleanup happens earlier, on t.teardown; this is the safety net.
 *
 * The only thing this cannot cover is SIGKILL of the test process: for that the
 * lease files and namespace names carry the owner's pid and start time, and the
 * next harness run sweeps what dead owners left behind (see sweep.ts users).
 */

export type SyncCleanup = () => void;

/** The part of a tap Test the harness needs (tap's Test and TAP both fit). */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

const registry = new Set<SyncCleanup>();

/** Problems found while tearing down each test's resources (see harnessTeardown). */
const problems = new WeakMap<Teardown, string[]>();

/**
 * Registers fn on t's teardown: every resource the harness owns is torn down this way.
 * The first call for a t registers, before fn, the check of what teardown found wrong
 * (teardownProblem). tap runs teardowns newest first and skips the rest once one
 * throws; registered first, the check runs last and its throw skips nothing of ours:
 * the test fails, naming each problem, after every resource is gone.
 */
export function harnessTeardown(t: Teardown, fn: () => unknown): void {
  if (!problems.has(t)) {
    const list: string[] = [];
    problems.set(t, list);
    t.teardown(() => {
      if (list.length > 0) throw new Error(`teardown: ${list.splice(0).join('; ')}`);
    });
  }
  t.teardown(fn);
}

/** Records a problem found while tearing down t's resources: t fails with it once its teardown is over. */
export function teardownProblem(t: Teardown, problem: string): void {
  const list = problems.get(t);
  if (list !== undefined) list.push(problem);
  else process.stderr.write(`harness: ${problem}\n`);
}
let installed = false;

/** Registers fn; returns a function that unregisters it (call it after normal cleanup). */
export function onExitSync(fn: SyncCleanup): () => void {
  install();
  registry.add(fn);
  return () => {
    registry.delete(fn);
  };
}

/** Runs every registered cleanup once, newest first; never throws. */
export function runExitCleanups(): void {
  const fns = [...registry].reverse();
  registry.clear();
  for (const fn of fns) {
    try {
      fn();
    } catch {
      // A cleanup that fails must not stop the others.
    }
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runExitCleanups);
  for (const sig of SIGNALS) {
    const handler = (): void => {
      runExitCleanups();
      process.removeListener(sig, handler);
      // With our listener gone, either another listener (tap's signal-exit) handles
      // the signal and re-raises it, or the default action terminates the process.
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}
