// node load-tests/report/generate.js [RESULTS_DIR] [REPORT.md] [CHART_DIR]
// Reads RESULTS_DIR/<run>.json (archibald-load --out json=, k6 summaries), <run>.ndjson (the
// per-second series, reduced to what the charts draw), <name>.bench.json (Google Benchmark),
// profile.txt (perf), heap.txt (heaptrack), hotpath-counts.txt (instructions and
// allocations at two run lengths), meta.json (machine, date, commit, the run's
// settings) and writes the report and its SVG charts. The defaults are the committed inputs
// and outputs: from a clean clone it rewrites docs/PERFORMANCE-REPORT.md and docs/perf/*.svg
// byte for byte (load-tests/test/report-reproducible.test.js checks it).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReport } from './report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const defaults = {
  resultsDir: join(root, 'docs/report-data'),
  reportPath: join(root, 'docs/PERFORMANCE-REPORT.md'),
  chartDir: join(root, 'docs/perf'),
};

// The report of a results directory: { markdown, charts }.
export function reportOf(resultsDir) {
  const files = readdirSync(resultsDir).sort();
  const readText = (file) => (existsSync(join(resultsDir, file)) ? readFileSync(join(resultsDir, file), 'utf8') : undefined);
  const results = {};
  for (const file of files.filter((f) => f.endsWith('.json') && f !== 'meta.json' && !f.endsWith('.bench.json'))) {
    const name = file.slice(0, -5);
    const series = readText(`${name}.ndjson`);
    results[name] = {
      summary: JSON.parse(readText(file)),
      series: series ? series.split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [],
    };
  }
  const meta = JSON.parse(readText('meta.json') || '{}');
  // The multi-node store benchmark has its own section (its SQLite rows are its baseline).
  const multinode = 'multinode-store.bench.json';
  const benches = { benchmarks: files.filter((f) => f.endsWith('.bench.json') && f !== multinode).flatMap((f) => JSON.parse(readText(f)).benchmarks) };
  return renderReport(results, meta, {
    profile: readText('profile.txt'), heap: readText('heap.txt'), hotpathCounts: readText('hotpath-counts.txt'),
    idleFootprint: readText('idle-footprint.txt'), benches, multinodeBench: JSON.parse(readText(multinode) || '{}'),
    tlsIdle: { plain: readText('tls-idle-plain.txt'), tls: readText('tls-idle-tls.txt') },
    tlsStormProfile: { plain: readText('tls-storm-plain-profile.txt'), tls: readText('tls-storm-tls-profile.txt') },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [resultsDir = defaults.resultsDir, reportPath = defaults.reportPath, chartDir = defaults.chartDir] = process.argv.slice(2);
  const { markdown, charts } = reportOf(resultsDir);
  mkdirSync(chartDir, { recursive: true });
  for (const [file, svg] of Object.entries(charts)) writeFileSync(join(chartDir, file), svg);
  writeFileSync(reportPath, markdown);
  console.log(`wrote ${reportPath} and ${Object.keys(charts).length} charts in ${chartDir}`);
}
