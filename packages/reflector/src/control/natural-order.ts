/**
 * PURE: natural order, as `ls -v` / `sort -V` sort: "node-2" before "node-10". Runs of
 * ASCII digits compare as numbers (a leading-zero run, equal in value, comes first),
 * everything else by code unit, so the order is the same in every locale.
 */
const RUNS = /(\d+)/;

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  if (x !== y) return x < y ? -1 : 1;
  return b.length - a.length;
}

export function naturalCompare(a: string, b: string): number {
  if (a === b) return 0;
  const xs = a.split(RUNS);
  const ys = b.split(RUNS);
  // split() with a capture group alternates text, digits, text...: odd indexes are digit runs.
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x === y) continue;
    if (i % 2 === 1) return compareDigits(x, y);
    // Text parts: a shorter one that is a prefix of the other is followed by digits in
    // its string ("n" + "2" vs "n-a"), so plain code-unit order decides here too.
    return x < y ? -1 : 1;
  }
  return xs.length - ys.length;
}

/** `bgp-rr peers` order: node name naturally, then address naturally. */
export function comparePeers(a: { readonly node: string; readonly address: string }, b: { readonly node: string; readonly address: string }): number {
  return naturalCompare(a.node, b.node) || naturalCompare(a.address, b.address);
}
