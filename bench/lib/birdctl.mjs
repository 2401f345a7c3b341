/**
 * A client for BIRD's control socket (what birdc speaks), one connection kept open so
 * polling costs no process start. Protocol (BIRD doc/prog "CLI"): the server greets
 * with "0001 BIRD x.y ready."; each reply line is a 4-digit code then '-' (more
 * follows) or ' ' (last line), or a ' ' continuation of the previous code. A reply ends
 * at the first code followed by a space ("0000", "0013 ...", or an error: 8xxx
 * runtime, 9xxx parse).
 */
import { createConnection } from 'node:net';
import { register } from 'tsx/esm/api';

// The BIRD route parser is the tests' (TypeScript): tsx loads it here, in a namespace
// of its own (as slot.mjs loads the slot lock), so nothing else runs through tsx.
const harness = register({ namespace: 'bgp-rr-bench-bird-routes' });
const { birdPathList, parseBirdRoutes } = await harness.import('../../test/harness/bird-routes.ts', import.meta.url);

export async function connectBird(path) {
  const sock = createConnection(path);
  sock.setEncoding('utf8');
  let buf = '';
  let lines = [];
  let pending; // { resolve, reject }
  const queue = [];
  // As birdc's server_got_reply(): a code followed by ' ' is the last line of a reply.
  const onLine = (line) => {
    if (line.startsWith('+')) return; // asynchronous message
    const m = /^(\d{4})([- ])(.*)$/.exec(line);
    if (!m) {
      lines.push(line.slice(1)); // ' ' continuation
      return;
    }
    if (m[1] !== '0000') lines.push(m[3]);
    if (m[2] === '-') return;
    const p = pending;
    const body = lines;
    lines = [];
    pending = undefined;
    if (m[1][0] === '8' || m[1][0] === '9') p?.reject(new Error(`bird: ${m[3]}`));
    else p?.resolve(body);
    next();
  };
  const next = () => {
    if (pending || queue.length === 0) return;
    const job = queue.shift();
    pending = job;
    if (job.cmd !== undefined) sock.write(`${job.cmd}\n`);
  };
  sock.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      onLine(line);
    }
  });
  // A reply that never comes (BIRD died) must not hang the benchmark.
  let closedErr;
  const failAll = (err) => {
    closedErr ??= err;
    pending?.reject(err);
    pending = undefined;
    for (const j of queue.splice(0)) j.reject(err);
  };
  const closed = new Promise((resolve) =>
    sock.on('close', () => {
      failAll(new Error(`bird control socket ${path} closed`));
      resolve();
    }),
  );
  sock.on('error', failAll);
  // The greeting counts as the reply to an empty first job.
  await new Promise((resolve, reject) => {
    queue.push({ cmd: undefined, resolve, reject });
    next();
  });
  return {
    /** Sends one command; resolves with the reply lines, codes stripped. */
    cmd(cmd) {
      return new Promise((resolve, reject) => {
        if (closedErr) return reject(closedErr);
        queue.push({ cmd, resolve, reject });
        next();
      });
    },
    close() {
      sock.end();
      return closed;
    },
  };
}

/** Connects, retrying while BIRD starts up. */
export async function connectBirdWhenReady(path, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connectBird(path);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Parses `show protocols all` (BIRD 2): per BGP protocol its state, Established
 * since (ms epoch, with `timeformat protocol "%F %T.%3f"`), routes imported, import
 * updates received and import withdraws received.
 */
export function parseProtocolsAll(lines) {
  const out = new Map();
  let cur;
  for (const line of lines) {
    const head = /^(\S+)\s+BGP\s+\S+\s+(\S+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\s*(\S*)/.exec(line);
    if (head) {
      cur = { name: head[1], up: head[2] === 'up', since: Date.parse(head[3].replace(' ', 'T')), info: head[4], imported: 0, updates: 0, withdraws: 0 };
      out.set(cur.name, cur);
      continue;
    }
    if (/^\S/.test(line)) {
      cur = undefined; // another protocol kind, or the table header
      continue;
    }
    if (!cur) continue;
    let m;
    if ((m = /^\s+Routes:\s+(\d+) imported/.exec(line))) cur.imported = Number(m[1]);
    else if ((m = /^\s+Import updates:\s+(\d+)/.exec(line))) cur.updates = Number(m[1]);
    else if ((m = /^\s+Import withdraws:\s+(\d+)/.exec(line))) cur.withdraws = Number(m[1]);
  }
  return out;
}

/**
 * Parses `show route all` reply lines (codes stripped, as cmd() returns them: the
 * listing birdc prints) into every path, [{ prefix, nextHop, originatorId, clusterList,
 * ... }], with the tests' parser (test/harness/bird-routes.ts, one for BIRD 1.6 and 2).
 */
export function parseRoutesAll(lines) {
  return birdPathList(parseBirdRoutes(lines.join('\n')));
}
