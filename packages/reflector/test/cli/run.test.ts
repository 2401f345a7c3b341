/** `bgp-rr run`'s options, as they reach the daemon (DaemonOptions), without starting it. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { daemonOptions, runCommand } from '../../src/cli/commands/run.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { capture } from './io.js';

const options = (flags: Record<string, unknown>, env: Record<string, string> = {}) =>
  daemonOptions({ options: resolveOptions(runCommand.options, { routerId: '10.0.0.1', ...flags }, env), flags: {}, args: [], env, io: capture(), signal: new AbortController().signal });

t.test('--max-prefixes-action reaches DaemonOptions.maxPrefixesAction', async (t) => {
  t.equal(options({}).maxPrefixesAction, 'cease', 'default cease');
  t.equal(options({ maxPrefixesAction: 'block' }).maxPrefixesAction, 'block', 'flag');
  t.equal(options({}, { BGP_RR_MAX_PREFIXES_ACTION: 'warn' }).maxPrefixesAction, 'warn', 'environment');
  t.equal(options({ maxPrefixesAction: 'block' }, { BGP_RR_MAX_PREFIXES_ACTION: 'warn' }).maxPrefixesAction, 'block', 'flag beats environment');
});

t.test('typed values, defaults from the options table', async (t) => {
  const d = options({});
  t.same([d.holdTime, d.maxPrefixes, d.selectionDeferral, d.routePolicy, d.controlSocket, d.metricsAddress], [30, 1000, 15, 'enforce', '/run/bgp-rr/control.sock', '127.0.0.1:9179']);
  const o = options({ holdTime: '0', maxPrefixes: '0', selectionDeferral: '3600', routePolicy: 'off', metricsAddress: '[::1]' });
  t.same([o.holdTime, o.maxPrefixes, o.selectionDeferral, o.routePolicy, o.metricsAddress], [0, 0, 3600, 'off', '[::1]:9179'], 'the port of the option when none is given');
  t.equal(options({}, { BGP_RR_METRICS_ADDRESS: 'none' }).metricsAddress, '', 'none: no metrics listener');
  t.equal(options({ metricsAddress: '' }).metricsAddress, '', "'' on the command line: none too");
});

t.test('the version the daemon reports is the package version', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  t.equal(options({}).version, pkg.version);
});
