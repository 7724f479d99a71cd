// Unit tests of the k6 scripts' pure module under Node's test runner: node --test test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import {
  base64UrlEncode, deviceOf, draftBody, k6Options, parseDuration, parseEvent, scenarioFiles,
  seqGap, signToken, textSummary, totalDurationMs, userStages, wsUrl,
} from '../lib/archibald.js';

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

test('every scenario file loads into k6 options', () => {
  for (const file of readdirSync(scenarioDir).filter((f) => f.endsWith('.json'))) {
    const s = JSON.parse(readFileSync(new URL(file, scenarioDir), 'utf8'));
    const o = k6Options(s, { kind: 'load' });
    const stages = o.scenarios.devices.stages;
    assert.ok(stages.length > 0, file);
    assert.ok(totalDurationMs(o) > 0, file);
    for (const stage of stages) assert.match(stage.duration, /^\d+ms$/, file);
    assert.ok(o.thresholds.ws_e2e_latency, file);
  }
  for (const name of Object.values(scenarioFiles)) assert.ok(scenario(name));
});

test('tiers: 10/20/30/50 users x 2 devices as VUs, scaled, with the plan thresholds', () => {
  const o = k6Options(scenario('tiers'), { scale: 0.05, kind: 'load' });
  const stages = o.scenarios.devices.stages;
  assert.deepEqual(stages.map((s) => s.target), [20, 20, 40, 40, 60, 60, 100, 100]);
  assert.equal(stages[1].duration, '3000ms');  // 60 s × 0.05
  assert.equal(totalDurationMs(o), 12000);
  assert.deepEqual(o.thresholds.ws_e2e_latency, ['p(95)<100', 'p(99)<150']);
  assert.deepEqual(o.thresholds.ws_connection_success, ['rate>0.99']);
  assert.deepEqual(o.thresholds.ws_connecting, ['p(95)<1000']);
});

test('stress runs use relaxed thresholds; breakpoint aborts on the first failure', () => {
  const spike = k6Options(scenario('spike'), { kind: 'stress' });
  assert.deepEqual(spike.thresholds.ws_e2e_latency, ['p(95)<500']);
  const bp = k6Options(scenario('breakpoint'), { kind: 'stress' });
  assert.ok(bp.thresholds.ws_e2e_latency.some((t) => t.threshold === 'p(95)<100' && t.abortOnFail && t.delayAbortEval === '10s'));
  const users = userStages(scenario('breakpoint')).map((s) => s.target);
  assert.equal(users[0], 1000);
  assert.equal(users[2], 2000);  // usersStep 1000
});

test('a VU is one device of one user', () => {
  assert.deepEqual(deviceOf(1, 2), { user: 0, device: 0 });
  assert.deepEqual(deviceOf(2, 2), { user: 0, device: 1 });
  assert.deepEqual(deviceOf(3, 2), { user: 1, device: 0 });
});

test('writes and events match by the draft updatedAt, like archibald-load', () => {
  const body = JSON.parse(draftBody('k6-x-u3', 3, 0, 1700000000123));
  assert.equal(body.drafts[0].updatedAt, 1700000000123);
  assert.equal(body.drafts[0].id, 'k6-x-u3-d3');
  const event = JSON.stringify({ type: 'DRAFT_UPDATED', seq: 7, payload: { draftId: 'x', draft: body.drafts[0] } });
  assert.deepEqual(parseEvent(event), { type: 'DRAFT_UPDATED', key: 1700000000123, seq: 7 });
  assert.equal(parseEvent('pong'), null);
  assert.equal(parseEvent('{not json'), null);
  assert.equal(parseEvent('{"type":"RESYNC_REQUIRED","payload":{}}'), null);
  assert.equal(seqGap(null, 5), 0);
  assert.equal(seqGap(5, 6), 0);
  assert.equal(seqGap(5, 9), 3);
});

test('WebSocket URLs carry the token, the device and the resume point', () => {
  assert.equal(wsUrl('http://localhost:3000/', 'a.b.c', 1, null),
    'ws://localhost:3000/ws/realtime?token=a.b.c&deviceId=dev1');
  assert.equal(wsUrl('http://h:1', 't', 0, 42), 'ws://h:1/ws/realtime?token=t&deviceId=dev0&lastSeq=42');
});

test('the text summary marks thresholds', () => {
  const text = textSummary({
    metrics: {
      ws_e2e_latency: { type: 'trend', values: { avg: 1, min: 0.5, med: 1, max: 3, 'p(95)': 2 }, thresholds: { 'p(95)<100': { ok: true } } },
      ws_msgs_lost: { type: 'counter', values: { count: 2, rate: 0.1 }, thresholds: { 'count==0': { ok: false } } },
    },
  });
  assert.match(text, /✓ ws_e2e_latency\.+: avg=1\.00ms/);
  assert.match(text, /✗ ws_msgs_lost\.+: 2 0\.1\/s/);
});
