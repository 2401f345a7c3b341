/**
 * Who is on the other end of a control connection: SO_PEERCRED (unix(7)), read with
 * getsockopt(2) through koffi (the FFI bgp-speaker already uses for TCP MD5), since
 * Node's `net` does not expose peer credentials.
 *
 *   struct ucred { pid_t pid; uid_t uid; gid_t gid; }   12 octets, host byte order
 *
 * Access rule of the control socket (server.ts): the socket file is 0660, so only root,
 * the service user and the service group can connect at all; of those, commands that
 * change state (`drain`) need root or the service user itself ("write"), members of the
 * group may only read (`peers`, `peer`, `routes`, `status`). When the credentials
 * cannot be read, the connection is read-only (fail closed).
 */
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import type { Socket } from 'node:net';

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

export interface PeerCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

type GetSockOpt = (fd: number, level: number, name: number, value: Buffer, len: number[]) => number;
let native: GetSockOpt | null | undefined;

function getsockopt(): GetSockOpt | null {
  if (native === undefined) {
    try {
      if (process.platform !== 'linux') throw new Error('SO_PEERCRED is read this way on Linux only');
      const koffi = createRequire(import.meta.url)('koffi') as { load(path: string): { func(sig: string): unknown } };
      native = koffi.load('libc.so.6').func('int getsockopt(int fd, int level, int optname, _Out_ uint8_t *optval, _Inout_ uint32_t *optlen)') as GetSockOpt;
    } catch {
      native = null;
    }
  }
  return native;
}

/** The credentials of the process that connected `socket` (a Unix socket), or null. */
export function peerCredentials(socket: Socket): PeerCredentials | null {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  const fn = getsockopt();
  if (fn === null || typeof fd !== 'number' || fd < 0) return null;
  const buf = Buffer.alloc(12);
  const len = [12];
  if (fn(fd, SOL_SOCKET, SO_PEERCRED, buf, len) !== 0 || len[0] !== 12) return null;
  const le = endianness() === 'LE';
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  return { pid: u32(0), uid: u32(4), gid: u32(8) };
}

/** PURE: may this client run commands that change state? Root or the daemon's own user. */
export function mayWrite(cred: PeerCredentials | null, daemonUid: number | undefined): boolean {
  if (cred === null) return false;
  return cred.uid === 0 || (daemonUid !== undefined && cred.uid === daemonUid);
}

/** Control methods that change state. */
export const WRITE_METHODS: ReadonlySet<string> = new Set(['drain']);
