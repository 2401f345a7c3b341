import t from 'tap';
import fc from 'fast-check';
import { cidrContains, parseCidr, parseHostPort, parseIpWithPrefix, tryParseIp } from '../../src/resources/ip.js';
import { FieldError } from '../../src/resources/issues.js';

t.test('addresses and CIDRs at the edge', async (t) => {
  t.same(parseIpWithPrefix('10.0.0.11/24', 'a'), { family: 4, address: '10.0.0.11', prefixLength: 24 }, 'node ipv4Address keeps the host and the mask');
  t.same(parseIpWithPrefix('10.0.0.11', 'a'), { family: 4, address: '10.0.0.11', prefixLength: 32 }, 'a bare IP means /32');
  t.same(parseIpWithPrefix('fd00:0::11/64', 'a'), { family: 6, address: 'fd00::11', prefixLength: 64 }, 'IPv6 canonical text');
  t.equal(parseCidr('10.65.3.7/26', 'c').cidr, '10.65.3.0/26', 'host bits are cleared');
  t.equal(parseCidr('fd00:10::1/122', 'c').cidr, 'fd00:10::/122');
  t.equal(tryParseIp('10.0.0.1/32'), undefined, 'tryParseIp takes no prefix');
  for (const bad of ['10.0.0.256/24', '10.0.0.1/33', '10.0.0/24', 'fd00::/129', 'x/8', '10.0.0.1/24/1', '010.0.0.1/8']) {
    t.throws(() => parseCidr(bad, 'c'), FieldError, bad);
  }
  t.ok(cidrContains(parseCidr('10.65.0.0/16', 'c'), parseCidr('10.65.3.0/26', 'c')), 'block inside pool');
  t.notOk(cidrContains(parseCidr('10.65.0.0/16', 'c'), parseCidr('10.66.3.0/26', 'c')), 'block outside pool');
  t.notOk(cidrContains(parseCidr('10.65.3.0/26', 'c'), parseCidr('10.65.0.0/16', 'c')), 'shorter prefix is not inside');
});

t.test('BGPPeer peerIP forms', async (t) => {
  t.same(parseHostPort('10.0.0.250', 'p'), { ip: { family: 4, address: '10.0.0.250' } });
  t.same(parseHostPort('10.0.0.250:1179', 'p'), { ip: { family: 4, address: '10.0.0.250' }, port: 1179 });
  t.same(parseHostPort('[fd00::250]:1179', 'p'), { ip: { family: 6, address: 'fd00::250' }, port: 1179 });
  t.same(parseHostPort('fd00::250', 'p'), { ip: { family: 6, address: 'fd00::250' } });
  for (const bad of ['10.0.0.250:0', '10.0.0.250:70000', '[10.0.0.1]:179', 'host:179', '']) t.throws(() => parseHostPort(bad, 'p'), FieldError, bad);
});

t.test('property: IPv4 addresses and CIDRs agree with ip-address (the fast dotted-quad path)', async (t) => {
  const { Address4 } = await import('ip-address');
  fc.assert(
    fc.property(fc.nat(0xffffffff), fc.integer({ min: 0, max: 32 }), (n, len) => {
      const text = Address4.fromBigInt(BigInt(n)).correctForm();
      const net = len === 0 ? 0n : (BigInt(n) >> BigInt(32 - len)) << BigInt(32 - len);
      const c = parseCidr(`${text}/${len}`, 'c');
      return tryParseIp(text)?.address === text && c.network === net && c.cidr === `${Address4.fromBigInt(net).correctForm()}/${len}`;
    }),
  );
  for (const bad of ['1.2.3.04', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4']) t.equal(tryParseIp(bad), undefined, bad);
});
