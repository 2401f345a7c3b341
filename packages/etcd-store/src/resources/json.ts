/**
 * Small typed readers over parsed JSON. Each reader names the field path in its
 * error so that a report says exactly which field was wrong.
 */
import { fail, type IssueSink } from './issues.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function objectAt(v: unknown, path: string): JsonObject {
  if (!isObject(v)) fail(`${path}: expected an object`);
  return v;
}

/** An optional object: absent or null gives {}. */
export function optObject(o: JsonObject, field: string, path: string): JsonObject {
  const v = o[field];
  if (v === undefined || v === null) return {};
  return objectAt(v, `${path}.${field}`);
}

export function optString(o: JsonObject, field: string, path: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(`${path}.${field}: expected a string`);
  return v;
}

export function optBool(o: JsonObject, field: string, path: string): boolean | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(`${path}.${field}: expected true or false`);
  return v;
}

export function optInt(o: JsonObject, field: string, path: string, min: number, max: number): number | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(`${path}.${field}: expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function optArray(o: JsonObject, field: string, path: string): Json[] {
  const v = o[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${path}.${field}: expected a list`);
  return v;
}

/** String-valued map such as metadata.labels. */
export function stringMap(o: JsonObject, field: string, path: string): Readonly<Record<string, string>> {
  const m = optObject(o, field, path);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') fail(`${path}.${field}.${k}: expected a string`);
    out[k] = v;
  }
  return out;
}

/** Warns once per field of o not in known (ignored, not fatal: newer Calico adds fields). */
export function warnUnknown(o: JsonObject, known: ReadonlySet<string>, path: string, sink: IssueSink): void {
  for (const k of Object.keys(o)) {
    if (!known.has(k)) sink.warn(`${path}.${k}: unknown field, ignored`);
  }
}

export function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], path: string, dflt: T): T {
  if (v === undefined || v === '') return dflt;
  if (!(allowed as readonly string[]).includes(v)) fail(`${path}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}
