/**
 * Where the programs the benchmark runs live (as test/harness/tools.ts; plain JS so
 * `node bench/run.mjs` needs no TypeScript loader). scripts/setup.sh installs them.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const candidates = {
  bird1: ['/usr/sbin/bird', '/sbin/bird'],
  bird2: [join(REPO_ROOT, '.cache', 'bird2', 'usr', 'sbin', 'bird')],
  gobgpd: ['/usr/bin/gobgpd', '/bin/gobgpd'],
  etcd: ['/usr/bin/etcd', '/bin/etcd'],
  ip: ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'],
  chrt: ['/usr/bin/chrt', '/bin/chrt'],
  nft: ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'],
  bgpRr: [join(REPO_ROOT, 'node_modules', '.bin', 'bgp-rr')],
};

export function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of each tool (the first candidate when none is installed). */
export const tools = Object.fromEntries(Object.entries(candidates).map(([k, list]) => [k, list.find(executable) ?? list[0]]));
