// node load-tests/report/generate.js RESULTS_DIR [REPORT.md] [CHART_DIR]
// Reads RESULTS_DIR/<run>.json (archibald-load --out json=), <run>.ndjson (--out ndjson=),
// meta.json (machine, date, commit; optional profile / optimizations) and writes the report
// and its SVG charts (default: docs/PERFORMANCE-REPORT.md, docs/perf/).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReport } from './report.js';

const [resultsDir, reportPath = 'docs/PERFORMANCE-REPORT.md', chartDir = 'docs/perf'] = process.argv.slice(2);
if (!resultsDir) {
  console.error('usage: generate.js RESULTS_DIR [REPORT.md] [CHART_DIR]');
  process.exit(2);
}
const results = {};
for (const file of readdirSync(resultsDir).filter((f) => f.endsWith('.json') && f !== 'meta.json')) {
  const name = file.slice(0, -5);
  const series = join(resultsDir, `${name}.ndjson`);
  results[name] = {
    summary: JSON.parse(readFileSync(join(resultsDir, file), 'utf8')),
    series: existsSync(series)
      ? readFileSync(series, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [],
  };
}
const metaPath = join(resultsDir, 'meta.json');
const meta = existsSync(metaPath) ? JSON.parse(readFileSync(metaPath, 'utf8')) : {};
const { markdown, charts } = renderReport(results, meta);
mkdirSync(chartDir, { recursive: true });
for (const [file, svg] of Object.entries(charts)) writeFileSync(join(chartDir, file), svg);
writeFileSync(reportPath, markdown);
console.log(`wrote ${reportPath} and ${Object.keys(charts).length} charts in ${chartDir}`);
