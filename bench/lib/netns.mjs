/**
 * One network namespace per benchmark run, named bgprr-bench-<our pid>-<seq>.
 * Deleting it first kills every process inside (daemons, fleet, the run itself), so
 * nothing outlives the benchmark; namespaces left by a benchmark that was SIGKILLed
 * are deleted by the next one (their pid is gone).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tools } from './tools.mjs';

const PREFIX = 'bgprr-bench-';
let seq = 0;
const live = new Set();

function ip(args) {
  return execFileSync(tools.ip, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function createNetns() {
  const name = `${PREFIX}${process.pid}-${++seq}`;
  ip(['netns', 'add', name]);
  live.add(name);
  return name;
}

/** Kills everything inside, then deletes the namespace. Synchronous: usable from exit handlers. */
export function deleteNetns(name) {
  try {
    for (const pid of ip(['netns', 'pids', name]).split(/\s+/).filter(Boolean)) {
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
    ip(['netns', 'del', name]);
  } catch {
    // already deleted
  }
  live.delete(name);
}

export function deleteAllNetns() {
  for (const name of [...live]) deleteNetns(name);
}

/** Deletes namespaces of benchmarks that are no longer running. */
export function sweepStaleNetns() {
  let list = '';
  try {
    list = ip(['netns', 'list']);
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const m = new RegExp(`^${PREFIX}(\\d+)-\\d+`).exec(line);
    if (m && !existsSync(`/proc/${m[1]}`)) deleteNetns(line.split(' ')[0]);
  }
}
