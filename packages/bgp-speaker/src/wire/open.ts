/**
 * OPEN (RFC 4271 §4.2): Version (1) | My AS (2) | Hold Time (2) | BGP Identifier (4) |
 * Opt Parm Len (1) | Optional Parameters (type 1, length 1, value).
 * RFC 9072: Opt Parm Len 255 followed by a parameter type 255 means a 2-octet Extended
 * Opt Parm Len follows and every parameter length is 2 octets.
 * Capabilities (parameter type 2, RFC 5492) are in capabilities.ts.
 */
import { read16, read32, write16, write32 } from './bytes.js';
import { decodeCapability, encodeCapabilityValue } from './capabilities.js';
import { ErrorCode, OpenSubcode, WireError } from './errors.js';
import { writeHeader } from './header.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType, type Capability, type OpenMessage } from './types.js';

export const BGP_VERSION = 4;
const PARAM_CAPABILITIES = 2;

function openError(subcode: number, message: string, data?: Uint8Array): WireError {
  return new WireError(ErrorCode.OPEN_MESSAGE, subcode, message, data);
}

/**
 * Decodes an OPEN body (after the header). Codec-level checks: version (2/1, data = the
 * version we support, RFC 4271 §6.2), hold time 1 or 2 (2/6), and structure (2/0).
 */
export function decodeOpen(b: Uint8Array, start: number, end: number): OpenMessage {
  if (end - start < 10) throw openError(OpenSubcode.UNSPECIFIC, 'OPEN too short');
  const version = b[start]!;
  if (version !== BGP_VERSION) {
    throw openError(OpenSubcode.UNSUPPORTED_VERSION, `unsupported version ${version}`, Uint8Array.of(0, BGP_VERSION));
  }
  const myAs = read16(b, start + 1);
  const holdTime = read16(b, start + 3);
  if (holdTime === 1 || holdTime === 2) {
    throw openError(OpenSubcode.UNACCEPTABLE_HOLD_TIME, `hold time ${holdTime} (must be 0 or >= 3)`);
  }
  const bgpId = read32(b, start + 5);
  let optLen = b[start + 9]!;
  let p = start + 10;
  let wide = false;
  // RFC 9072 §2: non-extended length 255 and first parameter type 255 = extended format.
  if (optLen === 255 && p < end && b[p] === 255) {
    if (p + 3 > end) throw openError(OpenSubcode.UNSPECIFIC, 'extended optional parameters length truncated');
    optLen = read16(b, p + 1);
    p += 3;
    wide = true;
  }
  const paramsEnd = p + optLen;
  if (paramsEnd !== end) throw openError(OpenSubcode.UNSPECIFIC, 'optional parameters length disagrees with the message length');
  const capabilities: Capability[] = [];
  const otherParams: { type: number; value: Uint8Array }[] = [];
  while (p < paramsEnd) {
    const hdr = wide ? 3 : 2;
    if (p + hdr > paramsEnd) throw openError(OpenSubcode.UNSPECIFIC, 'optional parameter header truncated');
    const type = b[p]!;
    const len = wide ? read16(b, p + 1) : b[p + 1]!;
    const vs = p + hdr;
    const ve = vs + len;
    if (ve > paramsEnd) throw openError(OpenSubcode.UNSPECIFIC, 'optional parameter overruns');
    p = ve;
    if (type !== PARAM_CAPABILITIES) {
      otherParams.push({ type, value: b.slice(vs, ve) });
      continue;
    }
    // RFC 5492 §4: a parameter may carry several capabilities.
    let q = vs;
    while (q < ve) {
      if (q + 2 > ve) throw openError(OpenSubcode.UNSPECIFIC, 'capability header truncated');
      const code = b[q]!;
      const cl = b[q + 1]!;
      if (q + 2 + cl > ve) throw openError(OpenSubcode.UNSPECIFIC, `capability ${code} overruns`);
      const cap = decodeCapability(code, b, q + 2, q + 2 + cl);
      if (cap !== null) capabilities.push(cap);
      q += 2 + cl;
    }
  }
  const open: OpenMessage = { type: MessageType.OPEN, version, myAs, holdTime, bgpId, capabilities };
  return otherParams.length > 0 ? { ...open, otherParams } : open;
}

/** Encodes a whole OPEN message; uses the RFC 9072 format only when parameters exceed 255 bytes. */
export function encodeOpen(m: OpenMessage): Uint8Array {
  const caps = m.capabilities.map((c) => {
    const v = encodeCapabilityValue(c);
    if (v.length > 255) throw new RangeError(`capability ${c.code} longer than 255 bytes`);
    return { code: c.code, v };
  });
  const capBytes = caps.reduce((n, c) => n + 2 + c.v.length, 0);
  const others = m.otherParams ?? [];
  const narrowLen = (caps.length > 0 ? 2 + capBytes : 0) + others.reduce((n, o) => n + 2 + o.value.length, 0);
  const wide = narrowLen > 255 || capBytes > 255 || others.some((o) => o.value.length > 255);
  const ph = wide ? 3 : 2;
  const paramsLen = (caps.length > 0 ? ph + capBytes : 0) + others.reduce((n, o) => n + ph + o.value.length, 0);
  const total = HEADER_LENGTH + 10 + (wide ? 3 : 0) + paramsLen;
  if (total > MAX_MESSAGE_LENGTH) throw new RangeError(`OPEN of ${total} bytes exceeds 4096`);
  const b = new Uint8Array(total);
  writeHeader(b, 0, total, MessageType.OPEN);
  let p = HEADER_LENGTH;
  b[p] = m.version;
  write16(b, p + 1, m.myAs);
  write16(b, p + 3, m.holdTime);
  write32(b, p + 5, m.bgpId);
  p += 9;
  if (wide) {
    b[p] = 255;
    b[p + 1] = 255;
    write16(b, p + 2, paramsLen);
    p += 4;
  } else {
    b[p++] = paramsLen;
  }
  const param = (type: number, len: number): void => {
    b[p++] = type;
    if (wide) {
      write16(b, p, len);
      p += 2;
    } else {
      b[p++] = len;
    }
  };
  if (caps.length > 0) {
    param(PARAM_CAPABILITIES, capBytes);
    for (const c of caps) {
      b[p] = c.code;
      b[p + 1] = c.v.length;
      b.set(c.v, p + 2);
      p += 2 + c.v.length;
    }
  }
  for (const o of others) {
    param(o.type, o.value.length);
    b.set(o.value, p);
    p += o.value.length;
  }
  if (p !== total) throw new Error(`OPEN: wrote ${p} bytes, predicted ${total}`);
  return b;
}
