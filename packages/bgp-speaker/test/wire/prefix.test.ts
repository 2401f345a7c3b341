import t from 'tap';
import { AddressError } from '../../src/wire/address.js';
import { formatPrefix, parsePrefix, prefixContains, prefixEquals, prefixFromKey, prefixKey } from '../../src/wire/prefix.js';

t.test('parsePrefix is strict about host bits unless loose', async (t) => {
  t.same(parsePrefix('172.16.5.0/24'), { afi: 1, addr: 0xac100500, len: 24 });
  t.throws(() => parsePrefix('172.16.5.1/24'), AddressError);
  t.same(parsePrefix('172.16.5.1/24', { loose: true }), { afi: 1, addr: 0xac100500, len: 24 });
  t.same(parsePrefix('10.0.0.5'), { afi: 1, addr: 0x0a000005, len: 32 }, 'bare address is a host route');
  const v6 = parsePrefix('fd00:1::/64');
  t.equal(v6.afi, 2);
  t.equal(formatPrefix(v6), 'fd00:1::/64');
  t.throws(() => parsePrefix('fd00::1/64'), AddressError);
  t.equal(formatPrefix(parsePrefix('fd00::1/64', { loose: true })), 'fd00::/64');
  t.equal(formatPrefix(parsePrefix('fd00:0:0:0:ff80::/57', { loose: true })), 'fd00::/57');
  for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/024', 'fd00::/129', 'x/8', '10.0.0.0/-1']) {
    t.throws(() => parsePrefix(bad), AddressError, bad);
  }
});

t.test('formatPrefix round trips', async (t) => {
  for (const s of ['0.0.0.0/0', '172.16.0.0/12', '10.65.3.7/32', '::/0', '2001:db8::/32', 'fd00::1/128']) {
    t.equal(formatPrefix(parsePrefix(s)), s);
  }
});

t.test('prefixKey: compact, unique, invertible', async (t) => {
  t.equal(prefixKey(parsePrefix('172.16.5.0/24')), 0xac100500 * 64 + 24);
  t.type(prefixKey(parsePrefix('fd00::/64')), 'string');
  const all = ['10.0.0.0/8', '10.0.0.0/16', '10.0.0.0/24', '10.1.0.0/16', '0.0.0.0/0', 'fd00::/8', 'fd00::/16', 'fd00::/64', 'fd00:0:0:1::/64', '::/0'];
  const keys = new Set(all.map((s) => prefixKey(parsePrefix(s))));
  t.equal(keys.size, all.length, 'distinct prefixes have distinct keys');
  for (const s of all) t.equal(formatPrefix(prefixFromKey(prefixKey(parsePrefix(s)))), s);
});

t.test('prefixContains and prefixEquals', async (t) => {
  const p = (s: string) => parsePrefix(s);
  t.ok(prefixContains(p('172.16.0.0/12'), p('172.17.5.0/24')));
  t.ok(prefixContains(p('172.16.0.0/12'), p('172.16.0.0/12')));
  t.notOk(prefixContains(p('172.16.0.0/12'), p('172.32.0.0/24')));
  t.notOk(prefixContains(p('172.17.5.0/24'), p('172.16.0.0/12')));
  t.ok(prefixContains(p('0.0.0.0/0'), p('8.8.8.8/32')));
  t.ok(prefixContains(p('fd00::/8'), p('fd12:3456::/64')));
  t.notOk(prefixContains(p('fd00::/8'), p('fe80::/64')));
  t.notOk(prefixContains(p('0.0.0.0/0'), p('::/0')), 'families never nest');
  t.ok(prefixEquals(p('fd00::/64'), p('fd00:0::/64')));
  t.notOk(prefixEquals(p('fd00::/64'), p('fd00::/65')));
  t.notOk(prefixEquals(p('10.0.0.0/8'), p('11.0.0.0/8')));
});
