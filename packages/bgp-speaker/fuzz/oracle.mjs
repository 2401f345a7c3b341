// What must happen to a fuzz case: the decoder's outcome and the rules it must obey,
// and the outcome a live session in Established must show. Codec injected.

export const TYPE_NAMES = { 1: 'OPEN', 2: 'UPDATE', 3: 'NOTIFICATION', 4: 'KEEPALIVE', 5: 'ROUTE-REFRESH' };

/** NOTIFICATION code → subcodes a decoder may ask for on a received message. */
export const ALLOWED = {
  1: [1, 2, 3], // RFC 4271 §6.1
  2: [0, 1, 2, 3, 4, 6, 7, 11], // RFC 4271 §6.2, RFC 5492, RFC 9234
  3: [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11], // RFC 4271 §6.3
  7: [1], // RFC 7313 §5
};
const ACTIONS = new Set(['none', 'attribute-discard', 'treat-as-withdraw']);

/**
 * Decodes one frame. Returns { outcome, violation }: outcome is the stable text kept
 * in corpus files ("error 3/1", "UPDATE treat-as-withdraw", "KEEPALIVE" ...);
 * violation is null or why the decoder broke its contract.
 */
export function decodeOutcome(c, frame, ctx) {
  let d;
  try {
    d = c.decodeMessage(frame, ctx);
  } catch (e) {
    if (!(e instanceof c.WireError)) return { outcome: 'crash', violation: `threw ${e?.name ?? typeof e}: ${e?.message ?? e}` };
    const ok = ALLOWED[e.code]?.includes(e.subcode) ?? false;
    return { outcome: `error ${e.code}/${e.subcode}`, violation: ok ? null : `WireError ${e.code}/${e.subcode} is not a NOTIFICATION a received message may cause` };
  }
  const type = TYPE_NAMES[d.message.type];
  if (type === undefined) return { outcome: `type ${d.message.type}`, violation: `decoded unknown type ${d.message.type}` };
  if (d.message.type !== 2) return { outcome: type, violation: null };
  const u = d.update;
  if (u === undefined || !ACTIONS.has(u.action)) return { outcome: 'UPDATE ?', violation: `UPDATE without an RFC 7606 action` };
  if (!u.errors.every((x) => x instanceof c.WireError)) return { outcome: `UPDATE ${u.action}`, violation: 'non-WireError in update.errors' };
  if (u.action !== 'none' && u.errors.length === 0) return { outcome: `UPDATE ${u.action}`, violation: `action ${u.action} without an error` };
  return { outcome: `UPDATE ${u.action}`, violation: null };
}

/**
 * The Framer must agree with itself whatever the split: the same message (or the same
 * header error, or "need more") for the whole frame and for the frame cut in pieces.
 */
export function framerCheck(c, frame, ctx, cuts) {
  const run = (pieces) => {
    const f = new c.Framer(() => ctx);
    try {
      for (const p of pieces) f.push(p);
      const m = f.next();
      return m === null ? 'more' : `message ${m.length}`;
    } catch (e) {
      if (!(e instanceof c.WireError)) return `crash ${e?.message ?? e}`;
      return `error ${e.code}/${e.subcode}`;
    }
  };
  const whole = run([frame]);
  const pieces = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut > at && cut < frame.length) {
      pieces.push(frame.slice(at, cut));
      at = cut;
    }
  }
  pieces.push(frame.slice(at));
  const split = run(pieces);
  if (whole.startsWith('crash')) return `Framer ${whole}`;
  if (whole !== split) return `Framer: whole frame gives ${whole}, split at ${cuts.join(',')} gives ${split}`;
  return null;
}

/**
 * For a live session: a frame whose header passes must carry its true length (the
 * speaker would otherwise wait for, or borrow, the next message's bytes).
 */
export function liveFrame(c, frame, ctx) {
  try {
    const len = c.checkHeader(frame, 0, c.maxMessageLength(ctx));
    if (len === frame.length) return frame;
  } catch {
    return frame;
  }
  const out = frame.slice();
  out[16] = (out.length >>> 8) & 0xff;
  out[17] = out.length & 0xff;
  return out;
}

/**
 * What a speaker in Established must do with `frame` (RFC 4271 §6, §8.2.2; RFC 6608;
 * RFC 7606): 'sent C/S' (that NOTIFICATION, session down), 'alive' (session stays up),
 * 'closed' (a NOTIFICATION from the peer: close without answering).
 */
export function liveExpected(c, frame, ctx) {
  try {
    c.checkHeader(frame, 0, c.maxMessageLength(ctx));
  } catch (e) {
    if (e instanceof c.WireError) return `sent ${e.code}/${e.subcode}`;
    throw e;
  }
  const type = frame[18];
  if (type === 1) return 'sent 5/3'; // RFC 6608 §4: OPEN in Established
  if (type === 3) return 'closed';
  const d = decodeOutcome(c, frame, ctx);
  if (d.outcome.startsWith('error ')) return `sent ${d.outcome.slice(6)}`;
  return 'alive';
}
