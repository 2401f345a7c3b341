/**
 * `bgp-speaker session` as a child process (stdin piped, JSON lines read from stdout)
 * against a Speaker in this process: the negotiated capabilities line, ROUTE-REFRESH
 * sent from stdin commands, received requests answered between BoRR and EoRR
 * (RFC 7313 §4), received BoRR/EoRR printed and not answered, bad commands refused.
 */
import t from 'tap';
import { join } from 'node:path';
import { leaseLoopbackBlock, freePort, spawnProc, waitFor, REPO_ROOT, type Proc } from '../../../../test/harness/index.js';
import { Speaker } from '../../src/speaker.js';
import { IPV4_UNICAST } from '../../src/wire/types.js';
import { formatPrefix } from '../../src/wire/prefix.js';

const RUN_SOURCE = join(REPO_ROOT, 'packages/bgp-speaker/test/cli/run-source.ts');
type Line = Record<string, unknown>;

function lines(p: Proc): Line[] {
  return p.lines().flatMap((l) => {
    try {
      return [JSON.parse(l) as Line];
    } catch {
      return [];
    }
  });
}

/** The JSON line from stdout line `from` on that matches `want` (every field equal). */
async function line(p: Proc, want: Line, from = 0): Promise<Line> {
  const match = (l: string): boolean => {
    try {
      const o = JSON.parse(l) as Line;
      return Object.entries(want).every(([k, v]) => JSON.stringify(o[k]) === JSON.stringify(v));
    } catch {
      return false;
    }
  };
  return JSON.parse(await p.waitForLine(match, { timeoutMs: 30_000, from })) as Line;
}

t.test('stdin sends request/BoRR/EoRR; received ones print; a request is answered between BoRR and EoRR', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [cliAddr, ours] = [block.addr(1), block.addr(2)];
  const port = await freePort(ours);
  const s = new Speaker();
  t.teardown(() => s.stop());
  await s.listen([{ address: ours, port }]);
  /** What our speaker receives from the CLI, in order. */
  const seen: string[] = [];
  s.on('routeRefresh', (_p, f, subtype) => seen.push(`${subtype} ${f.afi}/${f.safi}`));
  s.on('update', (_p, u) => seen.push(...u.update.nlri.map((n) => `update ${formatPrefix(n.prefix)}`)));
  s.on('eor', (_p, f) => seen.push(`eor ${f.afi}/${f.safi}`));
  const peer = s.addPeer({ peerAddress: cliAddr, localAddress: ours, localAs: 65000, peerAs: 65000, routerId: '10.0.0.5', passive: true });

  const cli = spawnProc(
    t,
    process.execPath,
    ['--import', 'tsx', RUN_SOURCE, 'session', '--local-address', cliAddr, '--peer-address', ours, '--peer-port', `${port}`, '--local-as', '65000', '--peer-as', '65000', '--router-id', '10.0.0.1', '--announce', '10.77.0.0/16'],
    { cwd: REPO_ROOT, name: 'bgp-speaker', stdin: 'pipe' },
  );
  const send = (text: string): void => void cli.stdin!.write(text);

  const est = await line(cli, { event: 'established' });
  t.match(est, { peerAs: 65000, peerId: '10.0.0.5', families: ['ipv4'], routeRefresh: true, enhancedRouteRefresh: true }, 'the negotiated capabilities are printed');
  await waitFor(() => seen.includes('eor 1/1'), { what: 'the initial announcement and End-of-RIB' });
  t.same(seen, ['update 10.77.0.0/16', 'eor 1/1']);
  seen.length = 0;

  // stdin → ROUTE-REFRESH out, each printed as sent.
  let mark = cli.lineCount;
  send('refresh ipv4\n');
  t.same(await line(cli, { event: 'route-refresh', direction: 'sent' }, mark), { event: 'route-refresh', direction: 'sent', afi: 'ipv4', safi: 1, subtype: 'request' });
  send('borr\n# a comment\n\neorr ipv4\n');
  await waitFor(() => seen.length === 3, { what: 'request, BoRR and EoRR at our speaker' });
  t.same(seen, ['request 1/1', 'borr 1/1', 'eorr 1/1'], 'a family-less command covers the negotiated family (IPv4)');
  t.same(
    lines(cli).filter((l) => l.event === 'route-refresh').map((l) => l.subtype),
    ['request', 'borr', 'eorr'],
    'each one printed',
  );

  // A family the session did not negotiate is sent; our speaker ignores it (RFC 2918 §4).
  send('refresh ipv6\nrefresh ipv4\n');
  await waitFor(() => seen.length === 4, { what: 'the second IPv4 request' });
  t.same(seen.at(-1), 'request 1/1', 'the IPv6 request was not passed up');
  t.equal(peer.stats.received.routeRefresh, 5, 'but it arrived');

  // Commands that cannot be carried out: an error line, nothing sent.
  mark = cli.lineCount;
  send('refresh ipv5\nreload\n');
  t.match(await line(cli, { event: 'error', input: 'refresh ipv5' }, mark), { message: /unknown family "ipv5"/ });
  t.match(await line(cli, { event: 'error', input: 'reload' }, mark), { message: /unknown command "reload"/ });

  // BoRR/EoRR from the peer: printed, not answered (the CLI keeps no routes to mark stale).
  mark = cli.lineCount;
  seen.length = 0;
  t.ok(s.sendRouteRefresh(peer, IPV4_UNICAST, 'borr'));
  t.ok(s.sendRouteRefresh(peer, IPV4_UNICAST, 'eorr'));
  await line(cli, { event: 'route-refresh', direction: 'received', subtype: 'eorr' }, mark);
  t.same(
    lines(cli).slice(mark).filter((l) => l.event === 'route-refresh'),
    [
      { event: 'route-refresh', direction: 'received', afi: 'ipv4', safi: 1, subtype: 'borr' },
      { event: 'route-refresh', direction: 'received', afi: 'ipv4', safi: 1, subtype: 'eorr' },
    ],
  );
  send('refresh ipv4\n'); // the CLI wrote anything it answered before this
  await waitFor(() => seen.includes('request 1/1'), { what: 'the request after BoRR/EoRR' });
  t.same(seen, ['request 1/1'], 'no UPDATE, BoRR or End-of-RIB in answer to BoRR/EoRR');

  // A request from the peer: our routes again between BoRR and EoRR (enhanced route refresh negotiated).
  mark = cli.lineCount;
  seen.length = 0;
  t.ok(s.sendRouteRefresh(peer, IPV4_UNICAST));
  await waitFor(() => seen.includes('eorr 1/1'), { what: 'the answer to our request' });
  t.same(seen, ['borr 1/1', 'update 10.77.0.0/16', 'eorr 1/1'], 'RFC 7313 §4: BoRR, the routes, EoRR; no End-of-RIB');
  await line(cli, { event: 'route-refresh', direction: 'sent', subtype: 'eorr' }, mark);
  t.same(
    lines(cli).slice(mark).filter((l) => l.event === 'route-refresh').map((l) => `${String(l.direction)} ${String(l.subtype)}`),
    ['received request', 'sent borr', 'sent eorr'],
  );

  // SIGTERM with stdin still open: Cease, exit 0 (stdin does not keep the process alive).
  cli.signal('SIGTERM');
  const exit = await waitFor(() => cli.exitInfo, { what: 'exit after SIGTERM with stdin still open', timeoutMs: 20_000 });
  t.equal(exit.code, 0, 'exit 0');
  t.ok(lines(cli).some((l) => l.event === 'notification' && l.direction === 'sent' && l.code === 6 && l.subcode === 2), 'Cease 6/2 sent');
});
