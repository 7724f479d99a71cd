// The report's evidence besides the load runs, parsed from the tools' own output: the perf
// profile of the server (profile.txt), heaptrack's summary of the soak (heap.txt), the storage
// benchmarks (Google Benchmark JSON) and the heartbeat A/B runs. Pure functions.

import { median, value } from './format.js';

// `perf report --stdio --no-children --sort dso,sym -g none` lines:
//   "    19.55%  [kernel.kallsyms]  [k] finish_task_switch.isra.0"
export function parseProfile(text) {
  const rows = [];
  for (const line of (text || '').split('\n')) {
    const m = /^\s*([\d.]+)%\s+(\S+)\s+\[([k.])\]\s+(.+?)\s*$/.exec(line);
    if (m) rows.push({ percent: Number(m[1]), dso: m[2], kernel: m[3] === 'k', symbol: m[4] });
  }
  return rows;
}

// Where the time goes, by kind of work: the first matching category wins; `meaning` says
// what that work is in this server.
const categories = [
  ['kernel: scheduling, wake-ups, locks', (r) => r.kernel && /sched|switch|wake|futex|spin|idle|ep_poll|epoll|hrtimer|irq/.test(r.symbol),
    'threads waking each other (network threads hand writes to the storage thread and back); with software clock sampling, time with interrupts off is also charged here'],
  ['kernel: disk writes and fsync', (r) => r.kernel && /ext4|jbd2|blk|bio|fsync|iowrite|virtio|nvme|filemap|page_cache|writeback/.test(r.symbol),
    'the WAL write and fsync of every group commit (SYNC_MODE=full)'],
  ['kernel: TCP and socket I/O', (r) => r.kernel && /tcp|sock|skb|ip_|inet|net|sys_|copy|fget|fput|poll|entry_SYSCALL|syscall/.test(r.symbol),
    'send and receive system calls on loopback: one write per outgoing WebSocket message'],
  ['kernel: other', (r) => r.kernel, 'page faults and other kernel work'],
  ['SQLite', (r) => /sqlite/.test(r.dso) || /sqlite/i.test(r.symbol), 'statements and B-tree lookups of the storage writer and reader'],
  ['memory allocation', (r) => /malloc|free|_int_|operator new|operator delete|cfree|realloc/.test(r.symbol),
    'malloc / free of per-request and per-message objects'],
  ['JSON (Boost.JSON)', (r) => /boost::json/.test(r.symbol), 'parsing request bodies, serialising each event once'],
  ['WebSocket/HTTP (Boost.Beast, Asio)', (r) => /boost::(beast|asio)/.test(r.symbol), 'executors, strands, HTTP parsing and WebSocket framing'],
  ['JWT, hashing (OpenSSL)', (r) => /libcrypto|libssl/.test(r.dso), 'HMAC-SHA256 of each token'],
  ['archibald code', (r) => /archibald/.test(r.symbol), 'this server\'s own functions'],
  ['other user space', () => true, 'libc memory and string functions, mutexes'],
];

export function profileByCategory(rows) {
  const byName = new Map();
  for (const r of rows) {
    const [name, , meaning] = categories.find(([, match]) => match(r));
    const c = byName.get(name) || { category: name, meaning, percent: 0, symbols: [] };
    c.percent += r.percent;
    c.symbols.push(r);
    byName.set(name, c);
  }
  return [...byName.values()].sort((a, b) => b.percent - a.percent);
}

// heaptrack_print output: the summary lines and the peak consumers' headers.
export function parseHeap(text) {
  if (!text) return undefined;
  const field = (label) => new RegExp(`^${label}:\\s*(.+)$`, 'm').exec(text)?.[1].trim();
  const lines = text.split('\n');
  const peaks = [];
  lines.forEach((line, i) => {
    const m = /^([\d.]+[KMG]?) peak memory consumed over (\d+) calls from$/.exec(line.trim());
    if (!m) return;
    let where = (lines[i + 1] || '').trim();
    const library = /^in (\S+)$/.exec((lines[i + 2] || '').trim());
    if (/^0x[0-9a-f]+$/.test(where) && library) where = `${library[1].split('/').pop()} (no symbols)`;
    peaks.push({ bytes: m[1], calls: Number(m[2]), where });
  });
  const summary = {
    runtime: field('total runtime')?.replace(/\.$/, ''), calls: field('calls to allocation functions'),
    temporary: field('temporary memory allocations'), peakHeap: field('peak heap memory consumption'),
    peakRss: field('peak RSS \\(including heaptrack overhead\\)'), leaked: field('total memory leaked'),
  };
  return summary.calls ? { summary, peaks } : undefined;
}

