/**
 * Child processes for tests: real daemons (bird, gobgpd, etcd, bgp-rr, bgp-speaker)
 * started in their own process group, with bounded output capture, waiting helpers
 * and cleanup that cannot be forgotten:
 *   - on t.teardown: SIGTERM to the group, SIGKILL after killTimeoutMs; a process
 *     that had to be SIGKILLed (it ignored SIGTERM that long) fails the test, named
 *     with how long it was given (cleanup.ts teardownProblem);
 *   - on exit/SIGINT/SIGTERM of the test process: SIGKILL to the group (cleanup.ts);
 *   - after a SIGKILL of the test process: the next harness run kills groups whose
 *     owner is dead (records in /tmp/bgp-rr-test/procs, checked by start time).
 *
 * Start daemons in the foreground (`bird -f`, etcd, gobgpd): a daemon that forks and
 * calls setsid() leaves our process group and escapes cleanup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { harnessTeardown, onExitSync, teardownProblem, type Teardown } from './cleanup.js';
import { formatOwner, isAlive, parseOwner, processStartTime, selfOwner } from './liveness.js';
import { requireTool } from './tools.js';

const HARNESS_DIR = '/tmp/bgp-rr-test';
const PROC_DIR = join(HARNESS_DIR, 'procs');
const TMP_DIR = join(HARNESS_DIR, 'tmp');

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started (e.g. ENOENT). */
  error?: Error;
}

export interface SpawnOptions {
  cwd?: string;
  /** Environment added to process.env (use `env` to replace it entirely). */
  extraEnv?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** Name used in messages (default: basename of cmd). */
  name?: string;
  /** Bytes of combined output retained (default 4 MiB); older output is dropped. */
  maxOutputBytes?: number;
  /** stdout lines retained (default 100,000). */
  maxLines?: number;
  /** Grace between SIGTERM and SIGKILL in kill() and teardown (default 5 s). */
  killTimeoutMs?: number;
  /** 'pipe' to write to the process (proc.stdin); default 'ignore'. */
  stdin?: 'ignore' | 'pipe';
  /** Run inside this network namespace (`ip netns exec NAME cmd ...`). */
  netns?: string;
  /** Copy output to our stderr, prefixed with the name (also: BGP_RR_TEST_ECHO=1). */
  echo?: boolean;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Absolute position to search from: an outputLength (waitForOutput) or lineCount (waitForLine) taken earlier. */
  from?: number;
}

export interface Proc {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** undefined while running. */
  readonly exitInfo: ExitInfo | undefined;
  readonly running: boolean;
  readonly stdin: Writable | null;
  /** Retained combined stdout+stderr, stdout alone, stderr alone. */
  readonly output: string;
  readonly stdout: string;
  readonly stderr: string;
  /** Total characters of combined output seen so far (a mark for WaitOptions.from). */
  readonly outputLength: number;
  /** Total complete stdout lines seen so far (a mark for WaitOptions.from). */
  readonly lineCount: number;
  /** Retained complete stdout lines. */
  lines(): string[];
  /** Calls fn for each complete stdout line from now on; returns an unsubscribe function. */
  onLine(fn: (line: string) => void): () => void;
  /** Resolves with the match once re matches the combined output (from opts.from on). */
  waitForOutput(re: RegExp, opts?: WaitOptions): Promise<RegExpMatchArray>;
  /** Resolves with the first stdout line (from line opts.from on) for which pred is true. */
  waitForLine(pred: (line: string) => boolean, opts?: WaitOptions): Promise<string>;
  /** Sends sig to the whole process group; no waiting. */
  signal(sig: NodeJS.Signals): void;
  /** Sends sig (default SIGTERM) to the group, SIGKILL after the grace period, waits for exit. */
  kill(sig?: NodeJS.Signals, opts?: { timeoutMs?: number }): Promise<ExitInfo>;
  /** Set once kill() had to escalate to SIGKILL: the signal it ignored and for how long. */
  readonly escalated: { readonly signal: NodeJS.Signals; readonly afterMs: number } | undefined;
}

