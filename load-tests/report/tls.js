// TLS on the server's own port against plain, same build, alternated in one run
// (run-report.sh "tls"): the seed tiers' e2e latency and server CPU per write
// (tls-tiers-<plain|tls>-<users>-<run>.json), a connection storm's handshakes per second
// (tls-storm-<plain|tls>-<run>.json) and where the server's CPU goes in the first of them
// (tls-storm-<plain|tls>-profile.txt, perf by library), medians over the runs, and the RSS of
// idle connections (tls-idle-<plain|tls>.txt, the footprint bench's output). Pure.
import { median, ms, num, pct, table, value } from './format.js';

const modes = ['plain', 'tls'];

const usersOf = (results) => [...new Set(Object.keys(results).map((k) => /^tls-tiers-(?:plain|tls)-(\d+)-\d+$/.exec(k))
  .filter(Boolean).map((m) => parseInt(m[1], 10)))].sort((a, b) => a - b);

// The runs named prefix-<n>, in run order.
const runsOf = (results, prefix) => Object.keys(results).filter((k) => k.startsWith(prefix)
  && /^\d+$/.test(k.slice(prefix.length))).sort((a, b) => parseInt(a.slice(prefix.length), 10)
  - parseInt(b.slice(prefix.length), 10)).map((k) => results[k]);

const lowest = (values) => {
  const known = values.filter((v) => v !== undefined);
  return known.length ? Math.min(...known) : undefined;
};

// The median over runs of one summary value.
const medianOf = (runs, metric, key) => median(runs.map((run) => value(run, metric, key)));

// Bytes per idle connection from the footprint bench's text ("per connection: N bytes").
export function idleBytes(text) {
  const match = /server RSS: .*per connection: ([0-9.]+) bytes/.exec(text || '');
  return match ? parseFloat(match[1]) : undefined;
}

export function tlsTiers(results) {
  return usersOf(results).map((users) => {
    const row = { users };
    for (const mode of modes) {
      const runs = runsOf(results, `tls-tiers-${mode}-${users}-`);
      row.runs = Math.max(row.runs ?? 0, runs.length);
      row[mode] = {
        p50: medianOf(runs, 'ws_e2e_latency', 'p(50)'), p95: medianOf(runs, 'ws_e2e_latency', 'p(95)'),
        p99: medianOf(runs, 'ws_e2e_latency', 'p(99)'), cpuPerWrite: medianOf(runs, 'server_cpu_us_per_write', 'value'),
        lost: runs.reduce((sum, run) => sum + (value(run, 'ws_msgs_lost', 'count') ?? 0), 0),
      };
    }
    return row;
  });
}

export function tlsStorms(results) {
  return modes.map((mode) => [mode, runsOf(results, `tls-storm-${mode}-`)]).filter(([, runs]) => runs.length)
    .map(([mode, runs]) => ({
      mode, runs: runs.length, connections: medianOf(runs, 'ws_connect_ok', 'count'),
      success: lowest(runs.map((run) => value(run, 'ws_connection_success', 'rate'))),
      p50: medianOf(runs, 'ws_connecting', 'p(50)'), p95: medianOf(runs, 'ws_connecting', 'p(95)'),
      perSecond: medianOf(runs, 'ws_connects_per_second', 'max'),
      cpuPerConnect: medianOf(runs, 'server_cpu_us_per_connect', 'value'),
    }));
}

// perf report --sort dso lines ("    45.93%  libcrypto.so.3") → [{dso, percent}].
export function profileByLibrary(text) {
  const rows = [];
  for (const line of (text || '').split('\n')) {
    const m = /^\s*([\d.]+)%\s+(\S+)\s*$/.exec(line);
    if (m) rows.push({ dso: m[2], percent: Number(m[1]) });
  }
  return rows;
}

// The libraries of a storm's profile, in the parts a reader asks about; the first match wins.
const libraryParts = [
  ['OpenSSL libcrypto', (dso) => /^libcrypto/.test(dso), 'key exchange, signature, key schedule, record encryption'],
  ['OpenSSL libssl', (dso) => /^libssl/.test(dso), 'the TLS state machine'],
  ['kernel', (dso) => /kernel/.test(dso), 'TCP accept, send and receive, epoll, page faults'],
  ['libc', (dso) => /^libc[.-]/.test(dso), 'malloc / free, string compares'],
  ['the server', (dso) => /^archibald-realtime/.test(dso), 'HTTP, WebSocket upgrade, JWT, registry'],
  ['other libraries', () => true, 'Boost, libstdc++, SQLite'],
];

// Each part's share of the storm's server samples and its µs per connection (the share of the
// median CPU per connection), plain and TLS; [] without a profile.
export function stormProfile(profiles, storms) {
  const byMode = Object.fromEntries(modes.map((mode) => [mode, profileByLibrary(profiles?.[mode])]));
  if (modes.every((mode) => !byMode[mode].length)) return [];
  const cpu = Object.fromEntries(storms.map((r) => [r.mode, r.cpuPerConnect]));
  return libraryParts.map(([part, , meaning]) => {
    const row = { part, meaning };
    for (const mode of modes) {
      const rows = byMode[mode];
      const partOf = (dso) => libraryParts.find(([, m]) => m(dso))[0];
      const percent = rows.length
        ? rows.filter((r) => partOf(r.dso) === part).reduce((sum, r) => sum + r.percent, 0) : undefined;
      row[mode] = { percent, us: percent === undefined || cpu[mode] === undefined ? undefined : (percent / 100) * cpu[mode] };
    }
    return row;
  });
}

