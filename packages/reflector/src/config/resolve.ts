/**
 * Option resolution: flag > environment > config file > default (options.ts).
 * Pure: the caller passes the flags commander saw, the environment and the parsed
 * file; every value comes back with where it came from, so commands can show it.
 */
import { OPTIONS, type OptionKey, type OptionSpec } from './options.js';

export type Source = 'flag' | 'env' | 'file' | 'default';
export type Value = string | readonly string[];

export interface Resolved {
  readonly values: Readonly<Partial<Record<OptionKey, Value>>>;
  readonly sources: Readonly<Partial<Record<OptionKey, Source>>>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

export function resolveOptions(
  keys: readonly OptionKey[],
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  file: Readonly<Record<string, unknown>> = {},
): Resolved {
  const values: Partial<Record<OptionKey, Value>> = {};
  const sources: Partial<Record<OptionKey, Source>> = {};
  for (const key of keys) {
    const spec: OptionSpec = OPTIONS.find((o) => o.key === key) as OptionSpec;
    const fromFlag = flags[key];
    const fromEnv = env[spec.env];
    const fromFile = file[key];
    let v: Value | undefined;
    let src: Source | undefined;
    if (fromFlag !== undefined) [v, src] = [fromFlag as Value, 'flag'];
    else if (fromEnv !== undefined && fromEnv !== '') [v, src] = [spec.list ? splitList(fromEnv) : fromEnv, 'env'];
    else if (fromFile !== undefined) [v, src] = [fileValue(spec, fromFile), 'file'];
    else if (spec.default !== undefined) [v, src] = [spec.default, 'default'];
    if (v === undefined || src === undefined) continue;
    // Lists given as repeated flags may also be comma-separated: --listen a,b.
    values[key] = spec.list ? (typeof v === 'string' ? splitList(v) : v.flatMap(splitList)) : v;
    sources[key] = src;
  }
  return { values, sources };
}

function fileValue(spec: OptionSpec, v: unknown): Value {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return spec.list ? splitList(v) : v;
  if (spec.list && Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new ConfigError(`config file: ${spec.key} must be ${spec.list ? 'a string or a list of strings' : 'a string'}`);
}

/** Checks a parsed config file: an object whose keys are option keys. */
export function checkConfigFile(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${path}: expected a JSON object`);
  const known = new Set<string>(OPTIONS.map((o) => o.key));
  const unknown = Object.keys(v).filter((k) => !known.has(k) || k === 'config');
  if (unknown.length > 0) throw new ConfigError(`${path}: unknown option(s) ${unknown.join(', ')}; known: ${[...known].filter((k) => k !== 'config').join(', ')}`);
  return v as Record<string, unknown>;
}

export function str(r: Resolved, key: OptionKey): string | undefined {
  const v = r.values[key];
  return typeof v === 'string' ? v : undefined;
}

export function list(r: Resolved, key: OptionKey): readonly string[] {
  const v = r.values[key];
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}
