/**
 * A hand-written SVG chart: one panel per figure (full reflection time, reflector
 * peak RSS, reflector CPU) against N, one line per implementation through the
 * medians, with min-max whiskers. N is spaced evenly (the values are far apart).
 */
const COLORS = { 'bgp-rr': '#d62728', gobgpd: '#1f77b4', bird2: '#2ca02c', bird1: '#9467bd' };
const PANELS = [
  { key: 'convergenceS', title: 'Full reflection (s)' },
  { key: 'reflectorPeakRssMiB', title: 'Reflector peak RSS (MiB)' },
  { key: 'reflectorCpuS', title: 'Reflector CPU to full reflection (s)' },
];
const W = 360;
const H = 260;
const M = { l: 52, r: 12, t: 28, b: 40 };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const r1 = (x) => Math.round(x * 10) / 10;
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** A "nice" upper bound and tick step for 0..max. */
function scale(max) {
  const raw = max > 0 ? max * 1.1 : 1;
  const step0 = 10 ** Math.floor(Math.log10(raw / 4));
  const step = [1, 2, 5, 10].map((k) => k * step0).find((s) => raw / s <= 5) ?? step0 * 10;
  return { top: Math.ceil(raw / step) * step, step };
}

function panel(summary, impls, ns, p, x0, caption) {
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const pts = summary.filter((s) => s.stats[p.key]);
  const { top, step } = scale(Math.max(0, ...pts.map((s) => s.stats[p.key].max)));
  const pad = 16; // keeps the first and last N off the frame
  const X = (n) => r1(x0 + M.l + pad + (ns.length === 1 ? (pw - 2 * pad) / 2 : (ns.indexOf(n) / (ns.length - 1)) * (pw - 2 * pad)));
  const Y = (v) => r1(M.t + ph - (v / top) * ph);
  const out = [`<text x="${x0 + M.l + pw / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`];
  for (let v = 0; v <= top + step / 2; v += step) {
    out.push(`<line x1="${x0 + M.l}" x2="${x0 + M.l + pw}" y1="${Y(v)}" y2="${Y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${x0 + M.l - 4}" y="${Y(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  for (const n of ns) out.push(`<text x="${X(n)}" y="${M.t + ph + 16}" text-anchor="middle">${n}</text>`);
  out.push(`<text x="${x0 + M.l + pw / 2}" y="${H - 6}" text-anchor="middle">${esc(caption)}</text>`);
  out.push(`<rect x="${x0 + M.l}" y="${M.t}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  for (const impl of impls) {
    const mine = pts.filter((s) => s.impl === impl).sort((a, b) => a.n - b.n);
    if (mine.length === 0) continue;
    const c = COLORS[impl] ?? '#555';
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${mine.map((s) => `${X(s.n)},${Y(s.stats[p.key].median)}`).join(' ')}"/>`);
    for (const s of mine) {
      const st = s.stats[p.key];
      out.push(`<line x1="${X(s.n)}" x2="${X(s.n)}" y1="${Y(st.min)}" y2="${Y(st.max)}" stroke="${c}"/>`);
      out.push(`<circle cx="${X(s.n)}" cy="${Y(st.median)}" r="3" fill="${c}"><title>${esc(`${impl} N=${s.n}: ${fmt(st.median)} (${fmt(st.min)}-${fmt(st.max)})`)}</title></circle>`);
    }
  }
  return out.join('\n');
}

/** The whole chart as an SVG document. */
export function chart(summary, impls, note = '') {
  const ns = [...new Set(summary.map((s) => s.n))].sort((a, b) => a - b);
  const shown = impls.filter((i) => summary.some((s) => s.impl === i));
  const width = W * PANELS.length;
  const legendY = H + 8;
  const parts = PANELS.map((p, k) => panel(summary, shown, ns, p, k * W, 'N clients'));
  const legend = shown.map((impl, k) => {
    const x = 60 + k * 130;
    return `<line x1="${x}" x2="${x + 24}" y1="${legendY + 6}" y2="${legendY + 6}" stroke="${COLORS[impl] ?? '#555'}" stroke-width="3"/><text x="${x + 30}" y="${legendY + 10}">${esc(impl)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 48}" viewBox="0 0 ${width} ${H + 48}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
${legend.join('\n')}
<text x="${width - 8}" y="${legendY + 10}" text-anchor="end" fill="#666">${esc(note || 'median, whiskers min–max')}</text>
</svg>
`;
}
