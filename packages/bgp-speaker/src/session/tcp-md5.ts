/**
 * TCP MD5 signatures (RFC 2385) on Linux, for peers configured with a password.
 *
 * Node's `net` cannot set TCP_MD5SIG, so this calls setsockopt(2) through koffi (a
 * prebuilt FFI, no compiler needed):
 *
 *   setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG = 14, &struct tcp_md5sig, 216)
 *
 *   struct tcp_md5sig {                      (include/uapi/linux/tcp.h)
 *     struct sockaddr_storage tcpm_addr;     128 octets: the peer (port ignored)
 *     __u8  tcpm_flags;                      0 (no prefix, no ifindex)
 *     __u8  tcpm_prefixlen;                  0
 *     __u16 tcpm_keylen;                     0 deletes the key
 *     int   tcpm_ifindex;                    0
 *     __u8  tcpm_key[80];                    TCP_MD5SIG_MAXKEYLEN
 *   };
 *
 * Where it is set: on the LISTENING socket, one key per peer address. The kernel
 * checks the signature of every segment from that address (a SYN without the right
 * signature is dropped, RFC 2385 §2.0) and an accepted connection inherits the key.
 * Calico nodes always dial the reflector (reference §4: `passive on` only toward nodes
 * with a higher IP), so signing passively is all a reflector needs.
 *
 * Limitation, by design: a session WE dial cannot be signed. The key must be on the
 * socket before connect() sends the SYN, and Node's net.Socket creates its descriptor
 * inside connect(): there is no fd to set it on. The daemon therefore never dials a
 * peer that has a password (`MD5_ACTIVE_REFUSAL` says so in its log).
 *
 * Family rule (net/ipv6/tcp_ipv6.c tcp_v6_parse_md5_keys): on an IPv6 socket the
 * address must be AF_INET6, an IPv4 peer given as ::ffff:a.b.c.d; on an IPv4 socket it
 * must be AF_INET.
 *
 * The fd of a listening `net.Server` is `server._handle.fd` (libuv, Unix only).
 * `findListeningFd` finds it for a listener we do not hold (the Speaker's) through
 * /proc/self/net/tcp{,6} (LISTEN rows → socket inode) and /proc/self/fd.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import type { Server } from 'node:net';
import { tryParseIpv4, tryParseIpv6 } from '../wire/address.js';

export const IPPROTO_TCP = 6;
export const TCP_MD5SIG = 14;
export const TCP_MD5SIG_MAXKEYLEN = 80;
export const TCP_MD5SIG_SIZE = 216;
const AF_INET = 2;
const AF_INET6 = 10;

export const MD5_ACTIVE_REFUSAL =
  'TCP MD5 (RFC 2385) is set on the listening socket only: Node creates a socket descriptor inside connect(), too late to sign the SYN, so a peer with a password is never dialled; it must dial us (Calico nodes do)';

export class TcpMd5Error extends Error {
  override readonly name = 'TcpMd5Error';
}

/**
 * PURE: the 216-octet struct tcp_md5sig for `peer` on a socket of `socketFamily`.
 * An empty key deletes the peer's key.
 */
export function encodeTcpMd5Sig(socketFamily: 4 | 6, peer: string, key: string | Uint8Array): Uint8Array {
  const k = typeof key === 'string' ? new TextEncoder().encode(key) : key;
  if (k.length > TCP_MD5SIG_MAXKEYLEN) throw new TcpMd5Error(`TCP MD5 key for ${peer} is ${k.length} octets; at most ${TCP_MD5SIG_MAXKEYLEN}`);
  const b = new Uint8Array(TCP_MD5SIG_SIZE);
  const v = new DataView(b.buffer);
  const le = endianness() === 'LE';
  const v4 = tryParseIpv4(peer);
  const v6 = v4 === null ? tryParseIpv6(peer) : null;
  if (v4 === null && v6 === null) throw new TcpMd5Error(`TCP MD5: not an IP address: ${JSON.stringify(peer)}`);
  if (socketFamily === 4) {
    if (v4 === null) throw new TcpMd5Error(`TCP MD5: IPv6 peer ${peer} on an IPv4 listening socket`);
    v.setUint16(0, AF_INET, le); // sa_family_t, host order
    v.setUint32(4, v4); // sin_addr, network order
  } else {
    v.setUint16(0, AF_INET6, le);
    // sin6_port (2) and sin6_flowinfo (4) stay 0; sin6_addr at offset 8.
    if (v6 !== null) b.set(v6, 8);
    else {
      b[8 + 10] = 0xff; // ::ffff:a.b.c.d (RFC 4291 §2.5.5.2)
      b[8 + 11] = 0xff;
      v.setUint32(8 + 12, v4!);
    }
  }
  v.setUint16(130, k.length, le); // tcpm_keylen after flags (128) and prefixlen (129)
  b.set(k, 136); // tcpm_key after tcpm_ifindex (132..135)
  return b;
}

type SetSockOpt = (fd: number, level: number, name: number, value: Uint8Array, len: number) => number;
let native: { setsockopt: SetSockOpt; errno: () => number } | Error | undefined;

