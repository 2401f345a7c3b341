/** Reads the optional `--config FILE` (JSON); the only file I/O of option resolution. */
import { readFileSync } from 'node:fs';
import { ConfigError, checkConfigFile } from './resolve.js';

export function loadConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: not JSON: ${(err as Error).message}`);
  }
  return checkConfigFile(parsed, path);
}