// Google Benchmark JSON: the median of each benchmark (or its only run).
export function benchMedians(json) {
  const out = {};
  for (const b of json?.benchmarks || []) {
    const name = (b.run_name || b.name).replace(/\/real_time$/, '').replace(/\/iterations:\d+/, '');
    if (b.aggregate_name === 'median' || (b.run_type === 'iteration' && !(name in out))) out[name] = b;
  }
  return out;
}

// A change is kept when the numbers support it: at least 5 % better than without it.
export const minimumGain = 0.05;

// The optimizations that can be switched off, each measured both ways in the same run.
export function optimizations(benches, results, settings = {}) {
  const rows = [];
  const medians = benchMedians(benches);
  const durable = (batch, writers, coalesce) => medians[`BM_DurableWrites/full:1/batch:${batch}/writers:${writers}/coalesce:${coalesce}`]?.['writes/s'];
  const add = (change, measure, before, after, unit, lowerIsBetter) => {
    if (before === undefined || after === undefined) return;
    const gain = lowerIsBetter ? (before - after) / before : (after - before) / before;
    rows.push({ change, measure, before, after, unit, gain, kept: gain >= minimumGain });
  };
  add('Group commit (up to 256 writes per transaction)', 'durable writes/s, SYNC_MODE=full, 64 in flight',
    durable(1, 64, 1), durable(256, 64, 1), 'writes/s', false);
  for (const writers of [64, 256]) {
    add('WAL write coalescing (one write per commit)', `durable writes/s, SYNC_MODE=full, ${writers} in flight`,
      durable(256, writers, 0), durable(256, writers, 1), 'writes/s', false);
  }
  const wal = (restart) => medians[`BM_WalGrowth/restart:${restart}`]?.wal_peak_MB;
  add('Writer completes a checkpoint past 8,192 WAL frames', 'WAL peak size over 40,000 writes',
    wal(0), wal(8192), 'MB', true);
  const metric = (spread, name, key) => value(results[`heartbeat-spread-${spread}`], name, key);
  const connections = Number(metric('true', 'connections', 'max') || 0).toLocaleString('en-US');
  for (const key of ['p(99)', 'max']) {
    add('Heartbeat spread over the interval (1/64 of the connections at a time)',
      `e2e ${key}, ${connections} connections, a ping round every ${(settings.heartbeatIntervalMs ?? 0) / 1000} s`,
      metric('false', 'ws_e2e_latency', key), metric('true', 'ws_e2e_latency', key), 'ms', true);
  }
  return rows;
}

// Defects the runs found, fixed, and the same workload re-run: for each entry of meta.fixes
// ({fix, runs}), `before-fix-<run>` holds the first run's result, `<run>` the re-run's.
export function fixes(results, fixed) {
  const rows = [];
  const measures = [
    ['e2e p99', (r) => value(r, 'ws_e2e_latency', 'p(99)'), 'ms'],
    ['e2e max', (r) => value(r, 'ws_e2e_latency', 'max'), 'ms'],
    ['connections dropped', (r) => value(r, 'ws_drops', 'count') ?? 0, ''],
    ['lost', (r) => value(r, 'ws_msgs_lost', 'count'), ''],
    ['duplicated', (r) => value(r, 'ws_msgs_duplicated', 'count'), ''],
    ['highest breakpoint level held', (r) => r?.summary?.breakpoint?.filter((l) => l.ok).pop()?.level, ''],
  ];
  for (const { fix, runs } of fixed) {
    for (const run of runs) {
      const [before, after] = [results[`before-fix-${run}`], results[run]];
      if (!before || !after) continue;
      for (const [measure, get, unit] of measures) {
        const [b, a] = [get(before), get(after)];
        if (b !== undefined && a !== undefined) rows.push({ fix, run, measure, before: b, after: a, unit });
      }
    }
  }
  return rows;
}

