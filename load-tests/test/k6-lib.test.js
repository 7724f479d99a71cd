// Unit tests of the k6 scripts' pure modules under Node's test runner: node --test test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { DeliveryLedger } from '../lib/ledger.js';
import {
  backoffMs, k6Options, levelAt, parseDuration, runPlan, scenarioFiles, sessionEndMs, totalMs,
  thresholdStatement, userStages, writePhase,
} from '../lib/options.js';
import { readmeThresholds } from '../lib/readme.js';
import {
  authMessage, base64UrlEncode, closeCodeOf, draftBody, parseEvent, signToken, writeAcknowledged, wsUrl,
} from '../lib/protocol.js';
import { breakpointAnswer, textSummary, thresholdRows } from '../lib/summary.js';

const scenarioDir = new URL('../scenarios/', import.meta.url);
const scenario = (name) => JSON.parse(readFileSync(new URL(`${name}.json`, scenarioDir), 'utf8'));
const hmac = (secret, data) => createHmac('sha256', secret).update(data).digest('base64url');

test('signs the RFC 7519 / jwt.io HS256 example exactly', () => {
  // Header {"alg":"HS256","typ":"JWT"}, secret "your-256-bit-secret": the well-known vector.
  const token = signToken({ sub: '1234567890', name: 'John Doe', iat: 1516239022 },
    'your-256-bit-secret', hmac);
  assert.equal(token, 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.'
    + 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.'
    + 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c');
});

test('base64url matches Node for ASCII and UTF-8, without padding', () => {
  for (const text of ['', 'f', 'fo', 'foo', 'foob', '{"userId":"agente-é-€-😀"}']) {
    assert.equal(base64UrlEncode(text), Buffer.from(text, 'utf8').toString('base64url'));
  }
});

test('durations parse like archibald-load', () => {
  assert.equal(parseDuration('30s'), 30000);
  assert.equal(parseDuration('1m30s'), 90000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('45'), 45000);
  assert.throws(() => parseDuration('30x'));
  assert.throws(() => parseDuration('s30'));
});

test('every scenario the k6 scripts run loads into k6 options with its own thresholds only', () => {
  for (const name of new Set(Object.values(scenarioFiles))) {
    const s = scenario(name);
    const plan = runPlan(s);
    const o = k6Options(plan);
    const stages = o.scenarios.users.stages;
    assert.ok(stages.length > 0 && totalMs(plan.stages) > 0, name);
    for (const stage of stages) assert.match(stage.duration, /^\d+ms$/, name);
    for (const [metric, list] of Object.entries(s.thresholds || {})) {
      assert.deepEqual(o.thresholds[metric], list, `${name} ${metric}: exactly the file's`);
    }
  }
  // Every scenario file, even those only archibald-load runs, is valid for the planner.
  for (const file of readdirSync(scenarioDir).filter((f) => f.endsWith('.json'))) {
    assert.ok(userStages(JSON.parse(readFileSync(new URL(file, scenarioDir), 'utf8'))).length, file);
  }
});

test('the README states exactly the thresholds each scenario runs with', () => {
  const stated = readmeThresholds(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));
  const files = [...new Set(Object.values(scenarioFiles))].sort();
  assert.deepEqual(Object.keys(stated).sort(), files);
  for (const name of files) assert.equal(stated[name], thresholdStatement(runPlan(scenario(name)).thresholds), name);
});

test('a threshold on a metric k6 does not measure is refused, not ignored', () => {
  assert.throws(() => runPlan({ users: 1, thresholds: { ws_made_up: ['count==0'] } }), /ws_made_up/);
});

test('a latency threshold brings the sample guard: a run without samples fails', () => {
  assert.deepEqual(runPlan(scenario('tiers')).thresholds.ws_e2e_samples, ['count>0']);
  assert.equal(runPlan({ users: 1, thresholds: { checks: ['rate>0.99'] } }).thresholds.ws_e2e_samples, undefined);
});

test('tiers: 10/20/30/50 users (one VU each), SCALE for time, USERS_SCALE for users', () => {
  const plan = runPlan(scenario('tiers'), { scale: 0.05, usersScale: 0.2 });
  assert.deepEqual(plan.stages.map((s) => s.target), [2, 2, 4, 4, 6, 6, 10, 10]);
  assert.equal(plan.stages[1].durationMs, 3000);  // 60 s × 0.05
  assert.equal(totalMs(plan.stages), 12000);
  const full = runPlan(scenario('tiers'));
  assert.deepEqual(full.stages.map((s) => s.target), [10, 10, 20, 20, 30, 30, 50, 50]);
  assert.equal(runPlan(scenario('spike'), { usersScale: 0.0001 }).stages[0].target, 1);  // never 0 users
});

