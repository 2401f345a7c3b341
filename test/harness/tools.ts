/**
 * Absolute paths of the external programs tests run, and a check that tells the
 * developer how to get them (`npm run setup`, i.e. scripts/setup.sh).
 *
 * BIRD 1.6 (Debian `bird`: bird, bird6, birdc, birdc6) is installed system-wide.
 * Debian's `bird2` package conflicts with `bird`, so scripts/setup.sh unpacks it into
 * <repo>/.cache/bird2 and tests run it from there (`bird2`, `birdc2`).
 */
import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is <root>/test/harness/tools.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const BIRD2_ROOT = join(REPO_ROOT, '.cache', 'bird2');

const SBIN = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];
const BIN = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/** Where each tool may live, most likely first. */
const CANDIDATES = {
  bird: SBIN.map((d) => `${d}/bird`),
  bird6: SBIN.map((d) => `${d}/bird6`),
  birdc: SBIN.map((d) => `${d}/birdc`),
  birdc6: SBIN.map((d) => `${d}/birdc6`),
  bird2: [join(BIRD2_ROOT, 'usr', 'sbin', 'bird')],
  birdc2: [join(BIRD2_ROOT, 'usr', 'sbin', 'birdc')],
  gobgpd: BIN.map((d) => `${d}/gobgpd`),
  gobgp: BIN.map((d) => `${d}/gobgp`),
  etcd: BIN.map((d) => `${d}/etcd`),
  etcdctl: BIN.map((d) => `${d}/etcdctl`),
  ip: SBIN.map((d) => `${d}/ip`),
  nft: SBIN.map((d) => `${d}/nft`),
  openssl: BIN.map((d) => `${d}/openssl`),
} as const satisfies Record<string, readonly string[]>;

export type ToolName = keyof typeof CANDIDATES;

export const TOOL_NAMES = Object.keys(CANDIDATES) as ToolName[];

/** Debian package that provides each tool (for error messages). */
const PACKAGE: Record<ToolName, string> = {
  bird: 'bird',
  bird6: 'bird',
  birdc: 'bird',
  birdc6: 'bird',
  bird2: 'bird2 (unpacked into .cache/bird2)',
  birdc2: 'bird2 (unpacked into .cache/bird2)',
  gobgpd: 'gobgpd',
  gobgp: 'gobgpd',
  etcd: 'etcd-server',
  etcdctl: 'etcd-client',
  ip: 'iproute2',
  nft: 'nftables',
  openssl: 'openssl',
};

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The tool's absolute path if it is installed, else undefined. */
export function findTool(name: ToolName): string | undefined {
  return CANDIDATES[name].find(executable);
}

/**
 * Absolute path of every tool: where it is installed, or where it is expected
 * (first candidate) when missing. Use requireTool() to fail clearly instead.
 */
export const tools: Readonly<Record<ToolName, string>> = Object.fromEntries(
  TOOL_NAMES.map((name) => [name, findTool(name) ?? CANDIDATES[name][0]]),
) as Record<ToolName, string>;

/** The tool's absolute path; throws an error telling to run `npm run setup` if it is missing. */
export function requireTool(name: ToolName): string {
  return requireExecutable(name, CANDIDATES[name], PACKAGE[name]);
}

/** The first executable of candidates, or an error naming the package and `npm run setup`. */
export function requireExecutable(name: string, candidates: readonly string[], debianPackage: string): string {
  const path = candidates.find(executable);
  if (path !== undefined) return path;
  throw new Error(
    `${name} is not installed (looked for ${candidates.join(', ')}; Debian package ${debianPackage}). ` +
      'Run `npm run setup` (scripts/setup.sh) to install what the tests need.',
  );
}