let swept = false;
let seq = 0;

/**
 * Starts cmd in its own process group; it is killed on t.teardown and on exit of the
 * test process. Whenever kill() has to escalate to SIGKILL (on teardown or when the
 * test calls it), t fails naming the process: a daemon must stop on SIGTERM.
 */
export function spawnProc(t: Teardown, cmd: string, args: readonly string[] = [], opts: SpawnOptions = {}): Proc {
  const proc = startProc(cmd, args, opts);
  harnessTeardown(t, async () => {
    try {
      await proc.kill('SIGTERM');
    } catch {
      // teardown must not throw: tap would skip the remaining teardowns
    }
  });
  (proc as ProcImpl).onEscalate = (sig, afterMs) => {
    const tail = proc.output.trimEnd().split('\n').slice(-8).join('\n');
    teardownProblem(t, `${proc.name} (pid ${proc.pid}) ignored ${sig}: still running ${afterMs} ms later, killed with SIGKILL${tail === '' ? '' : `; its last output:\n${tail}`}`);
  };
  return proc;
}

/**
 * scripts/test.sh marks every process of a run (BGP_RR_TEST_RUN, for its leftovers check):
 * a process given an environment of its own keeps the mark too, unless it sets one.
 */
function withRunMark(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const mark = process.env.BGP_RR_TEST_RUN;
  return mark === undefined || env.BGP_RR_TEST_RUN !== undefined ? env : { ...env, BGP_RR_TEST_RUN: mark };
}

