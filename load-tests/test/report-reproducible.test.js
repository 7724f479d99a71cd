// The committed report is what its committed inputs give: `node load-tests/report/generate.js`
// from a clean clone rewrites docs/PERFORMANCE-REPORT.md and docs/perf/*.svg byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaults, reportOf } from '../report/generate.js';

test('docs/PERFORMANCE-REPORT.md and its charts are regenerated exactly from docs/report-data', () => {
  assert.ok(existsSync(join(defaults.resultsDir, 'meta.json')), 'the report inputs are committed');
  const { markdown, charts } = reportOf(defaults.resultsDir);
  assert.equal(markdown, readFileSync(defaults.reportPath, 'utf8'));
  for (const [file, svg] of Object.entries(charts)) {
    assert.equal(svg, readFileSync(join(defaults.chartDir, file), 'utf8'), file);
  }
  const committed = readdirSync(defaults.chartDir).filter((f) => f.endsWith('.svg')).sort();
  assert.deepEqual(committed, Object.keys(charts).sort(), 'no stale chart in docs/perf');
});
