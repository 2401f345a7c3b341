import t from 'tap';
import { AddressError, formatIpv4, formatIpv6, parseIp, parseIpv4, parseIpv6 } from '../../src/wire/address.js';
import { hex } from './bytes.js';

t.test('IPv4 dotted quad <-> uint32', async (t) => {
  t.equal(parseIpv4('10.0.0.1'), 0x0a000001);
  t.equal(parseIpv4('255.255.255.255'), 0xffffffff);
  t.equal(formatIpv4(0xac100500), '172.16.5.0');
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.-1', '', 'a.b.c.d', '1..2.3']) {
    t.throws(() => parseIpv4(bad), AddressError, bad);
  }
});

t.test('IPv6 parse: RFC 4291 §2.2 text forms', async (t) => {
  t.same(Array.from(parseIpv6('::')), new Array(16).fill(0));
  t.same(Array.from(parseIpv6('2001:db8::1')), hex('20010db8000000000000000000000001'));
  t.same(Array.from(parseIpv6('::ffff:10.0.0.1')), hex('00000000000000000000ffff0a000001'));
  t.same(Array.from(parseIpv6('FD00:0:0:0:0:0:0:1')), hex('fd000000000000000000000000000001'));
  for (const bad of [':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7', '::1.2.3', '']) {
    t.throws(() => parseIpv6(bad), AddressError, bad);
  }
});

t.test('IPv6 format: RFC 5952 §4 canonical text', async (t) => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'], // §4.2.1 longest run, §4.1 no leading zeros
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2 a single 0 group is not shortened
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3 the longest run
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3 first of equal runs
    ['2001:DB8::A', '2001:db8::a'], // §4.3 lower case
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'], // §5 IPv4-mapped
  ];
  for (const [input, want] of cases) t.equal(formatIpv6(parseIpv6(input)), want, input);
});

t.test('parseIp picks the family by syntax', async (t) => {
  t.same(parseIp('10.1.2.3'), { afi: 1, v4: 0x0a010203 });
  const v6 = parseIp('fd00::1');
  t.equal(v6.afi, 2);
});
