// One SVG line chart for the admin dashboard (served at /common/line-chart.js) and the
// performance report (load-tests/report): no dependencies, deterministic text, names escaped,
// numbers only from the points.

const colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

// The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above v (1 when v is not positive).
export function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

const plain = (v) => `${+v.toPrecision(3)}`;

/**
 * series: [{name, points: [[x, y], …], color?}]. Options: width, height; title, xLabel, yLabel
 * (each drawn when given; a title brings a legend); xDomain [min, max] (default 0 or the least
 * x, to a round maximum); ticks (grid intervals); xTick / yTick (label of a tick value);
 * fluid (no width/height attributes: the page sizes it). Returns the SVG text.
 */
export function lineChart({
  series, width = 720, height = 320, title = '', xLabel = '', yLabel = '', xDomain, ticks = 4,
  xTick = plain, yTick = plain, fluid = false,
}) {
  const left = yLabel ? 64 : 44;
  const top = title ? 36 : 8;
  const bottom = xLabel ? 48 : 18;
  const w = width - left - 16;
  const h = height - top - bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const [xMin, xMax] = xDomain || [Math.min(0, ...xs), niceMax(Math.max(...xs, 1))];
  const yMax = niceMax(Math.max(...ys, 0));
  const sx = (x) => left + ((x - xMin) / (xMax - xMin)) * w;
  const sy = (y) => top + h - (y / yMax) * h;
  const size = fluid ? '' : ` width="${width}" height="${height}"`;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}"${size} role="img" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`];
  if (title) out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escape(title)}</text>`);
  for (let i = 0; i <= ticks; i += 1) {
    const y = (yMax * i) / ticks;
    const x = xMin + ((xMax - xMin) * i) / ticks;
    out.push(`<line x1="${left}" x2="${left + w}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${sy(y) + 4}" text-anchor="end">${escape(yTick(y))}</text>`,
      `<text x="${sx(x)}" y="${top + h + 16}" text-anchor="middle">${escape(xTick(x))}</text>`);
  }
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + h}" stroke="black"/>`,
    `<line x1="${left}" x2="${left + w}" y1="${top + h}" y2="${top + h}" stroke="black"/>`);
  if (xLabel) out.push(`<text x="${left + w / 2}" y="${height - 8}" text-anchor="middle">${escape(xLabel)}</text>`);
  if (yLabel) out.push(`<text transform="translate(14 ${top + h / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  series.forEach((s, i) => {
    const colour = s.color || colours[i % colours.length];
    if (s.points.length) {
      const points = s.points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
      out.push(`<polyline fill="none" stroke="${escape(colour)}" stroke-width="1.5" points="${points}"><title>${escape(s.name)}</title></polyline>`);
    }
    if (title) out.push(`<text x="${left + 8 + i * 150}" y="${top - 4}" fill="${escape(colour)}">${escape(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
