// node load-tests/report/generate.js RESULTS_DIR [REPORT.md] [CHART_DIR]
// Reads RESULTS_DIR/<run>.json (archibald-load --out json=), <run>.ndjson (--out ndjson=),
// <name>.bench.json (Google Benchmark), profile.txt (perf), heap.txt (heaptrack), meta.json
// (machine, date, commit) and writes the report and its SVG charts (default:
// docs/PERFORMANCE-REPORT.md, docs/perf/).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReport } from './report.js';

const [resultsDir, reportPath = 'docs/PERFORMANCE-REPORT.md', chartDir = 'docs/perf'] = process.argv.slice(2);
if (!resultsDir) {
  console.error('usage: generate.js RESULTS_DIR [REPORT.md] [CHART_DIR]');
  process.exit(2);
}
const files = readdirSync(resultsDir);
const readText = (file) => (existsSync(join(resultsDir, file)) ? readFileSync(join(resultsDir, file), 'utf8') : undefined);
const results = {};
for (const file of files.filter((f) => f.endsWith('.json') && f !== 'meta.json' && !f.endsWith('.bench.json'))) {
  const name = file.slice(0, -5);
  const series = join(resultsDir, `${name}.ndjson`);
  results[name] = {
    summary: JSON.parse(readFileSync(join(resultsDir, file), 'utf8')),
    series: existsSync(series)
      ? readFileSync(series, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [],
  };
}
const meta = JSON.parse(readText('meta.json') || '{}');
const benches = { benchmarks: files.filter((f) => f.endsWith('.bench.json')).flatMap((f) => JSON.parse(readText(f)).benchmarks) };
const { markdown, charts } = renderReport(results, meta, { profile: readText('profile.txt'), heap: readText('heap.txt'), benches });
mkdirSync(chartDir, { recursive: true });
for (const [file, svg] of Object.entries(charts)) writeFileSync(join(chartDir, file), svg);
writeFileSync(reportPath, markdown);
console.log(`wrote ${reportPath} and ${Object.keys(charts).length} charts in ${chartDir}`);
