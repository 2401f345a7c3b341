/**
 * PeerConfig (speaker.ts, what callers write) → SessionSettings (what a session runs
 * with): defaults applied, addresses normalised, values checked. Throws RangeError on a
 * configuration the RFCs or Node cannot honour.
 */
import { parseIpv4, tryParseIpv4, tryParseIpv6 } from '../wire/address.js';
import { IPV4_UNICAST, IPV6_UNICAST, type Family } from '../wire/types.js';
import type { FsmConfig } from '../fsm/state.js';
import type { LocalSettings } from '../fsm/negotiate.js';
import type { PeerConfig } from './peer.js';
import { isIpv6, normaliseAddress } from './address.js';
import { MD5_ACTIVE_REFUSAL, TCP_MD5SIG_MAXKEYLEN } from './tcp-md5.js';

export interface SessionSettings {
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly peerAs: number;
  readonly local: LocalSettings;
  readonly fsm: FsmConfig;
  /** RFC 2385 TCP MD5 key (set on the listening sockets: the session must be passive). */
  readonly password: string | undefined;
}

/** Linux's default IP TTL, the only one a net.Socket can send with (no IP_TTL in Node). */
export const SYSTEM_TTL = 64;

function checkAs(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > 0xffffffff) throw new RangeError(`${name} ${v} is not an AS number`);
}

export function resolvePeerConfig(c: PeerConfig): SessionSettings {
  const peerAddress = normaliseAddress(c.peerAddress);
  if (tryParseIpv4(peerAddress) === null && tryParseIpv6(peerAddress) === null) {
    throw new RangeError(`peer address ${c.peerAddress} is not an IP address`);
  }
  checkAs('local AS', c.localAs);
  checkAs('peer AS', c.peerAs);
  const holdTime = c.holdTime ?? 90;
  // RFC 4271 §4.2: zero or at least three seconds.
  if (!Number.isInteger(holdTime) || (holdTime !== 0 && holdTime < 3) || holdTime > 0xffff) {
    throw new RangeError(`hold time ${holdTime}: must be 0 or 3..65535 (RFC 4271 §4.2)`);
  }
  if (c.ttl !== undefined && c.ttl !== SYSTEM_TTL) {
    throw new RangeError(`ttl ${c.ttl}: Node cannot set IP_TTL on TCP sockets; only the system default ${SYSTEM_TTL} is possible`);
  }
  if (c.password !== undefined) {
    const bytes = new TextEncoder().encode(c.password).length;
    if (bytes === 0 || bytes > TCP_MD5SIG_MAXKEYLEN) throw new RangeError(`TCP MD5 password of ${bytes} octets: 1..${TCP_MD5SIG_MAXKEYLEN} (TCP_MD5SIG_MAXKEYLEN)`);
    if (c.passive !== true) throw new RangeError(MD5_ACTIVE_REFUSAL);
  }
  const routerId = parseIpv4(c.routerId);
  if (routerId === 0) throw new RangeError('router id 0.0.0.0 (RFC 6286 §2.1: non-zero)');
  const families: readonly Family[] = c.families ?? [isIpv6(peerAddress) ? IPV6_UNICAST : IPV4_UNICAST];
  const passive = c.passive ?? false;
  const connectRetryTime = c.connectRetrySeconds ?? 5;
  return {
    peerAddress,
    peerPort: c.peerPort ?? 179,
    localAddress: c.localAddress !== undefined ? normaliseAddress(c.localAddress) : undefined,
    localPort: c.localPort,
    peerAs: c.peerAs,
    local: {
      localAs: c.localAs,
      routerId,
      holdTime,
      families,
      addPath: c.addPath ?? [],
      gracefulRestart: c.gracefulRestart,
      extendedMessage: c.extendedMessage ?? false,
    },
    fsm: {
      passive,
      connectRetryTime,
      idleHoldTime: c.idleHoldSeconds ?? (passive ? 0 : connectRetryTime),
      allowAutomaticStart: true,
      largeHoldTime: 240,
    },
    password: c.password,
  };
}

/**
 * True when the two settings differ in anything the session negotiated or connects with.
 * The graceful restart R-bit is not such a thing: it only goes into the next OPEN
 * (RFC 4724 §4.1), so flipping it must not reset an Established session.
 */
export function sessionSettingsDiffer(a: SessionSettings, b: SessionSettings): boolean {
  const norm = (s: SessionSettings): string => {
    const gr = s.local.gracefulRestart;
    return JSON.stringify({ ...s, local: { ...s.local, gracefulRestart: gr ? { ...gr, restarting: false } : undefined } });
  };
  return norm(a) !== norm(b);
}