test('breakpoint: each level judged on its own samples, aborting, the delay scaled', () => {
  const plan = runPlan(scenario('breakpoint'), { scale: 0.05, usersScale: 0.01 });
  assert.equal(plan.levels.length, 20);
  assert.deepEqual(plan.levels.slice(0, 2).map((l) => l.users), [10, 20]);
  assert.equal(plan.levels[0].endMs, 250 + 1500);  // ramp min(5 s, step/6) + the 1.5 s step
  assert.equal(levelAt(plan.levels, 1800), 1);
  assert.deepEqual(plan.thresholds['ws_e2e_latency{level:3}'],
    [{ threshold: 'p(95)<100', abortOnFail: true, delayAbortEval: '1000ms' }]);
  assert.equal(runPlan(scenario('breakpoint')).thresholds['checks{level:0}'][0].delayAbortEval, '10000ms');
  assert.equal(runPlan(scenario('breakpoint'), { scale: 0.001 }).levels[0].endMs, 167 + 1000);  // ≥ 1 s steps
});

test('a session ends when k6 would stop its VU', () => {
  const stages = [{ durationMs: 1000, target: 10 }, { durationMs: 5000, target: 10 },
    { durationMs: 1000, target: 0 }, { durationMs: 2000, target: 0 }];
  assert.equal(sessionEndMs(stages, 0, 0), 7000);     // the last VU goes at the end of the ramp-down
  assert.equal(sessionEndMs(stages, 9, 2000), 6100);  // the 10th goes first
  assert.equal(sessionEndMs(stages, 9, 6500), 6500);  // late already: now
  assert.equal(sessionEndMs([{ durationMs: 3000, target: 2 }], 1, 0), 3000);
});

test('writes are spread over the period like archibald-load, backoff has full jitter', () => {
  const phases = Array.from({ length: 50 }, (_, u) => writePhase(u));
  const buckets = new Set(phases.map((p) => Math.floor(p * 20)));
  assert.equal(buckets.size, 20);  // 50 users cover every 50 ms of a second
  assert.equal(backoffMs(1, 0.999), 500);
  assert.equal(backoffMs(4, 1), 4000);
  assert.equal(backoffMs(20, 1), 30000);
  assert.equal(backoffMs(3, 0), 0);
});

test('the ledger counts loss against acknowledged writes, as delivery_tracker does', () => {
  const l = new DeliveryLedger(2);
  l.attach(0);
  l.attach(1);
  l.writeSent(100, 100, 101, 0);
  l.writeSent(200, 200, 201, 0);
  l.writeSent(300, 300, 301, 0);
  assert.equal(l.received(0, 100, 1, 105), null);  // the writer's own copy: no sample
  assert.deepEqual(l.received(1, 100, 1, 107), { intended: 7, sent: 6 });
  assert.equal(l.received(1, 100, 1, 108), null);  // a duplicate
  l.writeFailed(300);                               // refused: expects nothing
  assert.equal(l.incomplete(), 1);                  // 200 is still missing on both
  assert.equal(l.expire(10300, 10000), 2);          // 200 went out at 201: lost on both devices
  assert.equal(l.expireAll(), 0);
  assert.deepEqual(l.totals, { deliveries: 2, lost: 2, duplicated: 1, late: 0, reordered: 0, seqGaps: 0 });
  assert.equal(l.lastSeq(1), 1);
});

test('a device that gets nothing is flagged, and a late attach expects only later writes', () => {
  const l = new DeliveryLedger(3);
  l.attach(0);
  l.writeSent(1, 1, 1, 0);
  l.attach(2);
  l.writeSent(2, 2, 2, 0);
  l.received(0, 1, 1, 3);
  l.received(0, 2, 2, 4);
  l.received(1, 2, 2, 5);            // device 1 never attached: not counted either way
  assert.equal(l.expireAll(), 1);    // device 2 missed write 2
  l.writeSent(3, 3, 3, 0);
  l.received(2, 2, 5, 6);            // older than the window: late
  assert.equal(l.totals.late, 1);
});

test('seq gaps are counted per device', () => {
  const l = new DeliveryLedger(2);
  l.attach(1);
  l.writeSent(1, 1, 1, 0);
  l.writeSent(2, 2, 2, 0);
  l.received(1, 1, 4, 3);
  l.received(1, 2, 9, 4);
  assert.equal(l.totals.seqGaps, 4);
});