function loadNative(): { setsockopt: SetSockOpt; errno: () => number } {
  if (native === undefined) {
    try {
      if (process.platform !== 'linux') throw new Error(`TCP_MD5SIG is Linux-only (platform ${process.platform})`);
      const koffi = createRequire(import.meta.url)('koffi') as {
        load(path: string): { func(sig: string): (...a: unknown[]) => unknown };
        errno(): number;
      };
      const libc = koffi.load('libc.so.6');
      const fn = libc.func('int setsockopt(int fd, int level, int optname, const void *optval, uint32_t optlen)');
      native = { setsockopt: fn as SetSockOpt, errno: () => koffi.errno() };
    } catch (err) {
      native = new TcpMd5Error(`TCP MD5 is unavailable: cannot load setsockopt through koffi: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (native instanceof Error) throw native;
  return native;
}

/** Whether TCP MD5 can be used here; the reason when not. */
export function tcpMd5Available(): { ok: true } | { ok: false; reason: string } {
  try {
    loadNative();
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

const ERRNO: Readonly<Record<number, string>> = { 1: 'EPERM', 2: 'ENOENT', 9: 'EBADF', 13: 'EACCES', 22: 'EINVAL', 88: 'ENOTSOCK', 92: 'ENOPROTOOPT', 95: 'EOPNOTSUPP' };

/** Sets (or, with an empty key, deletes) the key for `peer` on socket `fd`. */
export function setTcpMd5Key(fd: number, socketFamily: 4 | 6, peer: string, key: string | Uint8Array): void {
  const n = loadNative();
  const sig = encodeTcpMd5Sig(socketFamily, peer, key);
  const rc = n.setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, sig, sig.length);
  if (rc !== 0) {
    const e = n.errno();
    const name = ERRNO[e] ?? `errno ${e}`;
    const empty = (typeof key === 'string' ? key.length : key.length) === 0;
    // Deleting a key that is not there is not an error for us.
    if (empty && e === 2) return;
    const hint = e === 92 || e === 95 ? ' (kernel built without CONFIG_TCP_MD5SIG?)' : '';
    throw new TcpMd5Error(`setsockopt(TCP_MD5SIG) for ${peer} on fd ${fd} failed: ${name}${hint}`);
  }
}

/** The descriptor and family of a listening net.Server (after 'listening'). */
export function serverSocket(server: Server): { fd: number; family: 4 | 6 } {
  const handle = (server as unknown as { _handle?: { fd?: unknown } })._handle;
  const fd = handle?.fd;
  const a = server.address();
  if (typeof fd !== 'number' || fd < 0 || a === null || typeof a !== 'object') throw new TcpMd5Error('TCP MD5: the server is not listening on a TCP socket with a descriptor');
  return { fd, family: a.family === 'IPv6' ? 6 : 4 };
}

/** Sets (or deletes) the key for `peer` on a listening net.Server. */
export function setServerTcpMd5Key(server: Server, peer: string, key: string | Uint8Array): void {
  const s = serverSocket(server);
  setTcpMd5Key(s.fd, s.family, peer, key);
}

/** /proc/net/tcp address "0100007F:00B3" / tcp6 "000080FE...:00B3" → bytes + port. */
function procAddress(text: string): { bytes: Uint8Array; port: number } {
  const [hex, portHex] = text.split(':') as [string, string];
  const bytes = new Uint8Array(hex.length / 2);
  const le = endianness() === 'LE';
  // The kernel prints each 32-bit word with %08X in host byte order.
  for (let w = 0; w < hex.length / 8; w++) {
    for (let i = 0; i < 4; i++) {
      const byte = parseInt(hex.slice(w * 8 + i * 2, w * 8 + i * 2 + 2), 16);
      bytes[w * 4 + (le ? 3 - i : i)] = byte;
    }
  }
  return { bytes, port: parseInt(portHex, 16) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The descriptor of this process's listening TCP socket bound to address:port, found
 * through /proc (for listeners owned by code that does not expose them).
 */
export function findListeningFd(address: string, port: number): { fd: number; family: 4 | 6 } {
  const v4 = tryParseIpv4(address);
  const want = v4 !== null ? Uint8Array.of(v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255) : tryParseIpv6(address);
  if (want === null) throw new TcpMd5Error(`TCP MD5: not an IP address: ${JSON.stringify(address)}`);
  const inodes = new Map<string, 4 | 6>();
  for (const [file, family] of [['/proc/self/net/tcp', 4], ['/proc/self/net/tcp6', 6]] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue; // 0A = TCP_LISTEN
      const local = procAddress(f[1]!);
      if (local.port === port && sameBytes(local.bytes, want)) inodes.set(f[9]!, family);
    }
  }
  if (inodes.size > 0) {
    for (const name of readdirSync('/proc/self/fd')) {
      let target: string;
      try {
        target = readlinkSync(`/proc/self/fd/${name}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      const family = m === null ? undefined : inodes.get(m[1]!);
      if (family !== undefined) return { fd: Number(name), family };
    }
  }
  throw new TcpMd5Error(`TCP MD5: no listening socket of this process on ${address} port ${port}`);
}