// Per write, from counts at two run lengths ("variant tool seconds total writes" lines of
// hotpath-counts.txt): (total_long − total_short) / (writes_long − writes_short), so that what
// a run costs whatever it writes (start, connections) cancels out.
export function marginalPerWrite(countsText, variant, tool) {
  const rows = (countsText || '').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/))
    .filter(([v, t]) => v === variant && t === tool).map(([, , s, total, writes]) => ({ s: +s, total: +total, writes: +writes }))
    .sort((a, b) => a.s - b.s);
  if (rows.length < 2) return undefined;
  const [short, long] = [rows[0], rows[rows.length - 1]];
  return long.writes > short.writes ? (long.total - short.total) / (long.writes - short.writes) : undefined;
}

// archibald_footprint_bench's lines, each prefixed "variant: " (idle-footprint.txt): per
// variant the connections opened, how fast, and the server's RSS per idle connection.
export function parseFootprint(text) {
  const out = {};
  for (const line of (text || '').split('\n')) {
    const m = /^(\w+): (.*)$/.exec(line);
    if (!m) continue;
    const v = (out[m[1]] ??= { variant: m[1] });
    const opened = /connections open: (\d+) failed: (\d+) in ([\d.]+) s/.exec(m[2]);
    if (opened) Object.assign(v, { open: +opened[1], failed: +opened[2], seconds: +opened[3] });
    const rss = /server RSS: (\d+) KiB -> (\d+) KiB; per connection: ([\d.]+) bytes/.exec(m[2]);
    if (rss) Object.assign(v, { rssBefore: rss[1] * 1024, rssAfter: rss[2] * 1024, perConnection: +rss[3] });
  }
  return Object.values(out).filter((v) => v.perConnection !== undefined);
}

// The hot path: this build ("current") against the base commit, medians of the alternated runs.
export function hotPath(results, countsText, footprintText) {
  const runs = (workload, variant) => Object.keys(results).filter((k) => k.startsWith(`hotpath-${workload}-${variant}-`)).map((k) => results[k]);
  const med = (workload, variant, metric, key) => median(runs(workload, variant).map((r) => value(r, metric, key)));
  const rows = [];
  const add = (measure, unit, base, current) => {
    if (base !== undefined && current !== undefined) rows.push({ measure, unit, base, current, ratio: base / current });
  };
  const rest = 'REST writes, 1,500 users × 2 devices, 1 write/user/s';
  const fanout = 'durable publishes, 1,000 users × 10 devices, 1,500/s';
  add(`server CPU per write — ${rest}`, 'µs', med('rest', 'base', 'server_cpu_us_per_write', 'value'), med('rest', 'current', 'server_cpu_us_per_write', 'value'));
  add(`e2e p50 — ${rest}`, 'ms', med('rest', 'base', 'ws_e2e_latency', 'p(50)'), med('rest', 'current', 'ws_e2e_latency', 'p(50)'));
  add(`e2e p99 — ${rest}`, 'ms', med('rest', 'base', 'ws_e2e_latency', 'p(99)'), med('rest', 'current', 'ws_e2e_latency', 'p(99)'));
  add(`server CPU per delivery — ${fanout}`, 'µs', med('fanout', 'base', 'server_cpu_us_per_delivery', 'value'), med('fanout', 'current', 'server_cpu_us_per_delivery', 'value'));
  add(`e2e p99 — ${fanout}`, 'ms', med('fanout', 'base', 'ws_e2e_latency', 'p(99)'), med('fanout', 'current', 'ws_e2e_latency', 'p(99)'));
  add('server instructions per REST write (callgrind)', '', marginalPerWrite(countsText, 'base', 'instructions'), marginalPerWrite(countsText, 'current', 'instructions'));
  add('server allocations per REST write (heaptrack)', '', marginalPerWrite(countsText, 'base', 'allocations'), marginalPerWrite(countsText, 'current', 'allocations'));
  const idle = Object.fromEntries(parseFootprint(footprintText).map((v) => [v.variant, v]));
  if (idle.base && idle.current) {
    add(`server RSS per idle connection (${idle.current.open.toLocaleString('en-US')} open, one run)`, 'bytes',
      idle.base.perConnection, idle.current.perConnection);
  }
  return { rows, runs: runs('rest', 'current').length };
}