test('writes and events match by the draft updatedAt; an ack is a created or updated result', () => {
  const body = JSON.parse(draftBody('k6-x-u3', 3, 0, 1700000000123));
  assert.equal(body.drafts[0].updatedAt, 1700000000123);
  assert.equal(body.drafts[0].id, 'k6-x-u3-d3');
  const event = JSON.stringify({ type: 'DRAFT_UPDATED', seq: 7, payload: { draftId: 'x', draft: body.drafts[0] } });
  assert.deepEqual(parseEvent(event), { type: 'DRAFT_UPDATED', key: 1700000000123, seq: 7 });
  assert.equal(parseEvent('pong'), null);
  assert.equal(parseEvent('{not json'), null);
  assert.equal(parseEvent('{"type":"RESYNC_REQUIRED","payload":{}}'), null);
  assert.equal(writeAcknowledged(200, '{"success":true,"results":[{"id":"a","action":"updated"}]}'), true);
  assert.equal(writeAcknowledged(200, '{"success":true,"results":[{"id":"a","action":"skipped"}]}'), false);
  assert.equal(writeAcknowledged(401, '{"error":"auth"}'), false);
  assert.equal(writeAcknowledged(0, undefined), false);
});

test('close codes come out of k6 error texts', () => {
  assert.equal(closeCodeOf('websocket: close 1008 (policy violation): Authentication failed'), 1008);
  assert.equal(closeCodeOf('websocket: close 1013: Too many connections'), 1013);
  assert.equal(closeCodeOf('dial tcp 127.0.0.1:1: connect: connection refused'), null);
  assert.equal(closeCodeOf(undefined), null);
});

test('WebSocket URLs carry the token, the device and the resume point', () => {
  assert.equal(wsUrl('http://localhost:3000/', 'a.b.c', 1, null),
    'ws://localhost:3000/ws/realtime?token=a.b.c&deviceId=dev1');
  assert.equal(wsUrl('http://h:1', 't', 0, 42), 'ws://h:1/ws/realtime?token=t&deviceId=dev0&lastSeq=42');
  assert.equal(wsUrl('https://h:1', null, 2, 7), 'wss://h:1/ws/realtime?deviceId=dev2&lastSeq=7');
  assert.deepEqual(JSON.parse(authMessage('a.b.c')), { type: 'AUTH', token: 'a.b.c' });
});

const summaryData = {
  metrics: {
    ws_e2e_latency: { type: 'trend', contains: 'time', values: { avg: 1, med: 1, 'p(95)': 2, count: 9 }, thresholds: { 'p(95)<100': { ok: true } } },
    'ws_e2e_latency{level:0}': { type: 'trend', contains: 'time', values: { 'p(95)': 20, count: 5 }, thresholds: { 'p(95)<100': { ok: true } } },
    'ws_e2e_latency{level:1}': { type: 'trend', contains: 'time', values: { 'p(95)': 130, count: 4 }, thresholds: { 'p(95)<100': { ok: false } } },
    'ws_e2e_latency{level:2}': { type: 'trend', contains: 'time', values: { count: 0 }, thresholds: { 'p(95)<100': { ok: true } } },
    ws_msgs_lost: { type: 'counter', values: { count: 2, rate: 0.1 }, thresholds: { 'count==0': { ok: false } } },
  },
};
const levels = [{ level: 0, users: 10 }, { level: 1, users: 20 }, { level: 2, users: 30 }];

test('the summary shows every threshold with its measured value', () => {
  const text = textSummary(summaryData);
  assert.match(text, /✓ ws_e2e_latency p\(95\)<100 +measured p\(95\)=2\.00ms/);
  assert.match(text, /✗ ws_msgs_lost count==0 +measured count=2/);
  assert.match(text, /ws_e2e_latency\.+: avg=1\.00ms/);
  const empty = thresholdRows(summaryData).find((r) => r.key === 'ws_e2e_latency{level:2}');
  assert.deepEqual([empty.ok, empty.measured], [false, 'no samples']);  // nothing measured, nothing passed
});

test('the breakpoint summary names the last level that held', () => {
  const answer = breakpointAnswer(summaryData, levels);
  assert.equal(answer.held.level, 0);
  assert.equal(answer.failedAt.level, 1);
  assert.match(textSummary(summaryData, levels), /held: level 0, 10 users\n +failed: level 1, 20 users \(ws_e2e_latency p\(95\)<100\)/);
  const none = breakpointAnswer({ metrics: {} }, levels);
  assert.equal(none.held, null);
  assert.deepEqual(none.failedAt.why, ['no e2e samples']);
});
