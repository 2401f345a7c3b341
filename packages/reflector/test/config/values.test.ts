/** One value by its type (config/values.ts), and the words for what a type allows. */
import t from 'tap';
import { optionSpec } from '../../src/config/options.js';
import { allowedText, endpointText, expectedText, parseElement, parseEndpoint } from '../../src/config/values.js';

t.test('endpoints: ADDR[:PORT], IPv6 as [ADDR]:PORT', async (t) => {
  const ok: [string, { address: string; port: number }][] = [
    ['10.0.0.250', { address: '10.0.0.250', port: 179 }],
    ['10.0.0.250:1179', { address: '10.0.0.250', port: 1179 }],
    ['10.0.0.250:0', { address: '10.0.0.250', port: 0 }],
    ['0.0.0.0', { address: '0.0.0.0', port: 179 }],
    ['::', { address: '::', port: 179 }],
    ['[::]:179', { address: '::', port: 179 }],
    ['fd00::250', { address: 'fd00::250', port: 179 }],
    ['[fd00:0::250]:1790', { address: 'fd00::250', port: 1790 }],
  ];
  for (const [text, want] of ok) t.same(parseEndpoint(text, 179), want, text);
  for (const bad of ['10.0.0.256', '[10.0.0.1]:179', '10.0.0.1:70000', 'host:179', '']) t.equal(parseEndpoint(bad, 179), undefined, bad);
  t.same([endpointText({ address: '10.0.0.1', port: 9179 }), endpointText({ address: 'fd00::1', port: 9179 })], ['10.0.0.1:9179', '[fd00::1]:9179']);
});

t.test('each type: accepted, converted, refused', async (t) => {
  const cases: [string, Parameters<typeof optionSpec>[0], string, unknown][] = [
    ['int in range', 'holdTime', '90', 90],
    ['int: 0 where zero has a meaning', 'holdTime', '0', 0],
    ['int: spaces around', 'holdTime', ' 30 ', 30],
    ['int: below min', 'holdTime', '2', undefined],
    ['int: above max', 'holdTime', '65536', undefined],
    ['int: not a number', 'holdTime', 'thirty', undefined],
    ['int: negative', 'maxPrefixes', '-1', undefined],
    ['int: a fraction', 'maxPrefixes', '1.5', undefined],
    ['int: hex', 'maxPrefixes', '0x10', undefined],
    ['int: empty', 'maxPrefixes', '', undefined],
    ['int: beyond 2^53', 'maxPrefixes', '9007199254740993', undefined],
    ['int: no max', 'maxPrefixes', '4000000000', 4000000000],
    ['int: max', 'selectionDeferral', '3600', 3600],
    ['int: past max', 'selectionDeferral', '3601', undefined],
    ['enum', 'maxPrefixesAction', 'block', 'block'],
    ['enum: case matters', 'maxPrefixesAction', 'Block', undefined],
    ['enum: not an own key', 'maxPrefixesAction', 'toString', undefined],
    ['ipv4', 'routerId', '10.0.0.1', '10.0.0.1'],
    ['ipv4: IPv6 refused', 'routerId', 'fd00::1', undefined],
    ['endpoint with none: none', 'metricsAddress', 'none', null],
    ['endpoint with none: empty', 'metricsAddress', '', null],
    ['endpoint: default port of the option', 'metricsAddress', '127.0.0.1', { address: '127.0.0.1', port: 9179 }],
    ['endpoint without none: none refused', 'listen', 'none', undefined],
    ['string: anything', 'name', 'rr 1', 'rr 1'],
  ];
  for (const [name, key, text, want] of cases) {
    const p = parseElement(optionSpec(key), text);
    t.same(p.ok ? p.value : undefined, want, `${name}: ${key} ${JSON.stringify(text)}`);
  }
});

t.test('what a type allows, in --help and in errors', async (t) => {
  const rows: [Parameters<typeof optionSpec>[0], string | undefined, string][] = [
    ['holdTime', '0 or 3..65535', 'expected an integer, 0 or 3..65535'],
    ['maxPrefixes', '0 or more', 'expected an integer, 0 or more'],
    ['selectionDeferral', '0..3600', 'expected an integer, 0..3600'],
    ['maxPrefixesAction', 'cease|block|warn', 'expected one of cease, block, warn'],
    ['routePolicy', 'enforce|warn|off', 'expected one of enforce, warn, off'],
    ['routerId', 'dotted quad', 'expected an IPv4 address (dotted quad)'],
    ['listen', 'IPv6 as [ADDR]:PORT, port 179 if none is given', 'expected ADDR[:PORT], IPv6 as [ADDR]:PORT, port 0..65535'],
    ['metricsAddress', 'IPv6 as [ADDR]:PORT, port 9179 if none is given; none for no listener', 'expected ADDR[:PORT], IPv6 as [ADDR]:PORT, port 0..65535, or none'],
    ['name', undefined, 'expected a string'],
  ];
  for (const [key, allowed, expected] of rows) t.same([allowedText(optionSpec(key)), expectedText(optionSpec(key))], [allowed, expected], key);
});