/** Same as spawnProc without a test (kill() it yourself; the exit handler also does). */
export function startProc(cmd: string, args: readonly string[] = [], opts: SpawnOptions = {}): Proc {
  if (!swept) {
    swept = true;
    sweepDeadOwners();
  }
  const name = opts.name ?? `${cmd.split('/').pop() ?? cmd}#${++seq}`;
  const [file, argv] =
    opts.netns === undefined ? [cmd, [...args]] : [requireTool('ip'), ['netns', 'exec', opts.netns, cmd, ...args]];
  const env = withRunMark(opts.env ?? { ...process.env, ...opts.extraEnv });
  const child = spawn(file, argv, {
    cwd: opts.cwd,
    env,
    detached: true, // setsid(): the child leads a new process group
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  return new ProcImpl(name, child, opts);
}

class ProcImpl implements Proc {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | undefined;
  readonly stdin: Writable | null;
  escalated: { readonly signal: NodeJS.Signals; readonly afterMs: number } | undefined;
  /** Told when kill() escalates to SIGKILL (spawnProc: the test fails). */
  onEscalate: ((sig: NodeJS.Signals, afterMs: number) => void) | undefined;

  readonly #maxBytes: number;
  readonly #maxLines: number;
  readonly #killTimeoutMs: number;
  readonly #echo: boolean;
  #combined = '';
  #combinedDropped = 0;
  #out = '';
  #err = '';
  #lines: string[] = [];
  #linesDropped = 0;
  #partial = '';
  #lineListeners = new Set<(line: string) => void>();
  #changeListeners = new Set<() => void>();
  #closed = false;
  #unregisterExit: () => void = () => undefined;
  #record: string | undefined;
  #leaderStart: string | undefined;

  constructor(name: string, child: ChildProcess, opts: SpawnOptions) {
    this.name = name;
    this.pid = child.pid ?? -1;
    this.stdin = child.stdin;
    this.#maxBytes = opts.maxOutputBytes ?? 4 * 1024 * 1024;
    this.#maxLines = opts.maxLines ?? 100_000;
    this.#killTimeoutMs = opts.killTimeoutMs ?? 5_000;
    this.#echo = opts.echo ?? process.env.BGP_RR_TEST_ECHO === '1';

    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (s: string) => this.#onData(s, 'out'));
    child.stderr?.on('data', (s: string) => this.#onData(s, 'err'));

    this.exited = new Promise<ExitInfo>((resolve) => {
      const done = (info: ExitInfo): void => {
        if (this.exitInfo !== undefined) return;
        this.exitInfo = info;
        this.#unregisterExit();
        this.#removeRecord();
        resolve(info);
        // Output may still arrive after 'exit'; give it a moment before failing waiters.
        setTimeout(() => this.#markClosed(), 300).unref();
      };
      child.on('exit', (code, signal) => done({ code, signal }));
      child.on('error', (error) => done({ code: null, signal: null, error }));
    });
    child.on('close', () => this.#markClosed());

    if (this.pid > 0) {
      const pgid = this.pid;
      this.#unregisterExit = onExitSync(() => {
        killGroup(pgid, 'SIGKILL');
        this.#removeRecord();
      });
      this.#writeRecord();
    }
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.pid > 0;
  }
  get output(): string {
    return this.#combined;
  }
  get stdout(): string {
    return this.#out;
  }
  get stderr(): string {
    return this.#err;
  }
  get outputLength(): number {
    return this.#combinedDropped + this.#combined.length;
  }
  get lineCount(): number {
    return this.#linesDropped + this.#lines.length;
  }
  lines(): string[] {
    return [...this.#lines];
  }

  onLine(fn: (line: string) => void): () => void {
    this.#lineListeners.add(fn);
    return () => {
      this.#lineListeners.delete(fn);
    };
  }

  waitForOutput(re: RegExp, opts: WaitOptions = {}): Promise<RegExpMatchArray> {
    const from = opts.from ?? 0;
    return this.#waitUntil(`output matching ${String(re)}`, opts.timeoutMs, () => {
      const text = this.#combined.slice(Math.max(0, from - this.#combinedDropped));
      return text.match(re) ?? undefined;
    });
  }

  waitForLine(pred: (line: string) => boolean, opts: WaitOptions = {}): Promise<string> {
    const from = opts.from ?? 0;
    let next = from; // absolute index of the next line to test
    return this.#waitUntil('a stdout line matching the predicate', opts.timeoutMs, () => {
      next = Math.max(next, this.#linesDropped);
      while (next < this.lineCount) {
        const line = this.#lines[next - this.#linesDropped];
        next++;
        if (line !== undefined && pred(line)) return line;
      }
      return undefined;
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (this.pid > 0 && this.exitInfo === undefined) killGroup(this.pid, sig);
  }

  async kill(sig: NodeJS.Signals = 'SIGTERM', opts: { timeoutMs?: number } = {}): Promise<ExitInfo> {
    if (this.pid <= 0) return this.exited;
    if (this.exitInfo === undefined) {
      killGroup(this.pid, sig);
      // A stopped (SIGSTOP) process only acts on the signal once continued.
      if (sig !== 'SIGKILL' && sig !== 'SIGSTOP') killGroup(this.pid, 'SIGCONT');
      const timeoutMs = opts.timeoutMs ?? this.#killTimeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const first = await Promise.race([this.exited, timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') {
        killGroup(this.pid, 'SIGKILL');
        this.escalated = { signal: sig, afterMs: timeoutMs };
        this.onEscalate?.(sig, timeoutMs);
      }
    }
    const info = await this.exited;
    this.#sweepGroup();
    return info;
  }

  /**
   * Kills what is left of the group (children of the leader) after the leader
   * exited. The leader's pid may have been reused since (pid_max can be 32768), so
   * only when no process has that pid any more (the number then still names our
   * group: Linux does not reuse a pid that is some group's id) or it is still ours.
   */
  #sweepGroup(): void {
    const start = processStartTime(this.pid);
    if (start === undefined || start === this.#leaderStart) killGroup(this.pid, 'SIGKILL');
  }

  #onData(s: string, stream: 'out' | 'err'): void {
    if (this.#echo) process.stderr.write(prefixLines(`[${this.name}${stream === 'err' ? '!' : ''}] `, s));
    this.#combined += s;
    if (this.#combined.length > this.#maxBytes) {
      const cut = this.#combined.length - Math.floor(this.#maxBytes * 0.75);
      this.#combined = this.#combined.slice(cut);
      this.#combinedDropped += cut;
    }
    if (stream === 'out') {
      this.#out = trimTo(this.#out + s, this.#maxBytes);
      this.#splitLines(s);
    } else {
      this.#err = trimTo(this.#err + s, this.#maxBytes);
    }
    for (const fn of this.#changeListeners) fn();
  }

  #splitLines(s: string): void {
    const parts = (this.#partial + s).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const line of parts) {
      this.#lines.push(line);
      for (const fn of this.#lineListeners) fn(line);
    }
    if (this.#lines.length > this.#maxLines) {
      const cut = this.#lines.length - Math.floor(this.#maxLines * 0.75);
      this.#lines.splice(0, cut);
      this.#linesDropped += cut;
    }
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#partial !== '') {
      const line = this.#partial;
      this.#partial = '';
      this.#lines.push(line);
      for (const fn of this.#lineListeners) fn(line);
    }
    for (const fn of this.#changeListeners) fn();
  }

  /** Resolves with check()'s first non-undefined value; rejects on timeout or exit. */
  #waitUntil<T>(what: string, timeoutMs = 30_000, check: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (err: Error | undefined, value?: T): void => {
        this.#changeListeners.delete(onChange);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as T);
      };
      const onChange = (): void => {
        let value: T | undefined;
        try {
          value = check();
        } catch (err) {
          finish(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (value !== undefined) finish(undefined, value);
        else if (this.#closed) finish(new Error(`${this.name} exited (${describeExit(this.exitInfo)}) before ${what}\n${this.#tail()}`));
      };
      this.#changeListeners.add(onChange);
      const timer = setTimeout(() => {
        finish(new Error(`timed out after ${timeoutMs} ms waiting for ${this.name}: ${what}\n${this.#tail()}`));
      }, timeoutMs);
      onChange();
    });
  }

  #tail(): string {
    const tail = this.#combined.slice(-3000);
    return tail === '' ? '(no output)' : `--- last output of ${this.name} ---\n${tail}`;
  }

  #writeRecord(): void {
    const start = processStartTime(this.pid);
    this.#leaderStart = start;
    if (start === undefined) return;
    try {
      mkdirSync(PROC_DIR, { recursive: true });
      const record = join(PROC_DIR, `${formatOwner(selfOwner()).replace(':', '-')}-${this.pid}-${start}`);
      writeFileSync(record, this.name);
      this.#record = record;
    } catch {
      // Records only help sweeping after a SIGKILL; never fail a test on them.
    }
  }

  #removeRecord(): void {
    if (this.#record === undefined) return;
    try {
      unlinkSync(this.#record);
    } catch {
      // already gone
    }
    this.#record = undefined;
  }
}

function killGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // ESRCH: the group is gone already
  }
}

