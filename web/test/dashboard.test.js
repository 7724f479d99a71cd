// Unit tests of the dashboard's model and the demo's draft book: node --test web/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HISTORY_MS, chartSvg, failureMessage, formatBytes, formatUptime, latencyState, nodeRows, ratePerSecond, record, topUsers,
} from '../admin/dashboard-model.js';
import { DraftBook } from '../demo/draft-book.js';

const sample = (at, stats) => ({ at, stats: { totalConnections: 2, averageLatency: 1, latencyP99: 2, messagesSent: 0, messagesReceived: 0, ...stats } });

test('the badge is ok up to 100 ms and warn above', () => {
  assert.equal(latencyState(0.42), 'ok');
  assert.equal(latencyState(100), 'ok');
  assert.equal(latencyState(100.01), 'warn');
});

test('rates come from successive counters; a restart does not go negative', () => {
  const a = sample(1000, { messagesSent: 100 });
  assert.equal(ratePerSecond(undefined, a, 'messagesSent'), 0);
  assert.equal(ratePerSecond(a, sample(3000, { messagesSent: 300 }), 'messagesSent'), 100);
  assert.equal(ratePerSecond(a, sample(3000, { messagesSent: 5 }), 'messagesSent'), 0);
});

test('the history keeps five minutes of points', () => {
  const history = [];
  for (let t = 0; t <= HISTORY_MS + 3000; t += 1500) record(history, sample(t, { messagesSent: t / 100 }));
  assert.ok(history[0].at >= 3000);
  assert.equal(history.at(-1).sentPerSecond, 10);
});

test('top users: most connections first, at most the limit', () => {
  assert.deepEqual(topUsers({ a: 1, b: 3, c: 3, d: 2 }, 3),
    [{ userId: 'b', connections: 3 }, { userId: 'c', connections: 3 }, { userId: 'd', connections: 2 }]);
  assert.deepEqual(topUsers(undefined), []);
});

test('the nodes table: this node first as health lists it, the others with their heartbeat age', () => {
  const rows = nodeRows([
    { nodeId: 'alpha', self: true, ready: true, connections: 3, users: 2, latencyP95: 0.5, ageMs: 0 },
    { nodeId: 'beta:8080', self: false, ready: false, connections: 0, users: 0, latencyP95: 12, ageMs: 2500 },
  ]);
  assert.deepEqual(rows[0], { nodeId: 'alpha (this node)', state: 'ready', connections: '3', users: '2', latencyP95: '0.50 ms', heartbeat: 'now' });
  assert.equal(rows[1].state, 'not ready');
  assert.equal(rows[1].heartbeat, '2.5 s ago');
  assert.deepEqual(nodeRows(undefined), []);
});

test('formatting and failure messages', () => {
  assert.equal(formatUptime(59), '0m 59s');
  assert.equal(formatUptime(3 * 3600 + 120), '3h 2m');
  assert.equal(formatUptime(2 * 86400 + 3600), '2d 1h');
  assert.equal(formatBytes(15 * 1024 * 1024), '15.0 MB');
  assert.match(failureMessage(401), /refused/);
  assert.match(failureMessage(403), /not an admin/);
  assert.match(failureMessage(0, 'Failed to fetch'), /unreachable \(Failed to fetch\)/);
});

test('charts are SVG with one polyline per series and escaped names', () => {
  const history = [];
  record(history, sample(0, {}));
  record(history, sample(1500, { totalConnections: 4 }));
  const svg = chartSvg(history, { series: [{ name: '<x>', key: 'connections', color: 'red' }, { name: 'p99', key: 'latencyP99', color: 'blue' }] });
  assert.ok(svg.startsWith('<svg'));
  assert.equal(svg.match(/<polyline/g).length, 2);
  assert.ok(svg.includes('&#60;x&#62;') && !svg.includes('<x>'));
});

test('the draft book: last writer wins, deletions beat older lists', () => {
  const book = new DraftBook();
  const draft = (id, updatedAt, customerName = id) => ({ id, updatedAt, customerName });
  assert.equal(book.applyEvent({ type: 'DRAFT_CREATED', payload: { draftId: 'a', draft: draft('a', 10) } }), true);
  assert.equal(book.applyEvent({ type: 'DRAFT_UPDATED', payload: { draftId: 'a', draft: draft('a', 5, 'old') } }), false);
  book.applyEvent({ type: 'DRAFT_UPDATED', payload: { draftId: 'a', draft: draft('a', 20, 'new') } });
  book.applyEvent({ type: 'DRAFT_DELETED', payload: { draftId: 'b' } });
  book.merge([draft('a', 15), draft('b', 1), draft('c', 30)]); // a list taken before those events
  assert.deepEqual(book.sorted().map((d) => [d.id, d.customerName]), [['c', 'c'], ['a', 'new']]);
  assert.equal(book.applyEvent({ type: 'PING', payload: {} }), false);
  book.replace([draft('z', 1)]);
  assert.deepEqual(book.sorted().map((d) => d.id), ['z']);
});
