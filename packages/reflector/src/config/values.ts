/**
 * PURE: one option value, text to typed, by the option's type (options.ts), and the
 * words that say what a type allows — the same words in an error and in --help.
 */
import { tryParseIp } from '@bgp-rr/etcd-store';
import type { Endpoint, OptionSpec, OptionType } from './options.js';

/** A value the type does not allow; the resolver adds the flag, value and source. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad: Parsed<never> = { ok: false };

/** What a value of this type may be, for --help: "0 or 3..65535", "enforce|warn|off". */
export function allowedText(t: OptionType): string | undefined {
  switch (t.type) {
    case 'string':
      return undefined;
    case 'int': {
      const range = t.max === undefined ? `${t.min} or more` : `${t.min}..${t.max}`;
      return t.zero !== undefined && t.min > 0 ? `0 or ${range}` : range;
    }
    case 'enum':
      return Object.keys(t.choices).join('|');
    case 'ipv4':
      return 'dotted quad';
    case 'endpoint':
      return `IPv6 as [ADDR]:PORT, port ${t.port} if none is given${t.none === true ? '; none for no listener' : ''}`;
  }
}

/** What a value of this type may be, for an error after "FLAG VALUE: ". */
export function expectedText(t: OptionType): string {
  switch (t.type) {
    case 'string':
      return 'expected a string';
    case 'int':
      return `expected an integer, ${allowedText(t)}`;
    case 'enum':
      return `expected one of ${Object.keys(t.choices).join(', ')}`;
    case 'ipv4':
      return 'expected an IPv4 address (dotted quad)';
    case 'endpoint':
      return `expected ADDR[:PORT], IPv6 as [ADDR]:PORT, port 0..65535${t.none === true ? ', or none' : ''}`;
  }
}

/** One element of the option's value (a list option: each item). */
export function parseElement(spec: OptionSpec, text: string): Parsed<unknown> {
  switch (spec.type) {
    case 'string':
      return ok(text);
    case 'int': {
      const s = text.trim();
      if (!/^\d+$/.test(s)) return bad;
      const n = Number(s);
      if (!Number.isSafeInteger(n)) return bad;
      const inRange = n >= spec.min && (spec.max === undefined || n <= spec.max);
      return inRange || (n === 0 && spec.zero !== undefined) ? ok(n) : bad;
    }
    case 'enum':
      return Object.hasOwn(spec.choices, text) ? ok(text) : bad;
    case 'ipv4': {
      const ip = tryParseIp(text);
      return ip?.family === 4 ? ok(ip.address) : bad;
    }
    case 'endpoint': {
      if (spec.none === true && (text === 'none' || text === '')) return ok(null);
      const e = parseEndpoint(text, spec.port);
      return e === undefined ? bad : ok(e);
    }
  }
}

/** "10.0.0.1", "10.0.0.1:1179", "::", "fd00::1", "[fd00::1]:179", "[::]:179"; port 0 picks a free one. */
export function parseEndpoint(text: string, defaultPort: number): Endpoint | undefined {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const v4 = /^([0-9.]+)(?::(\d+))?$/.exec(text);
  const [addr, port] = bracket ? [bracket[1], bracket[2]] : v4 ? [v4[1], v4[2]] : [text, undefined];
  const ip = tryParseIp(addr ?? '');
  if (ip === undefined || (bracket !== null && ip.family !== 6)) return undefined;
  const p = port === undefined ? defaultPort : Number(port);
  if (!Number.isInteger(p) || p < 0 || p > 65535) return undefined;
  return { address: ip.address, port: p };
}

/** "10.0.0.1:179", "[fd00::1]:179". */
export function endpointText(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}
