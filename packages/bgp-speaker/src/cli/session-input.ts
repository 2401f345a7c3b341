/**
 * The command lines `bgp-speaker session` reads on stdin, one per line, so that a test
 * (or an operator) can make the running session send a ROUTE-REFRESH:
 *
 *   refresh [ipv4|ipv6]   a request: send your routes again (RFC 2918 §3, subtype 0)
 *   borr [ipv4|ipv6]      Beginning of Route Refresh (RFC 7313 §3, subtype 1)
 *   eorr [ipv4|ipv6]      End of Route Refresh (RFC 7313 §3, subtype 2)
 *
 * Without a family: one message per negotiated family. Blank lines and lines starting
 * with '#' are skipped. Parsing only; session-command.ts checks the session and sends.
 */
import { IPV4_UNICAST, IPV6_UNICAST, type Family } from '../wire/types.js';
import type { RouteRefreshSubtypeName } from '../wire/route-refresh.js';

export const SESSION_INPUT_HELP = `
Commands on stdin (one per line; each ROUTE-REFRESH sent prints a "route-refresh" line
with "direction":"sent", a command that cannot be carried out an "error" line):
  refresh [ipv4|ipv6]   send a ROUTE-REFRESH request (RFC 2918)
  borr [ipv4|ipv6]      send a BoRR, Beginning of Route Refresh (RFC 7313)
  eorr [ipv4|ipv6]      send an EoRR, End of Route Refresh (RFC 7313)
Without a family, one message per negotiated family. A received request is answered
with our routes, between a BoRR and an EoRR when the peer advertised enhanced route
refresh, else followed by End-of-RIB.
`;

export type SessionCommand =
  | { readonly kind: 'none' }
  | { readonly kind: 'route-refresh'; readonly subtype: RouteRefreshSubtypeName; readonly family: Family | null }
  | { readonly kind: 'error'; readonly message: string };

const VERBS: Readonly<Record<string, RouteRefreshSubtypeName>> = { refresh: 'request', borr: 'borr', eorr: 'eorr' };
const FAMILIES: Readonly<Record<string, Family>> = { ipv4: IPV4_UNICAST, ipv6: IPV6_UNICAST };

export function parseSessionCommand(line: string): SessionCommand {
  const words = line.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0 || words[0]!.startsWith('#')) return { kind: 'none' };
  const [verb, fam, ...rest] = words as [string, string | undefined, ...string[]];
  const subtype = Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
  if (subtype === undefined) return { kind: 'error', message: `unknown command "${verb}": refresh, borr or eorr, then ipv4, ipv6 or nothing` };
  if (rest.length > 0) return { kind: 'error', message: `${verb}: one family at most (ipv4 or ipv6)` };
  if (fam === undefined) return { kind: 'route-refresh', subtype, family: null };
  const family = Object.hasOwn(FAMILIES, fam) ? FAMILIES[fam] : undefined;
  if (family === undefined) return { kind: 'error', message: `${verb}: unknown family "${fam}" (ipv4 or ipv6)` };
  return { kind: 'route-refresh', subtype, family };
}
