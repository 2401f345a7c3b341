/** The write path: batching many messages per socket write, backpressure, framing in. */
import t, { type Test } from 'tap';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { leaseLoopbackBlock } from '../../../../test/harness/index.js';
import { Transport } from '../../src/session/transport.js';
import { KEEPALIVE_BYTES } from '../../src/wire/message.js';

async function socketPair(t: Test, host: string): Promise<{ client: Socket; server: Socket }> {
  const srv = createServer();
  srv.listen(0, host);
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  const accepted = once(srv, 'connection');
  const client = connect({ host, port });
  await once(client, 'connect');
  const [server] = (await accepted) as [Socket];
  t.teardown(() => {
    client.destroy();
    server.destroy();
    srv.close();
  });
  return { client, server };
}

t.test('many messages in one tick go out batched; backpressure is reported and drains', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const { client, server } = await socketPair(t, block.addr(1));
  let drains = 0;
  const sender = new Transport(client, 4096, { onMessage: () => {}, onFramingError: () => {}, onClose: () => {}, onDrain: () => drains++ });
  const N = 50_000;
  let receivedBytes = 0;
  let chunks = 0;
  server.pause();
  const frames = Array.from({ length: N }, () => KEEPALIVE_BYTES);
  const ok = sender.write(frames);
  t.equal(ok, false, 'write reports the buffer above its high-water mark');
  t.equal(sender.needsDrain, true);
  server.on('data', (d: Buffer) => {
    chunks++;
    receivedBytes += d.length;
  });
  server.resume();
  await once(client, 'drain');
  await new Promise((r) => setImmediate(r));
  t.ok(drains >= 1, 'onDrain called once the buffer emptied');
  t.equal(sender.needsDrain, false);
  while (receivedBytes < N * 19) await once(server, 'data');
  t.equal(receivedBytes, N * 19, 'every byte arrived, in order of writes');
  t.ok(chunks < N / 10, `far fewer reads than messages (${chunks} reads for ${N} messages)`);
});

t.test('small frames are joined, large ones written as they are: the bytes arrive identical and in order', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const { client, server } = await socketPair(t, block.addr(1));
  const sender = new Transport(client, 4096, { onMessage: () => {}, onFramingError: () => {}, onClose: () => {}, onDrain: () => {} });
  // Sizes around the join threshold (4 KiB) and the join limit (64 KiB of small frames).
  const sizes = [19, 23, 4095, 4096, 70_000, 31, ...Array.from({ length: 40 }, (_, i) => 3000 + i), 8192, 1, 2];
  const frames = sizes.map((n, k) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + k * 13) & 0xff));
  const expected = Buffer.concat(frames);
  const got: Buffer[] = [];
  let bytes = 0;
  server.on('data', (d: Buffer) => {
    got.push(d);
    bytes += d.length;
  });
  sender.write(frames.slice(0, 3));
  sender.write(frames.slice(3));
  while (bytes < expected.length) await once(server, 'data');
  t.ok(Buffer.concat(got).equals(expected), `${expected.length} bytes identical`);
});

t.test('framing in: messages split across chunks arrive whole; a bad header is reported once', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const { client, server } = await socketPair(t, block.addr(1));
  const got: number[] = [];
  const errors: string[] = [];
  new Transport(server, 4096, {
    onMessage: (m) => got.push(m.length),
    onFramingError: (e) => errors.push(`${e.code}/${e.subcode}`),
    onClose: () => {},
    onDrain: () => {},
  });
  const two = Buffer.concat([KEEPALIVE_BYTES, KEEPALIVE_BYTES]);
  client.write(two.subarray(0, 7));
  await new Promise((r) => setTimeout(r, 20));
  client.write(two.subarray(7, 30));
  client.write(two.subarray(30));
  const bad = Buffer.from(KEEPALIVE_BYTES);
  bad[0] = 0;
  client.write(bad);
  client.write(KEEPALIVE_BYTES);
  while (errors.length === 0) await new Promise((r) => setTimeout(r, 5));
  t.same(got, [19, 19], 'two whole KEEPALIVEs');
  t.same(errors, ['1/1'], 'Connection Not Synchronized, and nothing after it');
});
