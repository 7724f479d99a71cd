// Unit tests of the report's evidence parsers: node --test test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  benchMedians, fixes, hotPath, marginalPerWrite, optimizations, parseFootprint, parseHeap, parseProfile,
  profileByCategory,
} from '../report/evidence.js';
import { renderReport } from '../report/report.js';

const profileText = `
    19.55%  [kernel.kallsyms]        [k] finish_task_switch.isra.0
     6.00%  [kernel.kallsyms]        [k] tcp_sendmsg_locked
     4.08%  [kernel.kallsyms]        [k] iowrite16
     3.00%  libsqlite3.so.0.8.6      [.] sqlite3VdbeExec
     1.75%  libc.so.6                [.] malloc
     1.00%  archibald-realtime       [.] boost::json::detail::serialize_impl
`;

test('perf lines are parsed and grouped by kind of work, largest first', () => {
  const rows = parseProfile(profileText);
  assert.equal(rows.length, 6);
  assert.deepEqual(rows[0], { percent: 19.55, dso: '[kernel.kallsyms]', kernel: true, symbol: 'finish_task_switch.isra.0' });
  const groups = profileByCategory(rows);
  assert.deepEqual(groups.map((g) => [g.category, g.percent]), [
    ['kernel: scheduling, wake-ups, locks', 19.55], ['kernel: TCP and socket I/O', 6],
    ['kernel: disk writes and fsync', 4.08], ['SQLite', 3], ['memory allocation', 1.75], ['JSON (Boost.JSON)', 1]]);
});

const heapText = `PEAK MEMORY CONSUMERS
1.00M peak memory consumed over 50819 calls from
0x7f4643e5c503
  in /lib/x86_64-linux-gnu/libsqlite3.so.0

512.00K peak memory consumed over 400 calls from
boost::make_shared<>(boost::beast::basic_stream<>&&)
  in /work/main/build/release/bin/archibald-realtime

total runtime: 8.357000s.
calls to allocation functions: 233405 (27929/s)
temporary memory allocations: 6518 (779/s)
peak heap memory consumption: 4.33M
peak RSS (including heaptrack overhead): 19.71M
total memory leaked: 1.41K
`;

test('heaptrack summary and peak consumers are parsed', () => {
  const heap = parseHeap(heapText);
  assert.equal(heap.summary.calls, '233405 (27929/s)');
  assert.equal(heap.summary.peakRss, '19.71M');
  assert.equal(heap.summary.leaked, '1.41K');
  assert.deepEqual(heap.peaks[1], { bytes: '512.00K', calls: 400, where: 'boost::make_shared<>(boost::beast::basic_stream<>&&)' });
  assert.equal(heap.peaks[0].where, 'libsqlite3.so.0 (no symbols)');
  assert.equal(parseHeap(''), undefined);
  assert.equal(parseHeap('garbage'), undefined);
});

const bench = (name, counters, aggregate = 'median') => ({
  name: `${name}/real_time_${aggregate}`, run_name: `${name}/real_time`, run_type: 'aggregate', aggregate_name: aggregate, ...counters,
});

test('benchmark medians are keyed by name without the timing suffixes', () => {
  const m = benchMedians({ benchmarks: [
    bench('BM_X/a:1', { 'writes/s': 5 }, 'mean'), bench('BM_X/a:1', { 'writes/s': 4 }),
    { name: 'BM_W/restart:0/iterations:20/real_time', run_name: 'BM_W/restart:0/iterations:20/real_time', run_type: 'iteration', wal_peak_MB: 90 },
  ] });
  assert.equal(m['BM_X/a:1']['writes/s'], 4);
  assert.equal(m['BM_W/restart:0'].wal_peak_MB, 90);
});

test('optimizations are judged by their measured gain, both directions', () => {
  const benches = { benchmarks: [
    bench('BM_DurableWrites/full:1/batch:1/writers:64/coalesce:1', { 'writes/s': 1000 }),
    bench('BM_DurableWrites/full:1/batch:256/writers:64/coalesce:1', { 'writes/s': 20000 }),
    bench('BM_DurableWrites/full:1/batch:256/writers:64/coalesce:0', { 'writes/s': 19500 }),
    bench('BM_WalGrowth/restart:0/iterations:20', { wal_peak_MB: 120 }),
    bench('BM_WalGrowth/restart:8192/iterations:20', { wal_peak_MB: 33 }),
  ] };
  const latency = (p99) => ({ summary: { metrics: { ws_e2e_latency: { values: { 'p(99)': p99, max: p99 * 2 } },
    connections: { values: { max: 12000 } } } } });
  const rows = optimizations(benches, { 'heartbeat-spread-false': latency(400), 'heartbeat-spread-true': latency(50) }, { heartbeatIntervalMs: 5000 });
  const byChange = (text) => rows.filter((r) => r.change.startsWith(text));
  assert.equal(byChange('Group commit')[0].kept, true);
  assert.equal(byChange('Group commit')[0].gain, 19);
  const coalescing = byChange('WAL write coalescing');
  assert.equal(coalescing.length, 1, 'the 256-in-flight pair was not measured: no row');
  assert.equal(coalescing[0].kept, false, '2.6 % is below the bar');
  assert.equal(byChange('Writer completes')[0].kept, true);
  const heartbeat = byChange('Heartbeat');
  assert.equal(heartbeat.length, 2);
  assert.match(heartbeat[0].measure, /12,000 connections, a ping round every 5 s/);
  assert.equal(heartbeat[0].gain, 0.875);

  const { markdown } = renderReport({}, { cores: 2 }, { benches, profile: profileText, heap: heapText });
  assert.match(markdown, /\| WAL write coalescing [^\n]*\| 19,500 writes\/s \| 20,000 writes\/s \| 3 % \| no measurable gain: revert \|/);
  assert.match(markdown, /\| 1 \| kernel: scheduling, wake-ups, locks \| threads waking each other [^|]*\| 19\.6 % \|/);
  assert.match(markdown, /\| 8\.357000s \| 233405 \(27929\/s\) \|/);
});