function trimTo(s: string, max: number): string {
  return s.length > max ? s.slice(s.length - Math.floor(max * 0.75)) : s;
}

function prefixLines(prefix: string, s: string): string {
  return s.replace(/^(?=.)/gm, prefix);
}

function describeExit(info: ExitInfo | undefined): string {
  if (info === undefined) return 'still running';
  if (info.error) return `failed to start: ${info.error.message}`;
  return info.signal ? `signal ${info.signal}` : `code ${String(info.code)}`;
}

/**
 * Kills process groups left by test processes that died without cleaning up
 * (SIGKILL). Only groups whose leader still has the recorded start time are killed.
 */
export function sweepDeadOwners(): void {
  let names: string[];
  try {
    names = readdirSync(PROC_DIR);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^(\d+)-(\d+)-(\d+)-(\d+)$/.exec(name);
    if (!m) continue;
    const owner = parseOwner(`${m[1]}:${m[2]}`);
    if (owner === undefined || isAlive(owner)) continue;
    const leader = Number(m[3]);
    if (processStartTime(leader) === m[4]) killGroup(leader, 'SIGKILL');
    try {
      unlinkSync(join(PROC_DIR, name));
    } catch {
      // another sweeper got it
    }
  }
}

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What we wait for, in words: it names the timeout error. */
  what: string;
}

