import t, { type Test } from 'tap';
import { fileURLToPath } from 'node:url';
import { createLan, createNetns, sweepDeadNamespaces, type Netns } from './netns.js';
import { mustRun, spawnProc, waitFor } from './proc.js';
import { processStartTime } from './liveness.js';
import { requireTool } from './tools.js';

const ip = requireTool('ip');
const child = fileURLToPath(new URL('./fixtures/netns-child.ts', import.meta.url));

async function namespaces(): Promise<string[]> {
  const res = await mustRun(ip, ['netns', 'list']);
  return res.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** TCP from client to host:port (both inside namespaces): a node server answers "hi". */
async function tcpCheck(t: Test, server: Netns, client: Netns, host: string): Promise<void> {
  const listen = `require('net').createServer((s) => s.end('hi')).listen(7001, ${JSON.stringify(host)}, () => console.log('listening'))`;
  const srv = server.spawn(t, process.execPath, ['-e', listen]);
  await srv.waitForOutput(/listening/, { timeoutMs: 10_000 });
  const connect = `require('net').connect(7001, ${JSON.stringify(host)}).on('data', (d) => process.stdout.write(d))`;
  const res = await client.mustExec(process.execPath, ['-e', connect], { timeoutMs: 10_000 });
  t.equal(res.stdout, 'hi', `${client.name} reached ${host}:7001 in ${server.name}`);
  await srv.kill();
}

function alive(pid: number): boolean {
  return processStartTime(pid) !== undefined;
}

t.test('a namespace has lo up, runs commands, and is gone after teardown with its processes', async (t) => {
  let name = '';
  let sleeper = 0;
  let stray = 0;
  await t.test('inner', async (t) => {
    const ns = await createNetns(t);
    name = ns.name;
    t.match(name, /^bgprr-\d+-\d+-\d+$/);
    t.ok((await namespaces()).includes(name), 'listed by ip netns');
    const lo = await ns.mustExec(ip, ['-o', 'link', 'show', 'lo']);
    t.match(lo.stdout, /UP/, 'lo is up');
    const p = ns.spawn(t, 'sleep', ['300']);
    sleeper = p.pid;
    // A second process inside the namespace not started by the harness: found by `ip netns pids`.
    const res = await ns.mustExec('sh', ['-c', 'sleep 301 >/dev/null 2>&1 & echo $!']);
    stray = Number(res.stdout.trim());
    t.ok(alive(stray));
    const pids = await mustRun(ip, ['netns', 'pids', name]);
    t.match(pids.stdout, String(sleeper), 'the spawned process runs inside the namespace');
  });
  t.notOk((await namespaces()).includes(name), 'namespace deleted after teardown');
  t.notOk(alive(sleeper), 'process inside killed');
  t.notOk(alive(stray), 'stray process killed with the namespace');
});

t.test('a veth link connects two namespaces with IPv4 and IPv6', async (t) => {
  const a = await createNetns(t);
  const b = await createNetns(t);
  const link = await a.addVeth(b);
  t.match(link.local.ipv4Cidr, /^10\.250\.\d+\.\d+\/30$/);
  t.equal(link.remote.ns, b);
  await tcpCheck(t, b, a, link.remote.ipv4);
  await tcpCheck(t, a, b, link.local.ipv6);
  // The host namespace has neither address.
  const host = await mustRun(ip, ['-o', 'addr', 'show']);
  t.notMatch(host.stdout, link.local.ipv4 + '/');
});

t.test('a LAN joins many namespaces through a bridge', async (t) => {
  const lan = await createLan(t);
  t.match(lan.ipv4Subnet, /^10\.\d+\.0\.0\/16$/);
  const nodes = await Promise.all([1, 2, 300].map(() => createNetns(t)));
  const ends = [];
  for (const [k, hostIndex] of [1, 2, 300].entries()) {
    const node = nodes[k];
    if (node === undefined) throw new Error('missing node');
    ends.push(await lan.attach(node, hostIndex));
  }
  t.equal(ends[2]?.ipv4, lan.ipv4(300));
  t.equal(lan.ipv4(300), `10.${lan.index}.1.44`);
  t.equal(lan.ipv6(300), `fd00:${lan.index.toString(16)}::12c`);
  t.throws(() => lan.ipv4(0), RangeError);
  const [n1, n2, n300] = nodes as [Netns, Netns, Netns];
  await tcpCheck(t, n300, n1, lan.ipv4(300));
  await tcpCheck(t, n2, n300, lan.ipv6(2));
  // A route learned by one namespace stays in its own kernel table.
  await nodes[1]?.ip(['route', 'add', '172.16.5.0/24', 'via', lan.ipv4(1)]);
  const r = await nodes[1]?.mustExec(ip, ['route', 'show', '172.16.5.0/24']);
  t.match(r?.stdout, `172.16.5.0/24 via ${lan.ipv4(1)}`);
  const other = await nodes[2]?.mustExec(ip, ['route', 'show', '172.16.5.0/24']);
  t.equal(other?.stdout, '', 'not in another namespace');
});

t.test('sysctls are set inside the namespace', async (t) => {
  const ns = await createNetns(t, { sysctls: { 'net.ipv4.ip_forward': '1' } });
  const r = await ns.mustExec('cat', ['/proc/sys/net/ipv4/ip_forward']);
  t.equal(r.stdout.trim(), '1');
});

t.test('the exit handler deletes namespaces when the test process dies of SIGTERM; a SIGKILLed owner is swept', async (t) => {
  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    const p = spawnProc(t, process.execPath, ['--import', 'tsx', child], { name: `netns-child-${sig}` });
    const m = await p.waitForOutput(/created (\S+) (\d+)/, { timeoutMs: 20_000 });
    const name = m[1] ?? '';
    const inside = Number(m[2]);
    t.ok((await namespaces()).includes(name), `${sig}: namespace exists`);
    await p.kill(sig);
    if (sig === 'SIGKILL') {
      t.ok((await namespaces()).includes(name), 'SIGKILL leaves the namespace behind');
      sweepDeadNamespaces();
    }
    await waitFor(async () => !(await namespaces()).includes(name), { what: `${name} deleted`, timeoutMs: 5_000 });
    t.notOk(alive(inside), `${sig}: process inside the namespace killed`);
  }
  // A namespace of a live owner (us) is never swept.
  const mine = await createNetns(t);
  sweepDeadNamespaces();
  t.ok((await namespaces()).includes(mine.name), 'live owner kept');
});
