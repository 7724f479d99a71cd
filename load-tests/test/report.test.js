// Unit tests of the report generator's pure parts: node --test test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport, slope, thresholdsOf, value } from '../report/report.js';
import { lineChart } from '../report/svg.js';

const run = (metrics, extra = {}) => ({ summary: { metrics, options: { devices: 2 }, state: { testRunDurationMs: 60000 }, ...extra }, series: [] });
const trend = (p50, p95, p99) => ({ type: 'trend', values: { 'p(50)': p50, 'p(95)': p95, 'p(99)': p99, max: p99 } });

test('slope is least squares', () => {
  assert.equal(slope([[0, 1], [1, 3], [2, 5]]), 2);
  assert.equal(slope([[0, 7]]), 0);
});

test('every threshold of a run, with its verdict', () => {
  const r = run({ ws_msgs_lost: { type: 'counter', values: { count: 0 }, thresholds: { 'count==0': { ok: true } } } });
  assert.deepEqual(thresholdsOf(r), [{ metric: 'ws_msgs_lost', expression: 'count==0', ok: true }]);
  assert.equal(value(r, 'ws_msgs_lost', 'count'), 0);
  assert.equal(value(undefined, 'x', 'y'), undefined);
});

test('the report has every section and takes its numbers from the results', () => {
  const results = {
    'tiers-10': run({ ws_e2e_latency: trend(1.5, 2.5, 4.25), ws_connecting: trend(3, 4, 5),
      checks: { type: 'rate', values: { rate: 1 }, thresholds: { 'rate>0.99': { ok: true } } } }),
    breakpoint: run({}, { breakpoint: [{ level: 0, phase: 'rate', users: 1000, writesPerSecond: 1000, e2eP50Ms: 1, e2eP95Ms: 2, e2eP99Ms: 3, checks: 1, ok: true }] }),
    chaos: run({ ws_msgs_lost: { type: 'counter', values: { count: 0 } }, ws_msgs_duplicated: { type: 'counter', values: { count: 0 } } }),
  };
  const { markdown, charts } = renderReport(results, { cores: 2, date: 'D', commit: 'abc' });
  for (const section of ['Production readiness', 'Baseline', 'Bottlenecks', 'Optimizations',
    'Scalability limits', 'Memory', 'Chaos', 'Recommendations']) {
    assert.match(markdown, new RegExp(`## ${section}`));
  }
  assert.match(markdown, /\| 10 users \| 4\.00 ms \| 1\.50 ms \| 2\.50 ms \| 4\.25 ms \|/);
  assert.match(markdown, /2 cores/);
  assert.match(markdown, /\| tiers-10 \| `checks: rate>0.99` \| ✅ \|/);
  assert.ok(charts['breakpoint-curve.svg'].startsWith('<svg'));
});

test('charts are well-formed SVG with one polyline per series', () => {
  const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: [[0, 1], [1, 2]] }, { name: 'b', points: [[0, 3]] }] });
  assert.equal((svg.match(/<polyline/g) || []).length, 2);
  assert.match(svg, /^<svg[^>]*>[\s\S]*<\/svg>\n$/);
});