/**
 * Polls fn until it returns a truthy value (returned) or the timeout passes (throws an
 * Error naming `what` with the last value or error). fn may throw: that counts as "not yet".
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitForOptions): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last: { value?: unknown; error?: unknown } = {};
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) {
      const detail =
        'error' in last
          ? `last error: ${last.error instanceof Error ? last.error.message : String(last.error)}`
          : `last value: ${safeJson(last.value)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what}; ${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 2000 ? `${s.slice(0, 2000)}...` : s;
  } catch {
    return String(v);
  }
}

/**
 * A fresh directory /tmp/bgp-rr-test/tmp/<prefix>-<pid>-<starttime>-XXXXXX, removed on
 * teardown and at exit (kept when BGP_RR_KEEP_TMP=1, for debugging); directories of
 * dead owners are swept at the next tmpDir call. Paths stay short: BIRD's control
 * socket path must fit in 108 bytes.
 */
export function tmpDir(t: Teardown, prefix = 'tmp-'): string {
  mkdirSync(TMP_DIR, { recursive: true });
  if (!tmpSwept) {
    tmpSwept = true;
    sweepDeadTmpDirs();
  }
  const owner = selfOwner();
  const sep = prefix === '' || prefix.endsWith('-') ? '' : '-';
  const dir = mkdtempSync(join(TMP_DIR, `${prefix}${sep}${owner.pid}-${owner.startTime}-`));
  const remove = (): void => {
    if (process.env.BGP_RR_KEEP_TMP === '1') return;
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onExitSync(remove);
  harnessTeardown(t, () => {
    unregister();
    try {
      remove();
    } catch {
      // teardown must not throw
    }
  });
  return dir;
}

let tmpSwept = false;

/** Removes temporary directories whose owner (a test process) is dead. */
export function sweepDeadTmpDirs(): void {
  if (process.env.BGP_RR_KEEP_TMP === '1') return;
  let names: string[];
  try {
    names = readdirSync(TMP_DIR);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /-(\d+)-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
    if (!m || m[1] === undefined || m[2] === undefined) continue;
    if (isAlive({ pid: Number(m[1]), startTime: m[2] })) continue;
    rmSync(join(TMP_DIR, name), { recursive: true, force: true });
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  extraEnv?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Killed (SIGKILL, whole group) after this long; default 60 s. */
  timeoutMs?: number;
  netns?: string;
}

/** Runs a short command to completion; never throws for a non-zero exit (see mustRun). */
export async function run(cmd: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<RunResult> {
  const proc = startProc(cmd, args, {
    cwd: opts.cwd,
    env: opts.env,
    extraEnv: opts.extraEnv,
    netns: opts.netns,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    name: cmd,
  });
  if (opts.input !== undefined) proc.stdin?.end(opts.input);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const timer = setTimeout(() => proc.signal('SIGKILL'), timeoutMs);
  const info = await proc.exited;
  clearTimeout(timer);
  await closedOrSoon(proc);
  if (info.error) throw new Error(`cannot run ${cmd}: ${info.error.message}`);
  return { code: info.code, signal: info.signal, stdout: proc.stdout, stderr: proc.stderr };
}

/** run() that throws (with the command's stderr) unless it exits 0. */
export async function mustRun(cmd: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<RunResult> {
  const res = await run(cmd, args, opts);
  if (res.code !== 0) {
    const how = res.signal ? `signal ${res.signal}` : `code ${String(res.code)}`;
    throw new Error(`${cmd} ${args.join(' ')} failed (${how}): ${res.stderr.trim() || res.stdout.trim()}`);
  }
  return res;
}

/** Waits for the remaining output after exit (up to the proc's own grace period). */
function closedOrSoon(proc: Proc): Promise<void> {
  return proc.waitForOutput(/(?!)/, { timeoutMs: 1_000 }).then(
    () => undefined,
    () => undefined,
  );
}