test('fixes compare the first run with the re-run, and are left out of readiness', () => {
  const soak = (drops, p99) => ({ summary: { metrics: { ws_drops: { values: { count: drops } },
    ws_e2e_latency: { values: { 'p(99)': p99, max: p99 * 4 }, thresholds: { 'p(99)<100': { ok: p99 < 100 } } } } } });
  const fixed = [{ fix: 'Pongs counted', runs: ['soak'] }];
  const rows = fixes({ 'before-fix-soak': soak(12000, 308), soak: soak(0, 9) }, fixed);
  assert.deepEqual(rows.map((r) => [r.run, r.measure, r.before, r.after]), [
    ['soak', 'e2e p99', 308, 9], ['soak', 'e2e max', 1232, 36], ['soak', 'connections dropped', 12000, 0]]);
  assert.deepEqual(fixes({ soak: soak(0, 9) }, fixed), []);
  assert.deepEqual(fixes({ 'before-fix-soak': soak(1, 1), soak: soak(0, 9) }, []), []);
  const { markdown } = renderReport({ 'before-fix-soak': soak(12000, 308), soak: soak(0, 9) }, { cores: 2, fixes: fixed });
  assert.match(markdown, /### Found by these runs and fixed/);
  assert.match(markdown, /\| Pongs counted \| soak \| e2e p99 \| 308\.0 ms \| 9\.00 ms \|/);
  assert.match(markdown, /\|  \| soak \| connections dropped \| 12,000 \| 0 \|/);  // the fix named once
  assert.match(markdown, /\| soak \| `ws_e2e_latency: p\(99\)<100` \| ✅ \|/);
  assert.doesNotMatch(markdown, /\| before-fix-soak \|/);
});

test('per-write counts leave out what a run costs whatever it writes', () => {
  const counts = ['# variant tool seconds total writes',
    'base instructions 10 5000000 100', 'base instructions 30 13000000 300',
    'current instructions 10 4000000 100', 'current instructions 30 8000000 300',
    'current allocations 10 900 100'].join('\n');
  assert.equal(marginalPerWrite(counts, 'base', 'instructions'), 40000);
  assert.equal(marginalPerWrite(counts, 'current', 'instructions'), 20000);
  assert.equal(marginalPerWrite(counts, 'current', 'allocations'), undefined, 'one length is not enough');
  assert.equal(marginalPerWrite(undefined, 'base', 'instructions'), undefined);
});

test('the hot path compares medians of the alternated runs, before over after', () => {
  const run = (cpu, p99) => ({ summary: { metrics: {
    server_cpu_us_per_write: { values: { value: cpu } }, ws_e2e_latency: { values: { 'p(50)': 1, 'p(99)': p99 } } } } });
  const results = {
    'hotpath-rest-base-1': run(400, 10), 'hotpath-rest-base-2': run(380, 30), 'hotpath-rest-base-3': run(900, 20),
    'hotpath-rest-current-1': run(200, 5), 'hotpath-rest-current-2': run(220, 6), 'hotpath-rest-current-3': run(100, 7),
  };
  const { rows, runs } = hotPath(results, '');
  assert.equal(runs, 3);
  const cpu = rows.find((r) => r.measure.startsWith('server CPU per write'));
  assert.deepEqual([cpu.base, cpu.current, cpu.ratio], [400, 200, 2]);
  assert.equal(rows.find((r) => r.measure.startsWith('e2e p99')).base, 20);
  assert.equal(rows.some((r) => r.measure.includes('instructions')), false, 'no counts, no row');
});

test('idle footprints are read per build and compared in the hot path', () => {
  const text = ['# variant: archibald_footprint_bench --connections 18800',
    'base: connections open: 18800 failed: 0 in 6.99 s (2688/s)',
    'base: server RSS: 10104 KiB -> 128024 KiB; per connection: 6422.88 bytes',
    'base: client RSS per connection: 6284.53 bytes',
    'current: connections open: 18800 failed: 0 in 6.5 s (2889/s)',
    'current: server RSS: 10108 KiB -> 93132 KiB; per connection: 4522.16 bytes',
    'broken: connections open: 0 failed: 18800 in 1 s (0/s)'].join('\n');
  const idle = parseFootprint(text);
  assert.deepEqual(idle.map((v) => v.variant), ['base', 'current'], 'a run without an RSS line is left out');
  assert.deepEqual([idle[1].open, idle[1].failed, idle[1].seconds, idle[1].rssAfter, idle[1].perConnection],
    [18800, 0, 6.5, 93132 * 1024, 4522.16]);
  const row = hotPath({}, '', text).rows.find((r) => r.measure.startsWith('server RSS per idle connection'));
  assert.deepEqual([row.base, row.current], [6422.88, 4522.16]);
  const { markdown } = renderReport({}, { settings: { hotpathBase: 'abc1234' } }, { idleFootprint: text });
  assert.match(markdown, /\| commit abc1234 \| 18,800 \| 0 \| 7 s \| .* \| 6,423 bytes \|/);
  assert.match(markdown, /\| this build \| 18,800 \| 0 \| 6\.5 s \| .* \| 4,522 bytes \|/);
});
