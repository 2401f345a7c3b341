/**
 * OPEN capabilities (RFC 5492): code (1) | length (1) | value. One row per capability we
 * understand; unknown ones are kept raw (and ignored by negotiation). A known capability
 * whose value has the wrong shape is an OPEN Message Error (2/0, RFC 4271 §6.2).
 */
import { read16, read32, write16, write32 } from './bytes.js';
import { ErrorCode, OpenSubcode, WireError } from './errors.js';
import { CapabilityCode, type AddPathMode, type Capability } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8enc = new TextEncoder();

function bad(code: number, why: string): WireError {
  return new WireError(ErrorCode.OPEN_MESSAGE, OpenSubcode.UNSPECIFIC, `capability ${code}: ${why}`);
}

/** Decodes one capability value `b[s..e)` of type `code`. */
export function decodeCapability(code: number, b: Uint8Array, s: number, e: number): Capability | null {
  const len = e - s;
  switch (code) {
    case CapabilityCode.MULTIPROTOCOL: // RFC 4760 §8: AFI (2) | reserved (1) | SAFI (1)
      if (len !== 4) throw bad(code, 'length must be 4');
      return { code, afi: read16(b, s), safi: b[s + 3]! };
    case CapabilityCode.ROUTE_REFRESH: // RFC 2918 §2
      if (len !== 0) throw bad(code, 'length must be 0');
      return { code };
    case CapabilityCode.ENHANCED_ROUTE_REFRESH: // RFC 7313 §3
      if (len !== 0) throw bad(code, 'length must be 0');
      return { code };
    case CapabilityCode.EXTENDED_MESSAGE: // RFC 8654 §3
      if (len !== 0) throw bad(code, 'length must be 0');
      return { code };
    case CapabilityCode.FOUR_OCTET_AS: // RFC 6793 §3
      if (len !== 4) throw bad(code, 'length must be 4');
      return { code, asn: read32(b, s) };
    case CapabilityCode.GRACEFUL_RESTART: {
      // RFC 4724 §3: R (0x8) and N (0x4, RFC 8538) bits, 12-bit Restart Time, then AFI/SAFI/flags tuples.
      if (len < 2 || (len - 2) % 4 !== 0) throw bad(code, 'bad length');
      const families = [];
      for (let p = s + 2; p < e; p += 4) {
        families.push({ afi: read16(b, p), safi: b[p + 2]!, forwardingPreserved: (b[p + 3]! & 0x80) !== 0 });
      }
      return {
        code,
        restarting: (b[s]! & 0x80) !== 0,
        notification: (b[s]! & 0x40) !== 0,
        restartTime: read16(b, s) & 0x0fff,
        families,
      };
    }
    case CapabilityCode.ADD_PATH: {
      // RFC 7911 §4: AFI (2) | SAFI (1) | Send/Receive (1); tuples with other modes are ignored.
      if (len % 4 !== 0) throw bad(code, 'length must be a multiple of 4');
      const families = [];
      for (let p = s; p < e; p += 4) {
        const mode = b[p + 3]!;
        if (mode >= 1 && mode <= 3) families.push({ afi: read16(b, p), safi: b[p + 2]!, mode: mode as AddPathMode });
      }
      return { code, families };
    }
    case CapabilityCode.LONG_LIVED_GR: {
      // RFC 9494 §3: AFI (2) | SAFI (1) | flags (1, F = 0x80) | Long-lived Stale Time (3).
      if (len % 7 !== 0) throw bad(code, 'length must be a multiple of 7');
      const families = [];
      for (let p = s; p < e; p += 7) {
        families.push({
          afi: read16(b, p),
          safi: b[p + 2]!,
          forwardingPreserved: (b[p + 3]! & 0x80) !== 0,
          staleTime: (b[p + 4]! << 16) | (b[p + 5]! << 8) | b[p + 6]!,
        });
      }
      return { code, families };
    }
    case CapabilityCode.FQDN: {
      // draft-walton-bgp-hostname-capability: hostname length (1) | hostname | domain length (1) | domain.
      if (len < 1) throw bad(code, 'empty');
      const hl = b[s]!;
      if (s + 1 + hl + 1 > e) throw bad(code, 'hostname overruns');
      const dl = b[s + 1 + hl]!;
      if (s + 2 + hl + dl > e) throw bad(code, 'domain overruns');
      return {
        code,
        hostname: utf8.decode(b.subarray(s + 1, s + 1 + hl)),
        domain: utf8.decode(b.subarray(s + 2 + hl, s + 2 + hl + dl)),
      };
    }
    default:
      return { code, raw: b.slice(s, e), unknown: true };
  }
}

/** The encoded value of a capability (without its code/length header). */
export function encodeCapabilityValue(c: Capability): Uint8Array {
  if ('unknown' in c) return c.raw;
  switch (c.code) {
    case CapabilityCode.MULTIPROTOCOL: {
      const b = new Uint8Array(4);
      write16(b, 0, c.afi);
      b[3] = c.safi;
      return b;
    }
    case CapabilityCode.ROUTE_REFRESH:
    case CapabilityCode.ENHANCED_ROUTE_REFRESH:
    case CapabilityCode.EXTENDED_MESSAGE:
      return new Uint8Array(0);
    case CapabilityCode.FOUR_OCTET_AS: {
      const b = new Uint8Array(4);
      write32(b, 0, c.asn);
      return b;
    }
    case CapabilityCode.GRACEFUL_RESTART: {
      const b = new Uint8Array(2 + 4 * c.families.length);
      write16(b, 0, (c.restarting ? 0x8000 : 0) | (c.notification ? 0x4000 : 0) | (c.restartTime & 0x0fff));
      c.families.forEach((f, i) => {
        write16(b, 2 + i * 4, f.afi);
        b[4 + i * 4] = f.safi;
        b[5 + i * 4] = f.forwardingPreserved ? 0x80 : 0;
      });
      return b;
    }
    case CapabilityCode.ADD_PATH: {
      const b = new Uint8Array(4 * c.families.length);
      c.families.forEach((f, i) => {
        write16(b, i * 4, f.afi);
        b[i * 4 + 2] = f.safi;
        b[i * 4 + 3] = f.mode;
      });
      return b;
    }
    case CapabilityCode.LONG_LIVED_GR: {
      const b = new Uint8Array(7 * c.families.length);
      c.families.forEach((f, i) => {
        const p = i * 7;
        write16(b, p, f.afi);
        b[p + 2] = f.safi;
        b[p + 3] = f.forwardingPreserved ? 0x80 : 0;
        b[p + 4] = f.staleTime >>> 16;
        b[p + 5] = f.staleTime >>> 8;
        b[p + 6] = f.staleTime;
      });
      return b;
    }
    case CapabilityCode.FQDN: {
      const h = utf8enc.encode(c.hostname).subarray(0, 255);
      const d = utf8enc.encode(c.domain).subarray(0, 255);
      const b = new Uint8Array(2 + h.length + d.length);
      b[0] = h.length;
      b.set(h, 1);
      b[1 + h.length] = d.length;
      b.set(d, 2 + h.length);
      return b;
    }
    default:
      throw new RangeError(`cannot encode capability ${(c as { code: number }).code}`);
  }
}
