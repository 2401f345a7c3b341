import t from 'tap';
import { encodeEndOfRib, IPV4_UNICAST, IPV6_UNICAST, KEEPALIVE_BYTES } from '@bgp-rr/bgp-speaker';
import { countMessages } from '../../src/feeder.js';

t.test('countMessages: BGP messages in a chunk, by their RFC 4271 §4.1 Length fields', async (t) => {
  const a = encodeEndOfRib(IPV4_UNICAST);
  const b = encodeEndOfRib(IPV6_UNICAST);
  const joined = new Uint8Array(a.length + b.length + KEEPALIVE_BYTES.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  joined.set(KEEPALIVE_BYTES, a.length + b.length);
  t.equal(countMessages(a), 1);
  t.equal(countMessages(joined), 3);
  t.equal(countMessages(new Uint8Array(0)), 0);
  t.equal(countMessages(new Uint8Array(19)), 0, 'a zero Length field stops the count');
});
