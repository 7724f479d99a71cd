// Multi-node (DESIGN §6): the tiers on two nodes sharing one PostgreSQL against one SQLite
// node, same devices, back to back in one run (run-report.sh: multinode-pg-<users>.json,
// multinode-sqlite-<users>.json), and durable writes/s of the two stores by writes in flight
// (multinode-store.bench.json). Pure.
import { benchMedians } from './evidence.js';
import { ms, num, table, value } from './format.js';

const tiersOf = (results, prefix) => Object.keys(results).filter((k) => k.startsWith(prefix))
  .map((k) => parseInt(k.slice(prefix.length), 10)).filter(Number.isFinite).sort((a, b) => a - b);

// One row per tier and kind of delivery: e2e p50 / p95 / p99, lost, duplicated.
export function multiNodeLatency(results) {
  const rows = [];
  for (const users of tiersOf(results, 'multinode-pg-')) {
    const pg = results[`multinode-pg-${users}`];
    const sqlite = results[`multinode-sqlite-${users}`];
    const row = (label, run, metric) => (value(run, metric, 'p(50)') === undefined ? null : {
      users, label, p50: value(run, metric, 'p(50)'), p95: value(run, metric, 'p(95)'),
      p99: value(run, metric, 'p(99)'), lost: value(run, 'ws_msgs_lost', 'count'),
      duplicated: value(run, 'ws_msgs_duplicated', 'count'),
    });
    rows.push(row('PostgreSQL, same node', pg, 'ws_e2e_latency_same_node'),
      row('PostgreSQL, cross node', pg, 'ws_e2e_latency_cross_node'),
      row('SQLite, one node', sqlite, 'ws_e2e_latency'));
  }
  return rows.filter(Boolean);
}

// Durable writes/s by writes in flight: PostgreSQL's and SQLite's (group commit) medians.
export function storeThroughput(bench) {
  const medians = benchMedians(bench);
  const rate = (name) => medians[name]?.['writes/s'];
  return [1, 16, 64, 256].map((writers) => ({
    writers,
    postgres: rate(`BM_PostgresDurableWrites/writers:${writers}`),
    sqlite: rate(`BM_DurableWrites/full:1/batch:256/writers:${writers}/coalesce:1`),
  })).filter((r) => r.postgres !== undefined || r.sqlite !== undefined);
}

export function renderMultiNode(out, { results, evidence, settings, machine }) {
  const latency = multiNodeLatency(results);
  const store = storeThroughput(evidence.multinodeBench);
  if (!latency.length && !store.length) return;
  out.push('## Multi-node', '');
  if (latency.length) {
    out.push(`The tiers (one REST write per user per second) with ${settings.multinodeDevices ?? '–'} devices a user,`
      + ` ${settings.multinodeTierSeconds ?? '–'} s a tier: on two nodes sharing one throwaway PostgreSQL (the devices`
      + ' spread over both: of each write\'s three other devices, one is on the node that took it and two on the'
      + ' other), and on one SQLite node, back to back in the same run. Cross-node events travel as a NOTIFY hint'
      + ` and a read of the events table on the receiving node (${machine}; PostgreSQL on the same machine).`, '',
    table(['users', 'store, delivery', 'e2e p50', 'e2e p95', 'e2e p99', 'lost', 'duplicated'],
      latency.map((r) => [r.users, r.label, ms(r.p50), ms(r.p95), ms(r.p99), num(r.lost), num(r.duplicated)])), '');
  }
  if (store.length) {
    const rate = (v) => (v === undefined ? '–' : `${num(v)}/s`);
    out.push('Durable writes per second by writes in flight (`archibald_store_bench`, each write committed before'
      + ` it counts; PostgreSQL with \`synchronous_commit=on\` and fsync; medians of ${settings.storeRepetitions ?? '–'}`
      + ' interleaved repetitions). The target for PostgreSQL is 10,000/s at 64 in flight.', '',
    table(['in flight', 'PostgreSQL', 'SQLite (group commit)', 'SQLite / PostgreSQL'], store.map((r) => [r.writers,
      rate(r.postgres), rate(r.sqlite), r.postgres && r.sqlite ? `${(r.sqlite / r.postgres).toFixed(1)}×` : '–'])), '');
  }
}
