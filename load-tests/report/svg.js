// Minimal SVG line charts for the performance report: no dependencies, deterministic output.

const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

const colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

// series: [{name, points: [[x, y], ...]}]; returns the SVG text.
export function lineChart({ title, xLabel, yLabel, series, width = 720, height = 320 }) {
  const left = 64, right = 16, top = 36, bottom = 48;
  const w = width - left - right, h = height - top - bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMin = Math.min(0, ...xs), xMax = niceMax(Math.max(...xs, 1));
  const yMax = niceMax(Math.max(...ys, 0));
  const sx = (x) => left + ((x - xMin) / (xMax - xMin)) * w;
  const sy = (y) => top + h - (y / yMax) * h;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escape(title)}</text>`];
  for (let i = 0; i <= 4; i += 1) {
    const y = (yMax * i) / 4, x = xMin + ((xMax - xMin) * i) / 4;
    out.push(`<line x1="${left}" x2="${left + w}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${sy(y) + 4}" text-anchor="end">${+y.toPrecision(3)}</text>`,
      `<text x="${sx(x)}" y="${top + h + 16}" text-anchor="middle">${+x.toPrecision(3)}</text>`);
  }
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + h}" stroke="black"/>`,
    `<line x1="${left}" x2="${left + w}" y1="${top + h}" y2="${top + h}" stroke="black"/>`,
    `<text x="${left + w / 2}" y="${height - 8}" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text transform="translate(14 ${top + h / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  series.forEach((s, i) => {
    const c = colours[i % colours.length];
    if (s.points.length) {
      out.push(`<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${s.points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ')}"/>`);
    }
    out.push(`<text x="${left + 8 + i * 150}" y="${top - 4}" fill="${c}">${escape(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
