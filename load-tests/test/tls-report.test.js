// The report's TLS section: what it reads from the footprint bench's text and the paired runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  idleBytes, profileByLibrary, renderTls, stormProfile, tlsStorms, tlsTiers,
} from '../report/tls.js';

const run = (metrics) => ({ summary: { metrics: Object.fromEntries(Object.entries(metrics)
  .map(([name, values]) => [name, { values }])) } });

test('idle bytes come from the server RSS line, not the client one', () => {
  const text = 'connections open: 10 failed: 0 in 1 s (10/s)\n'
    + 'server RSS: 100 KiB -> 300 KiB; per connection: 18998.5 bytes\nclient RSS per connection: 38666.2 bytes\n';
  assert.equal(idleBytes(text), 18998.5);
  assert.equal(idleBytes(undefined), undefined);
  assert.equal(idleBytes('client RSS per connection: 5 bytes'), undefined);
});

test('tiers pair plain and TLS runs of the same users; storms keep their order', () => {
  const results = {
    'tls-tiers-plain-10-1': run({ ws_e2e_latency: { 'p(50)': 1.1 }, server_cpu_us_per_write: { value: 900 } }),
    'tls-tiers-plain-10-2': run({ ws_e2e_latency: { 'p(50)': 5 }, server_cpu_us_per_write: { value: 800 } }),
    'tls-tiers-plain-10-3': run({ ws_e2e_latency: { 'p(50)': 1 }, server_cpu_us_per_write: { value: 1000 } }),
    'tls-tiers-tls-10-1': run({ ws_e2e_latency: { 'p(50)': 1.3 }, server_cpu_us_per_write: { value: 990 } }),
    'tls-tiers-tls-10-2': run({ ws_msgs_lost: { count: 2 } }),
    'tls-tiers-plain-50-1': run({}), 'tls-tiers-tls-50-1': run({}),
    'tls-storm-tls-1': run({ ws_connects_per_second: { max: 2000 } }),
    'tls-storm-plain-1': run({ ws_connects_per_second: { max: 9000 } }),
    'tls-storm-plain-2': run({ ws_connects_per_second: { max: 7000 } }),
    'tiers-10': run({}),
  };
  const tiers = tlsTiers(results);
  assert.deepEqual(tiers.map((r) => r.users), [10, 50]);
  assert.equal(tiers[0].tls.cpuPerWrite, 990, 'a run without the value does not count');
  assert.equal(tiers[0].plain.p50, 1.1, 'the median of 1.1, 5 and 1');
  assert.equal(tiers[0].plain.cpuPerWrite, 900);
  assert.equal(tiers[0].tls.lost, 2, 'lost events add up over the runs');
  assert.deepEqual(tlsStorms(results).map((r) => [r.mode, r.perSecond]), [['plain', 8000], ['tls', 2000]]);
  const out = [];
  renderTls(out, { results, evidence: {}, settings: { tlsTierSeconds: 30 }, machine: '2 cores' });
  const text = out.join('\n');
  assert.match(text, /\| 10 \| 1\.10 ms .* \| 900 µs \| 990 µs \| 1\.10× \| 0 \/ 2 \|/);
  assert.match(text, /\| TLS \| – \| – \| – \| – \| 2,000 \| – \|/);
  assert.match(text, /medians of 3 runs, lost summed/);
});

test('no TLS runs: no section', () => {
  const out = [];
  renderTls(out, { results: {}, evidence: {}, settings: {}, machine: '' });
  assert.deepEqual(out, []);
});

test('a storm profile by library: each part\'s share and its µs of the CPU per connection', () => {
  const tlsText = '    45.93%  libcrypto.so.3         \n    26.00%  [kernel.kallsyms]      \n'
    + '    13.32%  libc.so.6              \n     6.80%  archibald-realtime     \n'
    + '     6.49%  libssl.so.3            \n     0.88%  libboost_url.so.1.81.0 \n     0.50%  libstdc++.so.6.0.30\n';
  assert.deepEqual(profileByLibrary(tlsText)[1], { dso: '[kernel.kallsyms]', percent: 26 });
  const storms = [{ mode: 'plain', cpuPerConnect: 50 }, { mode: 'tls', cpuPerConnect: 400 }];
  const rows = stormProfile({ tls: tlsText }, storms);
  const crypto = rows.find((r) => r.part === 'OpenSSL libcrypto');
  assert.ok(Math.abs(crypto.tls.us - 183.72) < 1e-9);
  assert.equal(crypto.plain.percent, undefined, 'no plain profile: no share');
  assert.ok(Math.abs(rows.find((r) => r.part === 'other libraries').tls.percent - 1.38) < 1e-9);
  assert.deepEqual(stormProfile({}, storms), []);

  const out = [];
  renderTls(out, {
    results: { 'tls-storm-tls-1': run({ server_cpu_us_per_connect: { value: 400 } }) },
    evidence: { tlsStormProfile: { tls: tlsText } }, settings: { perfHz: 499 }, machine: '2 cores',
  });
  assert.match(out.join('\n'), /\| OpenSSL libcrypto \| .* \| – \| 45\.9 % · 184 µs \|/);
});
