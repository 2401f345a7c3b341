/** main(argv, env, io): help, usage errors and exit codes, without etcd. */
import t from 'tap';
import { EXIT_OK, EXIT_USAGE, main } from '../../src/cli/main.js';
import { capture } from './io.js';

t.test('--help lists the commands; config --help names every option with its env variable', async (t) => {
  const io = capture();
  t.equal(await main(['--help'], {}, io), EXIT_OK);
  t.match(io.out, /config \[options\]\s+print the configuration/);
  t.match(io.out, /flag > environment variable > --config file > default/);
  const c = capture();
  t.equal(await main(['config', '--help'], {}, c), EXIT_OK);
  for (const s of ['--etcd-endpoints <URLS>', 'ETCD_ENDPOINTS', 'ETCD_CA_CERT_FILE', 'ETCD_CERT_FILE', 'ETCD_KEY_FILE', '--listen <ADDR[:PORT]>', 'BGP_RR_LISTEN', '--router-id', '--cluster-id', '--name', '--config <FILE>', '--json', '--watch']) {
    t.ok(c.out.includes(s), `help mentions ${s}`);
  }
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
    t.equal(await main(argv, env, io), EXIT_USAGE, name);
    t.match(io.err, re, `${name}: message`);
  }
});

t.test('no arguments: help and exit 2', async (t) => {
  const io = capture();
  t.equal(await main([], {}, io), EXIT_USAGE);
  t.match(io.err, /Usage: bgp-rr/);
});
