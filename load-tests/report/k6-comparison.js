// k6 beside archibald-load: the same scenario on the same server, the two tools alternated
// (run-report.sh: compare-<scenario>-N.json from archibald-load, k6-<scenario>-N.json from k6).
// They agree when the medians over the runs are close: e2e p50 within 20 % or 1 ms (k6
// timestamps have 1 ms resolution), p99 within 50 %.
import { median, ms, num, table, value } from './format.js';

export const agreement = { p50Share: 0.2, p50FloorMs: 1, p99Share: 0.5 };

// |a − b| relative to the larger of the two.
const apart = (a, b) => Math.abs(a - b) / Math.max(a, b);

export function compareTools(results) {
  const runs = (prefix) => Object.keys(results).filter((k) => k.startsWith(prefix))
    .sort((a, b) => parseInt(a.split('-').pop(), 10) - parseInt(b.split('-').pop(), 10));
  const k6 = runs('k6-');
  const native = runs('compare-');
  if (!k6.length || !native.length) return null;
  const e2e = (name, key) => value(results[name], 'ws_e2e_latency', key === 'p(50)' && name.startsWith('k6-') ? 'med' : key);
  const tool = (names) => ({
    p50: median(names.map((n) => e2e(n, 'p(50)'))),
    p99: median(names.map((n) => e2e(n, 'p(99)'))),
  });
  const [a, b] = [tool(native), tool(k6)];
  const p50Ok = Math.abs(a.p50 - b.p50) <= Math.max(agreement.p50FloorMs, agreement.p50Share * Math.max(a.p50, b.p50));
  const p99Ok = apart(a.p99, b.p99) <= agreement.p99Share;
  return { k6, native, archibaldLoad: a, k6Medians: b, p50Ok, p99Ok };
}

export function renderK6Comparison(out, { results, settings }) {
  const c = compareTools(results);
  if (!c) return;
  const row = (name) => {
    const r = results[name];
    const k6 = name.startsWith('k6-');
    const samples = k6 ? value(r, 'ws_e2e_latency', 'count') : value(r, 'deliveries', 'count');
    return [name, k6 ? `k6 (${settings.k6Version || 'k6'})` : 'archibald-load', ms(value(r, 'ws_e2e_latency', k6 ? 'med' : 'p(50)')),
      ms(value(r, 'ws_e2e_latency', 'p(95)')), ms(value(r, 'ws_e2e_latency', 'p(99)')), num(samples), num(value(r, 'ws_msgs_lost', 'count')),
      ms(value(r, 'write_send_lag', k6 ? 'med' : 'p(50)')), ms(value(r, 'write_send_lag', 'p(99)'))];
  };
  const order = c.native.flatMap((n, i) => [n, c.k6[i]]).filter(Boolean);
  const verdict = (ok) => (ok ? '✅' : '❌');
  out.push('## k6 beside archibald-load', '',
    `The \`${settings.k6Scenario}\` scenario (durations × ${settings.k6Scale}) against one server, archibald-load and the`
    + ` k6 scripts (\`load-tests/websocket-load.js\`) alternated ${c.native.length} times. e2e latency runs to a write\'s`
    + ' event on another device of the user: from its intended time in archibald-load, from its send in k6, whose timers'
    + ' fire late (send lag: the generator\'s own delay, not the server\'s); k6\'s samples are whole milliseconds.'
    + ' Samples: archibald-load counts every device\'s delivery, k6 the other devices\'.', '',
    table(['run', 'tool', 'e2e p50', 'e2e p95', 'e2e p99', 'samples', 'lost', 'send lag p50', 'send lag p99'], order.map(row)), '',
    table(['median of the runs', 'archibald-load', 'k6', 'agreement'], [
      ['e2e p50', ms(c.archibaldLoad.p50), ms(c.k6Medians.p50), `${verdict(c.p50Ok)} within ${100 * agreement.p50Share} % or ${agreement.p50FloorMs} ms`],
      ['e2e p99', ms(c.archibaldLoad.p99), ms(c.k6Medians.p99), `${verdict(c.p99Ok)} within ${100 * agreement.p99Share} %`]]), '');
}
