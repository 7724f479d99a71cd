// node load-tests/report/reduce-series.js IN.ndjson OUT.ndjson — keeps, of archibald-load's
// per-second lines, the fields the report draws (format.js chartedFields).
import { readFileSync, writeFileSync } from 'node:fs';
import { chartedFields } from './format.js';

const [input, output] = process.argv.slice(2);
const lines = readFileSync(input, 'utf8').split('\n').filter(Boolean).map((line) => {
  const all = JSON.parse(line);
  const kept = {};
  for (const f of chartedFields) if (f in all) kept[f] = all[f];
  return JSON.stringify(kept);
});
writeFileSync(output, lines.length ? `${lines.join('\n')}\n` : '');
