/**
 * Summaries of many runs: medians with min-max per (implementation, N), rendered as a
 * Markdown table. Failed or non-converged runs are counted, never averaged in.
 */

/** The figures of a run, by column. `get` returns undefined when the run lacks it. */
export const METRICS = [
  { key: 'convergenceS', title: 'full reflection (s)', get: (r) => (r.converged ? r.convergenceS : undefined), digits: 2 },
  { key: 'sessionsUpS', title: 'all sessions up (s)', get: (r) => (r.converged ? r.sessionsUpS : undefined), digits: 2 },
  { key: 'afterLastUpS', title: 'full after last session up (s)', get: (r) => (r.converged ? r.afterLastUpS : undefined), digits: 2 },
  { key: 'reflectorCpuS', title: 'reflector CPU (s)', get: (r) => (r.converged ? r.reflectorCpuS : undefined), digits: 2 },
  { key: 'reflectorPeakRssMiB', title: 'reflector peak RSS (MiB)', get: (r) => r.reflectorPeakRssMiB, digits: 1 },
  { key: 'fleetCpuS', title: 'fleet CPU (s)', get: (r) => (r.converged ? r.fleetCpuS : undefined), digits: 2 },
  { key: 'updateRatio', title: 'UPDATEs / ideal N(N-1)', get: (r) => (r.updates ? r.updates.received / r.updates.ideal : undefined), digits: 3 },
  { key: 'eventLoopP99Ms', title: 'event-loop delay p99 (ms)', get: (r) => r.eventLoopP99Ms, digits: 1 },
  { key: 'withdrawS', title: 'churn: withdrawal seen (s)', get: (r) => r.churn?.withdrawS ?? undefined, digits: 3 },
  { key: 'announceS', title: 'churn: re-announcement seen (s)', get: (r) => r.churn?.announceS ?? undefined, digits: 3 },
];

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** [{ impl, n, runs, converged, attrsOk, failures, stats: { key: { median, min, max, count } } }] */
export function summarize(results) {
  const groups = new Map();
  for (const r of results) {
    const k = `${r.impl}\u0000${r.n}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  return [...groups.values()].map((runs) => {
    const stats = {};
    for (const m of METRICS) {
      const xs = runs.map(m.get).filter((x) => typeof x === 'number' && Number.isFinite(x));
      if (xs.length > 0) stats[m.key] = { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), count: xs.length };
    }
    return {
      impl: runs[0].impl,
      n: runs[0].n,
      runs: runs.length,
      converged: runs.filter((r) => r.converged).length,
      attrsOk: runs.filter((r) => r.spotCheck?.ok).length,
      failures: runs.filter((r) => r.error).map((r) => r.error.split('\n')[0]),
      churnK: runs.find((r) => r.churn)?.churn.k,
      stats,
    };
  });
}

function cell(s, digits) {
  if (!s) return '–';
  const f = (x) => x.toFixed(digits);
  return s.count > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}

/** The Markdown table: one row per (N, implementation), N ascending. */
export function markdownTable(summary, implOrder) {
  const rows = [...summary].sort((a, b) => a.n - b.n || implOrder.indexOf(a.impl) - implOrder.indexOf(b.impl));
  const head = ['N', 'reflector', 'converged', 'attributes ok', ...METRICS.map((m) => m.title)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const s of rows) {
    lines.push(`| ${[s.n, s.impl, `${s.converged}/${s.runs}`, `${s.attrsOk}/${s.runs}`, ...METRICS.map((m) => cell(s.stats[m.key], m.digits))].join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * bgp-rr against its benchmark targets (the limits below: full reflection, CPU and
 * peak RSS against gobgpd and BIRD 2; UPDATEs equal to the ideal N(N-1); convergence,
 * event-loop delay and churn withdrawal at the larger N), on the medians: one line per
 * target that this run has the figures for.
 */
export function targetLines(summary) {
  const at = (impl, n) => summary.find((s) => s.impl === impl && s.n === n);
  const med = (s, key) => s?.stats[key]?.median;
  const lines = [];
  const check = (label, ok, detail) => lines.push(`- ${ok ? 'met' : '**not met**'}: ${label} (${detail})`);
  const ratio = (label, n, key, other, factor) => {
    const a = med(at('bgp-rr', n), key);
    const b = med(at(other, n), key);
    if (a === undefined || b === undefined) return;
    check(`N=${n} ${label}`, a <= factor * b, `bgp-rr ${a.toFixed(2)}, ${other} ${b.toFixed(2)}, limit ${(factor * b).toFixed(2)}`);
  };
  ratio('full reflection ≤ ¼ of gobgpd', 1000, 'convergenceS', 'gobgpd', 0.25);
  ratio('full reflection ≤ BIRD 2', 1000, 'convergenceS', 'bird2', 1);
  ratio('reflector CPU ≤ ¼ of gobgpd', 1000, 'reflectorCpuS', 'gobgpd', 0.25);
  ratio('peak RSS ≤ 60% of gobgpd', 1000, 'reflectorPeakRssMiB', 'gobgpd', 0.6);
  ratio('full reflection ≤ 1.5 × BIRD 2', 500, 'convergenceS', 'bird2', 1.5);
  for (const s of summary.filter((x) => x.impl === 'bgp-rr')) {
    if (s.n >= 2000) check(`N=${s.n} converges every run`, s.converged === s.runs, `${s.converged}/${s.runs}`);
    const p99 = s.stats.eventLoopP99Ms;
    if (s.n >= 2000 && p99) check(`N=${s.n} event-loop delay p99 < 100 ms`, p99.max < 100, `worst run ${p99.max.toFixed(1)} ms`);
    const u = s.stats.updateRatio;
    if (u) check(`N=${s.n} UPDATEs = ideal`, u.max <= 1, `worst run ${u.max.toFixed(3)} × N(N-1)`);
    const w = s.stats.withdrawS;
    if (s.n === 1000 && w) check('N=1000 churn: withdrawal at every client within 1 s', w.max <= 1, `worst run ${w.max.toFixed(3)} s`);
  }
  // Memory per peer between consecutive N: flat (or falling) means no per-peer table copies.
  const rr = summary.filter((x) => x.impl === 'bgp-rr' && med(x, 'reflectorPeakRssMiB') !== undefined).sort((a, b) => a.n - b.n);
  if (rr.length >= 2) {
    const slopes = [];
    for (let i = 1; i < rr.length; i++) {
      const d = (med(rr[i], 'reflectorPeakRssMiB') - med(rr[i - 1], 'reflectorPeakRssMiB')) / (rr[i].n - rr[i - 1].n);
      slopes.push(`${rr[i - 1].n}→${rr[i].n}: ${(d * 1024).toFixed(1)} KiB`);
    }
    lines.push(`- bgp-rr peak RSS per added peer (medians): ${slopes.join(', ')}`);
  }
  return lines;
}
