// How the report writes numbers and tables, and reads result files. Pure.

// A summary value of a run: value(run, 'ws_e2e_latency', 'p(99)'); undefined when absent.
export const value = (run, metric, key) => run?.summary?.metrics?.[metric]?.values?.[key];

export const ms = (v) => (v === undefined ? '–' : v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(v < 10 ? 2 : 1)} ms`);
export const num = (v, digits = 0) => (v === undefined ? '–' : Number(v).toLocaleString('en-US', { maximumFractionDigits: digits }));
export const pct = (v) => (v === undefined ? '–' : `${(100 * v).toFixed(2)} %`);
export const mb = (v) => (v === undefined ? '–' : `${(v / 1e6).toFixed(1)} MB`);

export function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// Every threshold of a run: [{metric, expression, ok}].
export function thresholdsOf(run) {
  const rows = [];
  for (const [metric, m] of Object.entries(run?.summary?.metrics || {})) {
    for (const [expression, t] of Object.entries(m.thresholds || {})) rows.push({ metric, expression, ok: t.ok });
  }
  return rows;
}

// Least-squares slope of [x, y] points, in y per unit of x.
export function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / sxx;
}

export function median(values) {
  const v = values.filter((x) => x !== undefined).sort((a, b) => a - b);
  if (!v.length) return undefined;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

// The per-second fields the charts draw: run-report.sh keeps only these in the committed
// series (report/reduce-series.js), so the report's inputs stay small.
export const chartedFields = ['t', 'e2e_p50_ms', 'e2e_p99_ms', 'connections', 'server_rss_bytes', 'tool_rss_bytes'];
