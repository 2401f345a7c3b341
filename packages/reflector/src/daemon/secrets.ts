/**
 * Secrets at start-up (README "Security"): the `--password-file` for TCP MD5 (RFC 2385) and the
 * permissions of the etcd TLS files. Runs once when the daemon starts (and on reload);
 * every refusal is a `SecretsError` whose message says what to fix.
 *
 * Password file format (plain text, one entry per line):
 *
 *     # comment lines and blank lines are ignored
 *     10.0.0.11        s3cret          <- a peer address (IPv4 or IPv6)
 *     fd00::11         s3cret
 *     rr-peers         another secret  <- a BGPPeer name: every node it selects
 *
 * - The first whitespace-separated field is the key; the password is the rest of the
 *   line with surrounding whitespace removed (so it may contain inner spaces, never a
 *   leading or trailing one). No quoting, no escapes; `#` only starts a comment at the
 *   beginning of a line (a password may contain `#`).
 * - Calico keeps BGPPeer passwords in Kubernetes Secrets (`password.secretKeyRef`),
 *   which a reflector outside Kubernetes cannot read: this file stands in for them.
 * - Lookup for a peer: its address first, then the names of the BGPPeers that selected
 *   it (in name order); the first entry found wins.
 * - Keys must be unique; a password is 1..80 bytes (TCP_MD5SIG_MAXKEYLEN, linux/tcp.h).
 * - The file must be a regular file, owned by the daemon's user or root, and not
 *   readable or writable by group or others (mode 0600 or 0400).
 *
 * Modes are read with fstat on the opened descriptor, so a symbolic link is judged by
 * the file it points to, and the file checked is the file read.
 *
 * TLS files (etcd `--etcd-key-file`, `--etcd-cert-file`, `--etcd-ca-cert-file`): each
 * must be a readable regular file; the key must not be readable by others (0600 or
 * 0640 with a service group); none may be writable by others.
 */
import { closeSync, fstatSync, openSync, readFileSync, constants as fsc, type Stats } from 'node:fs';
import { isIP } from 'node:net';

export class SecretsError extends Error {
  override readonly name = 'SecretsError';
  constructor(
    readonly code: 'password-file' | 'tls-file',
    message: string,
  ) {
    super(message);
  }
}

/** TCP_MD5SIG_MAXKEYLEN (linux/tcp.h). */
export const MAX_MD5_KEY_BYTES = 80;

export interface PasswordEntry {
  readonly key: string;
  readonly password: string;
  readonly line: number;
}

export interface PasswordTable {
  readonly entries: readonly PasswordEntry[];
  /** The password for a peer (its address, else the BGPPeers that selected it). */
  passwordFor(peer: { readonly address: string; readonly bgpPeers?: readonly string[] }): string | undefined;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Canonical address text (IPv6 lower case, compressed) so `FD00:0::11` finds `fd00::11`. */
function canonicalAddress(a: string): string {
  if (isIP(a) !== 6) return a;
  return new URL(`http://[${a}]/`).hostname.slice(1, -1);
}

/** PURE: parses the text of a password file. `source` names it in errors. */
export function parsePasswordFile(text: string, source = 'password file'): PasswordTable {
  const entries: PasswordEntry[] = [];
  const byKey = new Map<string, PasswordEntry>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const n = i + 1;
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)\s+(.+)$/.exec(line);
    if (m === null) throw new SecretsError('password-file', `${source}:${n}: expected "ADDRESS-or-BGPPeer-name PASSWORD"`);
    const rawKey = m[1]!;
    const password = m[2]!;
    const key = isIP(rawKey) !== 0 ? canonicalAddress(rawKey) : rawKey;
    if (isIP(rawKey) === 0 && !NAME.test(rawKey)) {
      throw new SecretsError('password-file', `${source}:${n}: ${JSON.stringify(rawKey)} is neither an IP address nor a BGPPeer name`);
    }
    const bytes = Buffer.byteLength(password, 'utf8');
    if (bytes > MAX_MD5_KEY_BYTES) {
      throw new SecretsError('password-file', `${source}:${n}: the password for ${key} is ${bytes} bytes; TCP MD5 allows at most ${MAX_MD5_KEY_BYTES}`);
    }
    const dup = byKey.get(key);
    if (dup !== undefined) throw new SecretsError('password-file', `${source}:${n}: ${key} already has a password on line ${dup.line}`);
    const e = { key, password, line: n };
    byKey.set(key, e);
    entries.push(e);
  }
  return {
    entries,
    passwordFor(peer) {
      const a = byKey.get(canonicalAddress(peer.address));
      if (a !== undefined) return a.password;
      for (const name of [...(peer.bgpPeers ?? [])].sort()) {
        const e = byKey.get(name);
        if (e !== undefined) return e.password;
      }
      return undefined;
    },
  };
}

function modeText(st: Stats): string {
  return `0${(st.mode & 0o777).toString(8).padStart(3, '0')}`;
}

function openChecked(path: string, what: string, code: SecretsError['code']): { fd: number; st: Stats } {
  let fd: number;
  try {
    fd = openSync(path, fsc.O_RDONLY);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'does not exist' : e.code === 'EACCES' ? 'is not readable by this user' : e.message;
    throw new SecretsError(code, `${what} ${path} ${why}`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new SecretsError(code, `${what} ${path} is not a regular file`);
  }
  return { fd, st };
}

/**
 * Reads and checks `--password-file`: refuses a file readable or writable by group or
 * others, or owned by another user than the daemon's (or root).
 */
export function loadPasswordFile(path: string, uid: number | undefined = process.getuid?.()): PasswordTable {
  const { fd, st } = openChecked(path, 'password file', 'password-file');
  try {
    if ((st.mode & 0o077) !== 0) {
      throw new SecretsError('password-file', `password file ${path} has mode ${modeText(st)}: it must not be readable or writable by group or others (run: chmod 600 ${path})`);
    }
    if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
      throw new SecretsError('password-file', `password file ${path} is owned by uid ${st.uid}: it must be owned by the daemon's user (uid ${uid}) or root`);
    }
    return parsePasswordFile(readFileSync(fd, 'utf8'), path);
  } finally {
    closeSync(fd);
  }
}

export interface TlsFiles {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

/**
 * Checks the etcd TLS files before connecting: each exists, is a readable regular
 * file and is not writable by others; the private key is not readable by others.
 */
export function checkTlsFiles(f: TlsFiles): void {
  const rows: [string | undefined, string, boolean][] = [
    [f.caFile, 'etcd CA file', false],
    [f.certFile, 'etcd certificate file', false],
    [f.keyFile, 'etcd key file', true],
  ];
  for (const [path, what, secret] of rows) {
    if (path === undefined || path === '') continue;
    const { fd, st } = openChecked(path, what, 'tls-file');
    closeSync(fd);
    if (secret && (st.mode & 0o004) !== 0) {
      throw new SecretsError('tls-file', `${what} ${path} has mode ${modeText(st)}: a private key must not be readable by others (run: chmod 600 ${path}, or 640 with the service group)`);
    }
    if ((st.mode & 0o002) !== 0) {
      throw new SecretsError('tls-file', `${what} ${path} has mode ${modeText(st)}: it must not be writable by others (run: chmod o-w ${path})`);
    }
  }
}
