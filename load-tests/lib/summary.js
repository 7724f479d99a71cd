// handleSummary's data → what a reader needs: every threshold with its expression, what was
// measured and ✓/✗, the metrics, and for a breakpoint run the last level that held (the answer).
// Pure (k6-summary is a remote module; this keeps the scripts to k6's built-ins); Node-tested.

// "p(95)<100" → {aggregate: 'p(95)', op: '<', bound: 100}.
export function parseThreshold(expression) {
  const m = /^\s*([a-z]+(?:\([\d.]+\))?)\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+)\s*$/.exec(expression);
  if (!m) return null;
  return { aggregate: m[1], op: m[2], bound: Number(m[3]) };
}

function baseName(key) {
  return key.replace(/\{.*$/, '');
}

// k6 marks time trends `contains: 'time'` (values in ms).
function formatValue(m, aggregate, value) {
  if (value === undefined || value === null) return 'no value';
  if (aggregate === 'rate') return `${(100 * value).toFixed(2)}%`;
  if (aggregate === 'count') return String(value);
  return m.contains === 'time' ? `${Number(value).toFixed(2)}ms` : String(value);
}

// One row per threshold: {key, expression, measured, ok}; an expression judged on a trend with
// no samples says so.
export function thresholdRows(data) {
  const rows = [];
  const metrics = data.metrics || {};
  const natural = (a, b) => a.localeCompare(b, 'en', { numeric: true });
  for (const key of Object.keys(metrics).sort(natural)) {
    const m = metrics[key];
    for (const [expression, result] of Object.entries(m.thresholds || {})) {
      const t = parseThreshold(expression);
      const values = m.values || {};
      const empty = m.type === 'trend' && values.count === 0;
      const measured = empty ? 'no samples'
        : `${t ? t.aggregate : expression}=${formatValue(m, t && t.aggregate, t && values[t.aggregate])}`;
      rows.push({ key, expression, measured, ok: Boolean(result.ok) && !empty });
    }
  }
  return rows;
}

// The breakpoint's answer: the highest level such that it and every level below it had e2e
// samples and passed all of its thresholds; and the first level that did not.
export function breakpointAnswer(data, levels) {
  const metrics = data.metrics || {};
  const judged = (level) => {
    const tag = `{level:${level}}`;
    const keys = Object.keys(metrics).filter((k) => k.endsWith(tag));
    const latency = metrics[`ws_e2e_latency${tag}`];
    const samples = latency && latency.values ? latency.values.count || 0 : 0;
    const failed = keys.flatMap((k) => Object.entries(metrics[k].thresholds || {})
      .filter(([, r]) => !r.ok).map(([e]) => `${baseName(k)} ${e}`));
    return { samples, failed };
  };
  let held = null;
  for (const l of levels) {
    const { samples, failed } = judged(l.level);
    if (samples === 0 || failed.length) {
      return { held, failedAt: Object.assign({}, l, { why: samples === 0 ? ['no e2e samples'] : failed }) };
    }
    held = l;
  }
  return { held, failedAt: null };
}

function metricLine(key, m) {
  const v = m.values || {};
  let shown;
  if (m.type === 'trend') {
    const unit = m.contains === 'time' ? 'ms' : '';
    shown = ['avg', 'min', 'med', 'max', 'p(95)', 'p(99)'].filter((k) => k in v)
      .map((k) => `${k}=${Number(v[k]).toFixed(2)}${unit}`).join(' ');
    if ('count' in v) shown += ` n=${v.count}`;
  } else if (m.type === 'rate') {
    shown = `${(100 * v.rate).toFixed(2)}% ✓ ${v.passes} ✗ ${v.fails}`;
  } else if (m.type === 'counter') {
    shown = `${v.count} ${Number(v.rate).toFixed(1)}/s`;
  } else {
    shown = `${v.value} min=${v.min} max=${v.max}`;
  }
  return `    ${key.padEnd(34, '.')}: ${shown}`;
}

export function textSummary(data, levels = []) {
  const lines = ['', '  thresholds'];
  const rows = thresholdRows(data);
  if (!rows.length) lines.push('    (none)');
  for (const r of rows) {
    lines.push(`  ${r.ok ? '✓' : '✗'} ${`${r.key} ${r.expression}`.padEnd(44)} measured ${r.measured}`);
  }
  if (levels.length) {
    const { held, failedAt } = breakpointAnswer(data, levels);
    lines.push('', '  breakpoint');
    lines.push(held ? `    held: level ${held.level}, ${held.users} users` : '    held: no level');
    lines.push(failedAt
      ? `    failed: level ${failedAt.level}, ${failedAt.users} users (${failedAt.why.join('; ')})`
      : '    failed: none — every level held (more levels or users would find the limit)');
  }
  lines.push('', '  metrics');
  const metrics = data.metrics || {};
  for (const key of Object.keys(metrics).sort()) {
    if (!key.includes('{')) lines.push(metricLine(key, metrics[key]));
  }
  return `${lines.join('\n')}\n`;
}
