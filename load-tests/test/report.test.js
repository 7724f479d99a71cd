// Unit tests of the report generator's pure parts: node --test test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport, slope, thresholdsOf, value } from '../report/report.js';
import { lineChart } from '../../web/common/line-chart.js';
import { compareTools } from '../report/k6-comparison.js';
import { multiNodeLatency, storeThroughput, threeNodeRuns } from '../report/multi-node.js';

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
  const { markdown, charts } = renderReport(results, { cores: 2, date: 'D', commit: 'abc', settings: { tierSeconds: 60 } });
  for (const section of ['Production readiness', 'Baseline', 'Bottlenecks', 'Optimizations',
    'Scalability limits', 'Memory', 'Chaos', 'Recommendations']) {
    assert.match(markdown, new RegExp(`## ${section}`));
  }
  assert.match(markdown, /\| 10 users \| 4\.00 ms \| 1\.50 ms \| 2\.50 ms \| 4\.25 ms \|/);
  assert.match(markdown, /2 cores/);
  assert.match(markdown, /60 s a tier/);
  assert.match(markdown, /\| tiers-10 \| `checks: rate>0.99` \| ✅ \|/);
  assert.ok(charts['breakpoint-curve.svg'].startsWith('<svg'));
});

test('charts are well-formed SVG with one polyline per series', () => {
  const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: [[0, 1], [1, 2]] }, { name: 'b', points: [[0, 3]] }] });
  assert.equal((svg.match(/<polyline/g) || []).length, 2);
  assert.match(svg, /^<svg[^>]*>[\s\S]*<\/svg>\n$/);
});

test('k6 and archibald-load agree within 20 % (or 1 ms) at p50 and 50 % at p99, on medians of the runs', () => {
  const native = (p50, p99) => run({ ws_e2e_latency: { type: 'trend', values: { 'p(50)': p50, 'p(95)': p99, 'p(99)': p99 } } });
  const k6 = (med, p99) => run({ ws_e2e_latency: { type: 'trend', values: { med, 'p(95)': p99, 'p(99)': p99, count: 10 } } });
  const results = {
    'compare-tiers-1': native(1.4, 6), 'compare-tiers-2': native(1.5, 7), 'compare-tiers-3': native(9, 30),
    'k6-tiers-1': k6(2, 8), 'k6-tiers-2': k6(2, 9), 'k6-tiers-3': k6(3, 40),
  };
  const c = compareTools(results);
  assert.deepEqual([c.archibaldLoad.p50, c.k6Medians.p50, c.p50Ok], [1.5, 2, true]);   // 0.5 ms apart: within 1 ms
  assert.deepEqual([c.archibaldLoad.p99, c.k6Medians.p99, c.p99Ok], [7, 9, true]);
  results['k6-tiers-2'] = k6(2, 20);
  assert.equal(compareTools(results).p99Ok, false);                                   // 7 vs 20 ms
  const { markdown } = renderReport(results, { cores: 2, settings: { k6Scenario: 'tiers', k6Scale: 0.25 } });
  assert.match(markdown, /## k6 beside archibald-load/);
  assert.match(markdown, /\| e2e p99 \| 7\.00 ms \| 20\.0 ms \| ❌ within 50 % \|/);
  assert.equal(compareTools({ 'tiers-10': native(1, 2) }), null);
});

test('multi-node: same- and cross-node latency beside one SQLite node, and the stores by writes in flight', () => {
  const results = {
    'multinode-pg-10': run({ ws_e2e_latency_same_node: trend(2, 3, 4), ws_e2e_latency_cross_node: trend(2.5, 3.5, 5),
      ws_msgs_lost: { type: 'counter', values: { count: 0 } }, ws_msgs_duplicated: { type: 'counter', values: { count: 0 } } }),
    'multinode-sqlite-10': run({ ws_e2e_latency: trend(1, 1.5, 2) }),
  };
  assert.deepEqual(multiNodeLatency(results).map((r) => [r.label, r.p99]),
    [['PostgreSQL, same node', 4], ['PostgreSQL, cross node', 5], ['SQLite, one node', 2]]);
  const bench = { benchmarks: [
    { name: 'BM_PostgresDurableWrites/writers:64/real_time', run_type: 'aggregate', aggregate_name: 'median', 'writes/s': 2000 },
    { name: 'BM_PostgresDurableWrites/writers:64/real_time', run_type: 'aggregate', aggregate_name: 'mean', 'writes/s': 9999 },
    { name: 'BM_DurableWrites/full:1/batch:256/writers:64/coalesce:1/real_time', run_type: 'aggregate', aggregate_name: 'median', 'writes/s': 20000 },
  ] };
  assert.deepEqual(storeThroughput(bench), [{ writers: 64, postgres: 2000, sqlite: 20000 }]);
  const { markdown } = renderReport(results, { cores: 2, settings: { multinodeDevices: 4 } }, { multinodeBench: bench });
  assert.match(markdown, /## Multi-node/);
  assert.match(markdown, /\| 10 \| PostgreSQL, cross node \| 2\.50 ms \| 3\.50 ms \| 5\.00 ms \| 0 \| 0 \|/);
  assert.match(markdown, /\| 64 \| 2,000\/s \| 20,000\/s \| 10\.0× \|/);
  assert.doesNotMatch(renderReport({}, { cores: 2 }).markdown, /## Multi-node/);  // not run: no section
});

test('multi-node: three nodes at scale and with one SIGKILLed, held p99 over the fully connected seconds', () => {
  const counter = (count) => ({ type: 'counter', values: { count } });
  const scale = run({ ws_e2e_latency: trend(18, 700, 2900), connections: { type: 'gauge', values: { max: 48000 } },
    ws_msgs_lost: counter(0), ws_msgs_duplicated: counter(0), ws_seq_gaps: counter(0), writes: counter(100000) });
  scale.summary.options = { urls: ['a', 'b', 'c'], users: 12000, devices: 4, writePeriodMs: 10000 };
  scale.series = [{ connections: 20000, e2e_p99_ms: 5000 }, { connections: 48000, e2e_p99_ms: 40 },
    { connections: 48000, e2e_p99_ms: 60 }, { connections: 48000, e2e_p99_ms: 50 }];
  const chaos = run({ ws_e2e_latency: trend(4, 2000, 4000), connections: { type: 'gauge', values: { max: 36000 } },
    ws_drops: counter(12000), ws_catch_up: { type: 'trend', values: { 'p(50)': 4000, 'p(99)': 12000, max: 12500 } },
    ws_msgs_lost: counter(0), writes_failed: counter(41) });
  chaos.summary.options = { urls: ['a', 'b', 'c'], users: 9000, devices: 4, writePeriodMs: 10000 };
  const rows = threeNodeRuns({ 'multinode-scale': scale, 'multinode-chaos': chaos });
  assert.deepEqual(rows.map((r) => [r.label, r.connections, r.heldP99, r.heldWorstP99, r.heldSeconds]),
    [['scale', 48000, 50, 60, 3], ['a node SIGKILLed', 36000, undefined, undefined, 0]]);
  const { markdown } = renderReport({ 'multinode-scale': scale, 'multinode-chaos': chaos }, { cores: 2 });
  assert.match(markdown, /\| scale \| 3 × 16,000 \| 100,000 \| 18\.0 ms \| 700\.0 ms \| 2\.90 s \| 50\.0 ms \(60\.0 ms\) \| 0 \| 0 \| 0 \|/);
  assert.match(markdown, /\| 12,000 \| 41 \| 4\.00 s \| 12\.00 s \| 12\.50 s \|/);
});
