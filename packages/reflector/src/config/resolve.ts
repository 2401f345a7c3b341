/**
 * Option resolution: flag > environment > config file > default (options.ts), each
 * value checked and converted once, by its type (values.ts). Pure: the caller passes
 * the flags commander saw, the environment and the parsed file; every value comes back
 * typed, with where it came from. A value its type does not allow is a ConfigError
 * naming the flag, the value, where it came from and what is allowed.
 */
import { OPTIONS, optionSpec, type OptionKey, type OptionSpec, type OptionValues } from './options.js';
import { expectedText, parseElement } from './values.js';

export type Source = 'flag' | 'env' | 'file' | 'default';

export interface Resolved<K extends OptionKey = OptionKey> {
  readonly values: OptionValues<K>;
  readonly sources: Readonly<Partial<Record<K, Source>>>;
}

/** A bad setting: `bgp-rr` exits 2 (cli/exit-codes.ts). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

export function resolveOptions<K extends OptionKey>(
  keys: readonly K[],
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  file: Readonly<Record<string, unknown>> = {},
): Resolved<K> {
  const values: Partial<Record<OptionKey, unknown>> = {};
  const sources: Partial<Record<OptionKey, Source>> = {};
  for (const key of keys) {
    const spec = optionSpec(key);
    const fromFlag = flags[key];
    const fromEnv = env[spec.env];
    const fromFile = file[key];
    let raw: string | readonly string[] | undefined;
    let src: Source | undefined;
    if (fromFlag !== undefined) [raw, src] = [fromFlag as string | string[], 'flag'];
    else if (fromEnv !== undefined && fromEnv !== '') [raw, src] = [fromEnv, 'env'];
    else if (fromFile !== undefined) [raw, src] = [fileText(spec, fromFile), 'file'];
    else if (spec.default !== undefined) [raw, src] = [spec.default, 'default'];
    if (raw === undefined || src === undefined) continue;
    values[key] = convert(spec, raw, src);
    sources[key] = src;
  }
  return { values: values as OptionValues<K>, sources };
}

/** Lists: every item may itself be comma-separated (--listen a,b --listen c). */
function convert(spec: OptionSpec, raw: string | readonly string[], src: Source): unknown {
  if (spec.list !== true) {
    if (typeof raw !== 'string') throw new Error(`${spec.key}: one value expected`);
    return element(spec, raw, src);
  }
  const items = typeof raw === 'string' ? splitList(raw) : raw.flatMap(splitList);
  // A list with a default needs an item (an empty --listen would accept no BGP at all).
  if (items.length === 0 && spec.default !== undefined) throw new ConfigError(`${spec.flag}${via(spec, src)}: at least one value is needed`);
  return items.map((item) => element(spec, item, src));
}

function element(spec: OptionSpec, text: string, src: Source): unknown {
  const p = parseElement(spec, text);
  if (p.ok) return p.value;
  throw new ConfigError(`${spec.flag} ${JSON.stringify(text)}${via(spec, src)}: ${expectedText(spec)}`);
}

function via(spec: OptionSpec, src: Source): string {
  switch (src) {
    case 'flag':
      return '';
    case 'env':
      return ` (from ${spec.env})`;
    case 'file':
      return ` (from the config file, key ${spec.key})`;
    case 'default':
      return ' (the default)';
  }
}

/** A config file value as text: a string, a number, or (a list) an array of strings. */
function fileText(spec: OptionSpec, v: unknown): string | readonly string[] {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  if (spec.list === true && Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new ConfigError(`${spec.flag} ${JSON.stringify(v)} (from the config file, key ${spec.key}): expected ${spec.list === true ? 'a string or a list of strings' : 'a string or a number'}`);
}

/** Checks a parsed config file: an object whose keys are option keys. */
export function checkConfigFile(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${path}: expected a JSON object`);
  const known = new Set<string>(OPTIONS.map((o) => o.key));
  const unknown = Object.keys(v).filter((k) => !known.has(k) || k === 'config');
  if (unknown.length > 0) throw new ConfigError(`${path}: unknown option(s) ${unknown.join(', ')}; known: ${[...known].filter((k) => k !== 'config').join(', ')}`);
  return v as Record<string, unknown>;
}
