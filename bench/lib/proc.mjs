/**
 * Child processes for the benchmark: daemons in the foreground, their output kept
 * (bounded), their CPU time and peak RSS read from /proc.
 *
 * Cleanup does not depend on this file: every run happens inside a network namespace
 * (see netns.mjs), and deleting it kills whatever is still inside.
 */
import { spawn, execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX_OUTPUT = 256 * 1024;
/** USER_HZ: /proc/PID/stat counts CPU time in these ticks (100 on Linux). */
const CLK_TCK = 100;

/** Starts cmd; `waitFor(re)` resolves once the output matches re. */
export function startProc(name, cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
  let output = '';
  const waiters = new Set();
  const onData = (chunk) => {
    output += chunk;
    if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT / 2);
    if (opts.echo) process.stderr.write(`[${name}] ${chunk}`);
    for (const w of waiters) w();
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  let exitInfo;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      for (const w of waiters) w();
      resolve(exitInfo);
    });
    child.on('error', (error) => {
      exitInfo = { code: null, signal: null, error };
      for (const w of waiters) w();
      resolve(exitInfo);
    });
  });
  return {
    name,
    pid: child.pid,
    exited,
    get running() {
      return exitInfo === undefined;
    },
    get output() {
      return output;
    },
    waitFor(re, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = output.match(re);
          if (m) return done(undefined, m);
          if (exitInfo) done(new Error(`${name} exited (${JSON.stringify(exitInfo)}) before ${re}\n${output.slice(-2000)}`));
        };
        const done = (err, m) => {
          waiters.delete(check);
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(m);
        };
        const timer = setTimeout(() => done(new Error(`${name}: no ${re} after ${timeoutMs} ms\n${output.slice(-2000)}`)), timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop(timeoutMs = 5000) {
      if (exitInfo) return exitInfo;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(t);
      return exitInfo;
    },
  };
}

/** Runs a command to completion: { code, stdout, stderr }. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr: stderr || (err ? err.message : '') });
    });
  });
}

export async function mustRun(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r;
}

/** utime + stime of pid in seconds (undefined once it is gone). */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // fields 14 and 15 of stat(5)
  } catch {
    return undefined;
  }
}

/** Peak resident set size of pid in MiB (VmHWM), undefined once it is gone. */
export function peakRssMiB(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a value other than undefined; an error from fn ends the wait. */
export async function poll(fn, { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** True once something listens on addr:port (this process's network namespace). */
export function isListening(addr, port) {
  const [a, b, c, d] = addr.split('.').map(Number);
  // /proc/net/tcp writes the address as a little-endian 32-bit hex number.
  const hex = [d, c, b, a].map((x) => x.toString(16).padStart(2, '0')).join('').toUpperCase();
  const want = `${hex}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const any = `00000000:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const text = readFileSync('/proc/net/tcp', 'utf8');
  return text.split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return (f[1] === want || f[1] === any) && f[3] === '0A'; // 0A = TCP_LISTEN
  });
}

/** Waits until proc listens on addr:port; fails at once if proc exits. */
export function waitListening(proc, addr, port, timeoutMs = 60_000) {
  return poll(() => {
    if (isListening(addr, port)) return true;
    if (!proc.running) throw new Error(`${proc.name} exited before listening on ${addr}:${port}\n${proc.output.slice(-2000)}`);
    return undefined;
  }, { what: `${proc.name} listening on ${addr}:${port}`, timeoutMs });
}

/**
 * TCP counters of the current network namespace (/proc/net/snmp, /proc/net/netstat):
 * ListenOverflows/ListenDrops count SYNs and handshakes a listener's full accept queue
 * dropped (the client then retransmits its SYN after 1, 3, 7... s), the rest show
 * failed and retransmitted connections. Per namespace, so per run.
 */
export function tcpCounters() {
  const out = {};
  const want = { Tcp: ['ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'RetransSegs'], TcpExt: ['ListenOverflows', 'ListenDrops', 'SyncookiesSent', 'TCPReqQFullDrop'] };
  for (const file of ['/proc/net/snmp', '/proc/net/netstat']) {
    let lines;
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      continue;
    }
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = lines[i].split(/\s+/);
      const values = lines[i + 1].split(/\s+/);
      const group = names[0].replace(/:$/, '');
      for (const key of want[group] ?? []) {
        const k = names.indexOf(key);
        if (k > 0) out[key] = Number(values[k]);
      }
    }
  }
  return out;
}
