/**
 * TCP MD5 (RFC 2385, session/tcp-md5.ts): the struct layout, and real BIRD 1.6 with
 * `password "..."` dialling our Speaker whose listening socket carries the key.
 * A wrong or missing key: the kernel drops the SYNs (counted in TcpExt TCPMD5Failure /
 * TCPMD5NotFound) and no connection ever reaches the Speaker.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { leaseLoopbackBlock, waitFor } from '../../../../test/harness/index.js';
import { startBird, type BirdNeighbor } from '../../../../test/harness/bird.js';
import { Probe } from '../../../../test/interop/speaker-probe.js';
import {
  encodeTcpMd5Sig,
  findListeningFd,
  serverSocket,
  setServerTcpMd5Key,
  setTcpMd5Key,
  tcpMd5Available,
  TcpMd5Error,
  TCP_MD5SIG_SIZE,
} from '../../src/session/tcp-md5.js';

const AS = 64512;
const PASSWORD = 'calico-rr-s3cret';

t.test('struct tcp_md5sig: 216 octets, family, address, key length, key', async (t) => {
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const u16 = (b: Uint8Array, off: number): number => (le ? b[off]! | (b[off + 1]! << 8) : (b[off]! << 8) | b[off + 1]!);
  const v4 = encodeTcpMd5Sig(4, '10.0.0.11', 'abc');
  t.equal(v4.length, TCP_MD5SIG_SIZE);
  t.equal(u16(v4, 0), 2, 'AF_INET');
  t.same([...v4.subarray(4, 8)], [10, 0, 0, 11], 'sin_addr in network order');
  t.equal(u16(v4, 130), 3, 'tcpm_keylen');
  t.same([...v4.subarray(136, 139)], [97, 98, 99], 'tcpm_key');
  const mapped = encodeTcpMd5Sig(6, '10.0.0.11', 'abc');
  t.equal(u16(mapped, 0), 10, 'AF_INET6 on an IPv6 socket');
  t.same([...mapped.subarray(8, 24)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 11], 'IPv4 peer as ::ffff:a.b.c.d');
  const v6 = encodeTcpMd5Sig(6, 'fd00::11', new Uint8Array(80).fill(7));
  t.equal(v6[8], 0xfd);
  t.equal(v6[23], 0x11);
  t.equal(u16(v6, 130), 80);
  t.throws(() => encodeTcpMd5Sig(4, 'fd00::11', 'x'), TcpMd5Error, 'IPv6 peer on an IPv4 socket');
  t.throws(() => encodeTcpMd5Sig(4, '10.0.0.1', 'x'.repeat(81)), /at most 80/);
  t.throws(() => encodeTcpMd5Sig(4, 'nope', 'x'), /not an IP address/);
  t.same([...encodeTcpMd5Sig(4, '10.0.0.1', '').subarray(130, 132)], [0, 0], 'empty key: keylen 0 (delete)');
});

async function listening(host: string): Promise<Server> {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return server;
}

t.test('setsockopt(TCP_MD5SIG) through koffi on a listening socket; errors are clear', async (t) => {
  const avail = tcpMd5Available();
  t.same(avail, { ok: true }, 'koffi loads setsockopt from libc');
  const block = await leaseLoopbackBlock(t);
  const server = await listening(block.addr(1));
  const s = serverSocket(server);
  const port = (server.address() as { port: number }).port;
  t.same(findListeningFd(block.addr(1), port), s, '/proc lookup finds the same descriptor');
  t.doesNotThrow(() => setServerTcpMd5Key(server, block.addr(2), PASSWORD), 'key set');
  t.doesNotThrow(() => setServerTcpMd5Key(server, block.addr(2), ''), 'key deleted');
  t.doesNotThrow(() => setServerTcpMd5Key(server, block.addr(2), ''), 'deleting an absent key is fine');
  t.throws(() => setTcpMd5Key(0, 4, block.addr(2), PASSWORD), /setsockopt\(TCP_MD5SIG\) for .* on fd 0 failed: (ENOTSOCK|EBADF|EOPNOTSUPP|ENOPROTOOPT)/, 'fd 0 is no TCP socket');
  t.throws(() => findListeningFd(block.addr(9), port), /no listening socket of this process on/);
  const v6 = await listening('::1');
  t.equal(serverSocket(v6).family, 6);
  t.doesNotThrow(() => setServerTcpMd5Key(v6, '::1', PASSWORD), 'IPv6 listener');
});

function tcpExt(name: string): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
  const keys = lines[0]!.split(/\s+/);
  const vals = lines[1]!.split(/\s+/);
  return Number(vals[keys.indexOf(name)] ?? NaN);
}

t.test('BIRD 1.6 with a password dials our Speaker: Established; wrong or missing key: no connection', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const us = block.addr(1);
  const [good, wrong, none] = [block.addr(2), block.addr(3), block.addr(4)];
  const probe = new Probe(t);
  await probe.speaker.listen([{ address: us }]);
  const port = probe.speaker.listening()[0]!.port;
  const { fd, family } = findListeningFd(us, port);
  const accepted = new Set<string>();
  probe.speaker.on('state', (p, _from, to) => {
    if (to === 'OpenSent' || to === 'OpenConfirm' || to === 'Established') accepted.add(p.address);
  });
  for (const node of [good, wrong, none]) {
    probe.addPeer({ peerAddress: node, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true });
    setTcpMd5Key(fd, family, node, PASSWORD);
  }
  const bird = (addr: string, password: string | undefined): Promise<unknown> => {
    const n: BirdNeighbor = { name: 'p_rr', address: us, as: AS, ...(password !== undefined ? { extra: `password "${password}";` } : {}) };
    return startBird(t, { version: '1.6', routerId: addr, localAddress: addr, localAs: AS, neighbors: [n], static4: ['172.16.1.0/26'] });
  };

  const failures = tcpExt('TCPMD5Failure');
  const notFound = tcpExt('TCPMD5NotFound');
  const b = (await bird(good, PASSWORD)) as Awaited<ReturnType<typeof startBird>>;
  await probe.waitState(good, 'Established');
  await b.waitBgpState('p_rr', 'Established');
  await probe.waitRoute('172.16.1.0/26');
  t.pass('BIRD with the right password: Established, route received');

  await bird(wrong, 'not-the-password');
  await waitFor(() => tcpExt('TCPMD5Failure') > failures, { what: 'the kernel drops the wrong-key SYN (TCPMD5Failure)' });
  t.pass('wrong key: segments dropped by the kernel (TcpExt TCPMD5Failure grew)');
  await bird(none, undefined);
  await waitFor(() => tcpExt('TCPMD5NotFound') > notFound, { what: 'the kernel drops the unsigned SYN (TCPMD5NotFound)' });
  t.pass('no key: segments dropped by the kernel (TcpExt TCPMD5NotFound grew)');
  t.same([...accepted], [good], 'only the peer with the right key ever got a TCP connection to the Speaker');
  t.equal(probe.speaker.getPeer(wrong)?.state, 'Active');
  t.equal(probe.speaker.getPeer(none)?.state, 'Active');
});

t.test('PeerConfig.password: the Speaker keys its listeners for that peer; removePeer unkeys; a peer we dial is refused', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, peer] = [block.addr(1), block.addr(2)];
  const { Speaker } = await import('../../src/speaker.js');
  const { MD5_ACTIVE_REFUSAL } = await import('../../src/session/tcp-md5.js');
  const { connect } = await import('node:net');
  const speaker = new Speaker();
  t.teardown(() => speaker.stop());
  await speaker.listen([{ address: us, port: 0 }]);
  const port = speaker.listening()[0]!.port;
  const base = { peerAddress: peer, localAddress: us, localAs: AS, peerAs: AS, routerId: us };
  t.throws(() => speaker.addPeer({ ...base, password: PASSWORD }), { message: MD5_ACTIVE_REFUSAL }, 'a password on a peer we would dial: refused, saying why');
  t.throws(() => speaker.addPeer({ ...base, passive: true, password: 'x'.repeat(81) }), /TCP MD5 password of 81 octets: 1\.\.80/);
  t.equal(speaker.getPeer(peer), undefined, 'nothing was added');

  speaker.addPeer({ ...base, passive: true, password: PASSWORD });
  const unsigned = (): void => {
    const s = connect({ host: us, port, localAddress: peer });
    s.on('error', () => undefined);
    setTimeout(() => s.destroy(), 3000).unref();
  };
  const notFound = tcpExt('TCPMD5NotFound');
  unsigned();
  await waitFor(() => tcpExt('TCPMD5NotFound') > notFound, { what: 'the unsigned SYN from the keyed peer dropped (TCPMD5NotFound)' });
  t.pass('keyed: an unsigned connection from the peer is dropped by the kernel');

  speaker.removePeer(peer);
  let unknown = 0;
  speaker.on('unknownConnection', (remote) => {
    if (remote === peer) unknown++;
  });
  unsigned();
  await waitFor(() => unknown > 0, { what: 'after removePeer the key is gone: the connection is accepted, then refused as unknown' });
  t.pass('removePeer deleted the key: the same connection now reaches the listener (and is refused as unknown)');
});
