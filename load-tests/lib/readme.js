// The README's "Thresholds" table → {scenario file: statement}, in thresholdStatement's form
// (lib/options.js), so tests hold the documentation to what runs.
export function readmeThresholds(markdown) {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Thresholds')) || '';
  const out = {};
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const file = /^`([a-z]+)`$/.exec(cells[1] || '');
    if (file) out[file[1]] = cells[cells.length - 2].replace(/`/g, '');
  }
  return out;
}