const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? '–' : `${(a / b).toFixed(2)}×`);
const us = (v) => (v === undefined ? '–' : `${num(v)} µs`);

export function renderTls(out, { results, evidence, settings, machine }) {
  const tiers = tlsTiers(results);
  const storms = tlsStorms(results);
  const idle = modes.map((mode) => idleBytes(evidence.tlsIdle?.[mode]));
  if (!tiers.length && !storms.length && idle.every((v) => v === undefined)) return;
  out.push('## TLS', '', 'The server\'s own TLS (`TLS_CERT`, TLS 1.3 negotiated, ECDSA P-256 certificate from a throwaway'
    + ` CA) against plain, the same build, the two alternated in one run (${machine}). The load tool verifies the`
    + ' certificate (`--ca`): its own TLS work shares the two cores with the server\'s.', '');
  if (tiers.length) {
    out.push(`The seed tiers (one REST write per user per second, 2 devices, ${settings.tlsTierSeconds ?? '–'} s a tier;`
      + ` medians of ${Math.max(...tiers.map((r) => r.runs))} runs, lost summed): e2e latency and the server's CPU per write (its own CPU`
      + ' time over the writes).', '',
    table(['users', 'plain e2e p50 / p95 / p99', 'TLS e2e p50 / p95 / p99', 'plain CPU / write', 'TLS CPU / write',
      'TLS / plain CPU', 'lost (plain / TLS)'],
    tiers.map((r) => [r.users, `${ms(r.plain.p50)} / ${ms(r.plain.p95)} / ${ms(r.plain.p99)}`,
      `${ms(r.tls.p50)} / ${ms(r.tls.p95)} / ${ms(r.tls.p99)}`, us(r.plain.cpuPerWrite), us(r.tls.cpuPerWrite),
      ratio(r.tls.cpuPerWrite, r.plain.cpuPerWrite), `${num(r.plain.lost)} / ${num(r.tls.lost)}`])), '');
  }
  if (storms.length) {
    out.push(`A connection storm (the storm scenario, its stages at ${settings.tlsStormScale ?? '–'}× their length:`
      + ' every connection opened as fast as the tool can, 2,000 handshakes in flight): handshakes per second in the'
      + ' busiest second and the server\'s CPU per connection (TCP accept, TLS handshake, WebSocket upgrade, JWT);'
      + ` medians of ${Math.max(...storms.map((r) => r.runs))} runs, success the lowest.`, '',
    table(['port', 'connections', 'success', 'connect p50', 'connect p95', 'handshakes/s (busiest second)',
      'server CPU / connection'],
    storms.map((r) => [r.mode === 'tls' ? 'TLS' : 'plain', num(r.connections), pct(r.success), ms(r.p50), ms(r.p95),
      num(r.perSecond), us(r.cpuPerConnect)])), '');
    const profile = stormProfile(evidence.tlsStormProfile, storms);
    if (profile.length) {
      const share = (v) => (v.percent === undefined ? '–' : `${v.percent.toFixed(1)} % · ${us(v.us)}`);
      out.push('Where the server\'s CPU goes in the first storm of each kind (perf, software clock at'
        + ` ${settings.perfHz ?? '–'} Hz, samples by library; µs: that share of the CPU per connection above):`, '',
      table(['part', 'what it does here', 'plain: share · per connection', 'TLS: share · per connection'],
        profile.map((r) => [r.part, r.meaning, share(r.plain), share(r.tls)])), '');
    }
  }
  if (idle.some((v) => v !== undefined)) {
    out.push(`Idle connections (${num(settings.tlsIdleConnections)} WebSocket connections held open, the server's RSS`
      + ' growth over them): the target for TLS is 12 KB a connection.', '',
    table(['port', 'RSS per idle connection'], modes.map((mode, i) => [mode === 'tls' ? 'TLS' : 'plain',
      idle[i] === undefined ? '–' : `${(idle[i] / 1024).toFixed(1)} KB`])), '',
    'Where the TLS connection\'s bytes go (heaptrack, 2,000 connections): OpenSSL 3.0\'s `SSL` object is 7.6 KB'
      + ' whatever the connection does (its record layer keeps 32 pipelines\' state inline), the two AES-GCM'
      + ' contexts 1.9 KB, the session and handshake leftovers about 1.3 KB, the socket BIO 0.4 KB; the record'
      + ' buffers (17 KB each way) are released while idle. `beast::ssl_stream` would add 34 KB of zero-filled'
      + ' buffers and a BIO pair of 34 KB more per connection; the 12 KB target is below what OpenSSL 3.0 holds'
      + ' for one established TLS connection.', '');
  }
}
