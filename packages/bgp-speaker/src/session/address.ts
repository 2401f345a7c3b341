/** Canonical text for IP addresses, so peer table keys and socket addresses compare equal. */
import { formatIpv4, formatIpv6, tryParseIpv4, tryParseIpv6 } from '../wire/address.js';

/** "::ffff:10.0.0.1" → "10.0.0.1"; IPv6 in RFC 5952 form; anything unparsable unchanged. */
export function normaliseAddress(s: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  const text = mapped ? mapped[1]! : s;
  const v4 = tryParseIpv4(text);
  if (v4 !== null) return formatIpv4(v4);
  const v6 = tryParseIpv6(text);
  return v6 !== null ? formatIpv6(v6) : s;
}

export function isIpv6(s: string): boolean {
  return tryParseIpv4(s) === null && tryParseIpv6(s) !== null;
}
