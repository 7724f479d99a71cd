// Multi-node (DESIGN §6): the tiers on two nodes sharing one PostgreSQL against one SQLite
// node, same devices, back to back in one run (run-report.sh: multinode-pg-<users>.json,
// multinode-sqlite-<users>.json), durable writes/s of the two stores by writes in flight
// (multinode-store.bench.json), and three nodes at scale and with one SIGKILLed
// (multinode-scale.json, multinode-chaos.json). Pure.
import { benchMedians } from './evidence.js';
import { mb, median, ms, num, table, value } from './format.js';

const duration = (v) => (v !== undefined && v >= 1000 ? `${(v / 1000).toFixed(2)} s` : ms(v));

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

// The three-node runs: size, e2e over the whole run and per second once every device is
// connected (median and worst second of the per-second p99), what was lost, and the catch-up of
// the devices a SIGKILL dropped.
export function threeNodeRuns(results) {
  return [['multinode-scale', 'scale'], ['multinode-chaos', 'a node SIGKILLed']]
    .filter(([name]) => results[name]).map(([name, label]) => {
      const run = results[name];
      const options = run.summary?.options || {};
      const connections = value(run, 'connections', 'max');
      const held = (run.series || []).filter((p) => p.connections === connections && p.e2e_p99_ms !== undefined)
        .map((p) => p.e2e_p99_ms);
      const count = (metric) => value(run, metric, 'count');
      return {
        name, label, nodes: options.urls?.length, users: options.users, devices: options.devices,
        writePeriodS: options.writePeriodMs / 1000, connections, writes: count('writes'),
        p50: value(run, 'ws_e2e_latency', 'p(50)'), p95: value(run, 'ws_e2e_latency', 'p(95)'),
        p99: value(run, 'ws_e2e_latency', 'p(99)'), heldP99: held.length ? median(held) : undefined,
        heldWorstP99: held.length ? Math.max(...held) : undefined, heldSeconds: held.length,
        lost: count('ws_msgs_lost'), late: count('ws_msgs_late'), duplicated: count('ws_msgs_duplicated'),
        gaps: count('ws_seq_gaps'), drops: count('ws_drops'), writesFailed: count('writes_failed'),
        catchUpP50: value(run, 'ws_catch_up', 'p(50)'), catchUpP99: value(run, 'ws_catch_up', 'p(99)'),
        catchUpMax: value(run, 'ws_catch_up', 'max'),
        cpuPerWrite: value(run, 'server_cpu_us_per_write', 'value'), peakRss: value(run, 'server_rss_bytes', 'max'),
      };
    });
}

export function renderMultiNode(out, { results, evidence, settings, machine }) {
  const latency = multiNodeLatency(results);
  const store = storeThroughput(evidence.multinodeBench);
  const three = threeNodeRuns(results);
  if (!latency.length && !store.length && !three.length) return;
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
  if (three.length) {
    out.push('Three nodes on one PostgreSQL, every user\'s devices spread over them, a REST write per user'
      + ` every ${three[0].writePeriodS ?? '–'} s, the load tool in ${'`--workers 3`'} processes on the same 2 cores.`
      + ' "Held" is the median (and worst) of the per-second e2e p99 over the seconds with every device connected.'
      + ' In the SIGKILL run the killed node\'s devices reconnect to the two others with `lastSeq`;'
      + ' catch-up is a dropped device\'s time from its drop to being back with every event written for it;'
      + ' an event later than the run\'s delivery timeout counts as lost (and late). CPU and RSS: the nodes\' own,'
      + ' summed (PostgreSQL\'s not included); CPU per write is over the seconds with every device connected.', '',
    table(['run', 'nodes × connections', 'writes', 'e2e p50', 'e2e p95', 'e2e p99', 'held p99 (worst)', 'lost', 'duplicated', 'seq gaps',
      'nodes\' CPU / write', 'nodes\' RSS'],
      three.map((r) => [r.label, `${r.nodes ?? '–'} × ${num(r.connections / (r.nodes || 1))}`, num(r.writes), duration(r.p50),
        duration(r.p95), duration(r.p99), `${duration(r.heldP99)} (${duration(r.heldWorstP99)})`, num(r.lost),
        num(r.duplicated), num(r.gaps), r.cpuPerWrite === undefined ? '–' : `${num(r.cpuPerWrite)} µs`, mb(r.peakRss)])), '');
    const chaos = three.find((r) => r.name === 'multinode-chaos');
    if (chaos?.drops) {
      out.push(table(['devices dropped', 'writes refused (in flight at the kill)', 'catch-up p50', 'catch-up p99', 'every device caught up'],
        [[num(chaos.drops), num(chaos.writesFailed), duration(chaos.catchUpP50), duration(chaos.catchUpP99),
          duration(chaos.catchUpMax)]]), '');
    }
  }
}
