/**
 * Who owns a lock, a namespace or a process group, and is that owner still alive?
 *
 * A pid alone can be reused by an unrelated process, so an owner is identified by
 * its pid and its start time (field 22 of /proc/<pid>/stat, in clock ticks since
 * boot). An owner is alive when /proc/<pid>/stat exists with that same start time.
 */
import { readFileSync } from 'node:fs';

export interface Owner {
  pid: number;
  startTime: string;
}

/** Start time of pid in clock ticks since boot, or undefined if there is no such process. */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces or ')'.
  const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // afterComm[0] is field 3 (state), so field 22 is afterComm[19].
  const start = afterComm[19];
  // A zombie has exited already: it holds nothing.
  if (afterComm[0] === 'Z') return undefined;
  return start;
}

export function selfOwner(): Owner {
  const startTime = processStartTime(process.pid);
  if (startTime === undefined) throw new Error('cannot read /proc/self/stat');
  return { pid: process.pid, startTime };
}

export function isAlive(owner: Owner): boolean {
  return processStartTime(owner.pid) === owner.startTime;
}

/** "pid:start", the form stored in lock files and names. */
export function formatOwner(owner: Owner): string {
  return `${owner.pid}:${owner.startTime}`;
}

export function parseOwner(text: string): Owner | undefined {
  const m = /^(\d+):(\d+)$/.exec(text.trim());
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { pid: Number(m[1]), startTime: m[2] };
}
