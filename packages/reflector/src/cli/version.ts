/**
 * The version of bgp-rr: the "version" of packages/reflector/package.json, read once,
 * at run time, for --version and for what the daemon reports (status, registry).
 * This module is src/cli/version.ts, built dist/cli/version.js: ../../package.json is
 * the package's file from both, so one relative URL serves source and build.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

let cached: string | undefined;

export function version(): string {
  if (cached !== undefined) return cached;
  const path = fileURLToPath(PACKAGE_JSON);
  let pkg: unknown;
  try {
    pkg = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the version from ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const v = typeof pkg === 'object' && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
  if (typeof v !== 'string' || v === '') throw new Error(`${path}: no "version"`);
  cached = v;
  return v;
}
