/**
 * AS_PATH and AS4_PATH values (RFC 4271 §4.3, RFC 5065 confederation segments, RFC 6793).
 * A value is a run of segments: type (1 octet), count of ASes (1 octet), the ASes
 * (2 octets each on a 2-octet session, 4 octets with RFC 6793 four-octet AS or in AS4_PATH).
 */
import { AS_TRANS, AsPathSegmentType, type Aggregator, type AsPathSegment } from './types.js';

export const EMPTY_AS_PATH: readonly AsPathSegment[] = Object.freeze([]);

/**
 * Decodes `b[start..end)`; returns null when malformed (RFC 7606 §7.2: unknown segment
 * type, a zero count, or a segment overrunning the attribute).
 */
export function decodeAsPath(b: Uint8Array, start: number, end: number, asSize: 2 | 4): AsPathSegment[] | null {
  if (start === end) return EMPTY_AS_PATH as AsPathSegment[];
  const out: AsPathSegment[] = [];
  let p = start;
  while (p < end) {
    if (p + 2 > end) return null;
    const type = b[p]!;
    const count = b[p + 1]!;
    p += 2;
    if (type < AsPathSegmentType.AS_SET || type > AsPathSegmentType.AS_CONFED_SET || count === 0) return null;
    if (p + count * asSize > end) return null;
    const asns: number[] = [];
    for (let i = 0; i < count; i++) {
      if (asSize === 4) {
        asns.push(((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0);
      } else {
        asns.push((b[p]! << 8) | b[p + 1]!);
      }
      p += asSize;
    }
    out.push({ type: type as AsPathSegment['type'], asns });
  }
  return out;
}

/** Encoded value length; segments longer than 255 ASes are split (RFC 4271 §9.2.2.1). */
export function asPathLength(path: readonly AsPathSegment[], asSize: 2 | 4): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!.asns.length;
    n += Math.ceil(c / 255) * 2 + c * asSize;
  }
  return n;
}

/**
 * Writes the segments at `b[off..]`. With `asSize` 2, ASes above 65535 become AS_TRANS
 * (RFC 6793 §4.2.2). Returns the offset after the value.
 */
export function writeAsPath(b: Uint8Array, off: number, path: readonly AsPathSegment[], asSize: 2 | 4): number {
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const asns = seg.asns;
    for (let from = 0; from < asns.length; from += 255) {
      const to = Math.min(asns.length, from + 255);
      b[off++] = seg.type;
      b[off++] = to - from;
      for (let j = from; j < to; j++) {
        let a = asns[j]!;
        if (asSize === 4) {
          b[off++] = a >>> 24;
          b[off++] = a >>> 16;
          b[off++] = a >>> 8;
          b[off++] = a;
        } else {
          if (a > 0xffff) a = AS_TRANS;
          b[off++] = a >>> 8;
          b[off++] = a;
        }
      }
    }
  }
  return off;
}

/** True when a 2-octet session needs AS4_PATH to carry this path (RFC 6793 §4.2.2). */
export function needsAs4Path(path: readonly AsPathSegment[]): boolean {
  for (const seg of path) {
    if (seg.type === AsPathSegmentType.AS_CONFED_SEQUENCE || seg.type === AsPathSegmentType.AS_CONFED_SET) continue;
    for (const a of seg.asns) if (a > 0xffff) return true;
  }
  return false;
}

/** AS4_PATH carries no confederation segments (RFC 6793 §3). */
export function withoutConfedSegments(path: readonly AsPathSegment[]): AsPathSegment[] {
  return path.filter((s) => s.type === AsPathSegmentType.AS_SET || s.type === AsPathSegmentType.AS_SEQUENCE);
}

/** RFC 4271 §9.1.2.2 (a) path length: AS_SET counts 1, confederation segments 0. */
function pathCount(path: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of path) {
    if (s.type === AsPathSegmentType.AS_SEQUENCE) n += s.asns.length;
    else if (s.type === AsPathSegmentType.AS_SET) n += 1;
  }
  return n;
}

/**
 * RFC 6793 §4.2.3: rebuild the real path from AS_PATH and AS4_PATH received on a
 * 2-octet session. If AS_PATH is shorter than AS4_PATH, AS4_PATH is ignored; otherwise
 * the leading (count(AS_PATH) - count(AS4_PATH)) ASes of AS_PATH are prepended to AS4_PATH.
 */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): readonly AsPathSegment[] {
  const keep = pathCount(asPath) - pathCount(as4Path);
  if (keep < 0) return asPath;
  const out: AsPathSegment[] = [];
  let left = keep;
  for (const seg of asPath) {
    if (seg.type === AsPathSegmentType.AS_CONFED_SEQUENCE || seg.type === AsPathSegmentType.AS_CONFED_SET) {
      out.push(seg); // confederation segments precede and are kept (§4.2.3)
      continue;
    }
    if (left === 0) break;
    if (seg.type === AsPathSegmentType.AS_SET) {
      out.push(seg);
      left -= 1;
    } else if (seg.asns.length <= left) {
      out.push(seg);
      left -= seg.asns.length;
    } else {
      out.push({ type: seg.type, asns: seg.asns.slice(0, left) });
      left = 0;
    }
  }
  // Join a trailing AS_SEQUENCE with a leading AS4 AS_SEQUENCE so the path stays canonical.
  const last = out[out.length - 1];
  const first = as4Path[0];
  if (last && first && last.type === AsPathSegmentType.AS_SEQUENCE && first.type === AsPathSegmentType.AS_SEQUENCE) {
    out[out.length - 1] = { type: AsPathSegmentType.AS_SEQUENCE, asns: [...last.asns, ...first.asns] };
    return [...out, ...as4Path.slice(1)];
  }
  return [...out, ...as4Path];
}

/**
 * RFC 6793 §4.2.3 for AGGREGATOR: if it names an AS other than AS_TRANS, AS4_AGGREGATOR
 * and AS4_PATH are both ignored; otherwise AS4_AGGREGATOR is the aggregator.
 * Returns the aggregator to use and whether AS4_PATH may still be used.
 */
export function reconcileAggregator(
  aggregator: Aggregator | undefined,
  as4Aggregator: Aggregator | undefined,
): { aggregator: Aggregator | undefined; useAs4Path: boolean } {
  if (aggregator === undefined || as4Aggregator === undefined) return { aggregator, useAs4Path: true };
  if (aggregator.asn !== AS_TRANS) return { aggregator, useAs4Path: false };
  return { aggregator: as4Aggregator, useAs4Path: true };
}
