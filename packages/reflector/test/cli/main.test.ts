/** main(argv, env, io): help, version, usage errors and exit codes, without etcd. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { tmpDir } from '../../../../test/harness/proc.js';
import { capture } from './io.js';

t.test('--help lists the commands and the exit codes; config --help names every option with its env variable', async (t) => {
  const io = capture();
  t.equal(await main(['--help'], {}, io), EXIT.OK);
  t.match(io.out, /config \[options\]\s+print the configuration/);
  t.match(io.out, /flag > environment variable > --config file > default/);
  t.match(io.out, /Exit codes:\n {2}0 {2}OK +done\n {2}1 {2}FAILURE +the command ran and failed/);
  const c = capture();
  t.equal(await main(['config', '--help'], {}, c), EXIT.OK);
  for (const s of ['--etcd-endpoints <URLS>', 'ETCD_ENDPOINTS', 'ETCD_CA_CERT_FILE', 'ETCD_CERT_FILE', 'ETCD_KEY_FILE', '--listen <ADDR[:PORT]>', 'BGP_RR_LISTEN', '--router-id', '--cluster-id', '--name', '--config <FILE>', '--json', '--watch']) {
    t.ok(c.out.includes(s), `help mentions ${s}`);
  }
});

t.test('run --help: types, ranges, choices and defaults from the options table', async (t) => {
  const io = capture();
  t.equal(await main(['run', '--help'], {}, io), EXIT.OK);
  // commander wraps descriptions to the terminal width: compare with spaces folded.
  const help = io.out.replace(/\s+/g, ' ');
  for (const s of [
    '--hold-time <SECONDS> hold time offered to peers; the smaller offer wins (RFC 4271 §4.2), so a short one notices dead nodes fast; 0 = no KEEPALIVEs, the session never times out (env BGP_RR_HOLD_TIME; 0 or 3..65535; default 30)',
    '--max-prefixes <COUNT> per peer and address family, paths held in the Adj-RIB-In, accepted or rejected (stale ones, waiting for a graceful restart or a route refresh to end, excepted); 0 = no limit (env BGP_RR_MAX_PREFIXES; 0 or more; default 1000)',
    '--max-prefixes-action <ACTION> what happens when a peer goes past --max-prefixes: cease = close the session with Cease 6/1 (RFC 4486, with AFI/SAFI/limit data) and let it back after a backoff (60 s doubling to 300 s); block = keep the session, drop the paths past the limit (logged once, counted); once back under it, ask the peer for them again (route refresh); warn = accept all, log once when the limit is crossed (env BGP_RR_MAX_PREFIXES_ACTION; cease|block|warn; default cease)',
    '--selection-deferral <SECONDS>',
    '(env BGP_RR_SELECTION_DEFERRAL; 0..3600; default 15)',
    '(env BGP_RR_LOG_LEVEL; fatal|error|warn|info|debug|trace|silent; default info)',
    '--route-policy <MODE> import policy from Calico IPAM: enforce = reject routes a node does not own; warn = log them, accept; off = accept everything (env BGP_RR_ROUTE_POLICY; enforce|warn|off; default enforce)',
    '(env BGP_RR_METRICS_ADDRESS; IPv6 as [ADDR]:PORT, port 9179 if none is given; none for no listener; default 127.0.0.1:9179)',
    '(env BGP_RR_LISTEN; IPv6 as [ADDR]:PORT, port 179 if none is given; default [::]:179)',
    '(env BGP_RR_ROUTER_ID; dotted quad)',
  ]) {
    t.ok(help.includes(s), s);
  }
});

t.test('--version: the version of packages/reflector/package.json', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const io = capture();
  t.equal(await main(['--version'], {}, io), EXIT.OK);
  t.equal(io.out, `${pkg.version}\n`);
});

t.test('usage errors exit 2 with a message on stderr', async (t) => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['unknown command', ['frobnicate'], {}, /unknown command/],
    ['unknown option', ['config', '--nope'], {}, /unknown option/],
    ['missing option value', ['config', '--router-id'], {}, /argument missing/],
    ['bad listen address', ['config', '--listen', '10.0.0.256'], {}, /--listen/],
    ['bad router id from the environment', ['config'], { BGP_RR_ROUTER_ID: 'x' }, /router-id/],
    ['missing config file', ['config', '--config', '/nonexistent/bgp-rr.json'], {}, /nonexistent/],
  ];
  for (const [name, argv, env, re] of cases) {
    const io = capture();
    t.equal(await main(argv, env, io), EXIT.NOT_DONE, name);
    t.match(io.err, re, `${name}: message`);
  }
});

t.test('a value its option does not allow: exit 2 before anything starts, one line naming flag, value, source and what is allowed', async (t) => {
  const file = join(tmpDir(t, 'cfg-'), 'bgp-rr.json');
  writeFileSync(file, JSON.stringify({ holdTime: 1.5 }));
  const cases: [string, string[], Record<string, string>, string][] = [
    ['bad int', ['run', '--max-prefixes', 'ten'], {}, 'bgp-rr run: --max-prefixes "ten": expected an integer, 0 or more\n'],
    ['int out of range', ['run', '--hold-time', '2'], {}, 'bgp-rr run: --hold-time "2": expected an integer, 0 or 3..65535\n'],
    ['the README example', ['run'], { BGP_RR_HOLD_TIME: '2' }, 'bgp-rr run: --hold-time "2" (from BGP_RR_HOLD_TIME): expected an integer, 0 or 3..65535\n'],
    ['int out of range, environment', ['run'], { BGP_RR_SELECTION_DEFERRAL: '3601' }, 'bgp-rr run: --selection-deferral "3601" (from BGP_RR_SELECTION_DEFERRAL): expected an integer, 0..3600\n'],
    ['not an int, config file', ['run', '--config', file], {}, 'bgp-rr run: --hold-time "1.5" (from the config file, key holdTime): expected an integer, 0 or 3..65535\n'],
    ['bad enum', ['run', '--max-prefixes-action', 'drop'], {}, 'bgp-rr run: --max-prefixes-action "drop": expected one of cease, block, warn\n'],
    ['bad enum, environment', ['run'], { BGP_RR_ROUTE_POLICY: 'strict' }, 'bgp-rr run: --route-policy "strict" (from BGP_RR_ROUTE_POLICY): expected one of enforce, warn, off\n'],
    ['bad log level', ['run', '--log-level', 'verbose'], {}, 'bgp-rr run: --log-level "verbose": expected one of fatal, error, warn, info, debug, trace, silent\n'],
    ['bad metrics address', ['run', '--metrics-address', 'localhost:9179'], {}, 'bgp-rr run: --metrics-address "localhost:9179": expected ADDR[:PORT], IPv6 as [ADDR]:PORT, port 0..65535, or none\n'],
    ['bad control command option', ['status', '--control-socket'], {}, "error: option '--control-socket <PATH>' argument missing\n"],
  ];
  for (const [name, argv, env, message] of cases) {
    const io = capture();
    t.equal(await main(argv, env, io), EXIT.NOT_DONE, `${name}: exit 2`);
    t.equal(io.err.split('\n\n')[0]?.replace(/\n?$/, '\n'), message, `${name}: message`);
    t.equal(io.out, '', `${name}: nothing on stdout`);
  }
});

t.test('no arguments: help and exit 2', async (t) => {
  const io = capture();
  t.equal(await main([], {}, io), EXIT.NOT_DONE);
  t.match(io.err, /Usage: bgp-rr/);
});
