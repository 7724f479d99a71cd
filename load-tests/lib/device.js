// One k6 VU = one device of one user (lib/archibald.js deviceOf): it connects with its own
// HS256 token, device 0 of each user writes a draft over REST every write period, and every
// other device records the time from the write (its updatedAt, the writer's clock — the same
// machine) until the event arrives: ws_e2e_latency, as archibald-load measures it. Seq gaps
// are lost events; a dropped session resumes with lastSeq.
import ws from 'k6/ws';
import http from 'k6/http';
import crypto from 'k6/crypto';
import exec from 'k6/execution';
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import {
  deviceClaims, deviceOf, draftBody, k6Options, parseEvent, seqGap, signToken, textSummary,
  totalDurationMs, writePeriodMs, wsUrl,
} from './archibald.js';

// ws_connecting, ws_msgs_received and ws_msgs_sent are k6/ws built-ins: not redefined here.
const e2eLatency = new Trend('ws_e2e_latency', true);
const connectionSuccess = new Rate('ws_connection_success');
const lost = new Counter('ws_msgs_lost');

const hmac = (secret, data) => crypto.hmac('sha256', secret, data, 'base64rawurl');

// Per VU, across iterations: the last seq seen (to resume gap-free), whether it connected
// before, and the last write key.
let lastSeq = null;
let connectedBefore = false;
let lastKey = 0;

// What every VU needs, from the environment: BASE_URL, JWT_SECRET.
export function deviceConfig(scenario, options) {
  return {
    baseUrl: (__ENV.BASE_URL || 'http://localhost:3000').replace(/\/$/, ''),
    secret: __ENV.JWT_SECRET || 'dev-secret-key-change-in-production',
    devices: scenario.devices || 2,
    periodMs: writePeriodMs(scenario),
    totalMs: totalDurationMs(options),
  };
}

// What all VUs share, made once by the scripts' setup(): every VU runs its own init code, so
// a run id made there would differ between the devices of one user.
export function runInfo() {
  return { runId: __ENV.RUN_ID || `k6-${Date.now().toString(36)}`, startedAt: Date.now() };
}

export function runDevice(config, run) {
  const { baseUrl, secret, devices, periodMs, totalMs } = config;
  const { runId, startedAt } = run;
  const { user, device } = deviceOf(exec.vu.idInTest, devices);
  const userId = `${runId}-u${user}`;
  const now = Math.floor(Date.now() / 1000);
  const token = signToken(deviceClaims(userId, device, now, Math.ceil(totalMs / 1000) + 3600),
    secret, hmac);
  const remainingMs = Math.max(1000, totalMs - (Date.now() - startedAt));
  // A device that was connected resumes after the last event it saw — from 0 if it saw none.
  let resumeFrom = null;
  if (connectedBefore) resumeFrom = lastSeq === null ? 0 : lastSeq;
  const res = ws.connect(wsUrl(baseUrl, token, device, resumeFrom), {}, (socket) => {
    socket.on('open', () => {
      connectedBefore = true;
      if (device === 0) {
        socket.setInterval(() => {
          lastKey = Math.max(Date.now(), lastKey + 1);
          const r = http.post(`${baseUrl}/api/sync/draft-orders`,
            draftBody(userId, user, device, lastKey),
            { headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } });
          check(r, { 'write accepted': (x) => x.status === 200 });
        }, periodMs);
      }
    });
    socket.on('message', (text) => {
      const event = parseEvent(text);
      if (!event) return;
      lost.add(seqGap(lastSeq, event.seq));
      if (event.seq !== null && (lastSeq === null || event.seq > lastSeq)) lastSeq = event.seq;
      if (device !== 0 || devices === 1) e2eLatency.add(Date.now() - event.key);
    });
    socket.setTimeout(() => socket.close(), Math.min(remainingMs, 300000));
  });
  const ok = Boolean(res) && res.status === 101;
  connectionSuccess.add(ok);
  check(res, { 'WebSocket upgraded (101)': () => ok });
}

export function summaryFiles(data, name) {
  const out = __ENV.SUMMARY_JSON || `results/${name}-summary.json`;
  return { stdout: textSummary(data), [out]: JSON.stringify(data, null, 2) };
}

// What an entry script exports, from its scenario file's text (read with open() by the entry
// script itself: open() paths are relative to the module that calls it): k6 options, setup(),
// the VU function and handleSummary (JSON + text summary to `summary`).
export function k6Script(scenarioText, { kind, summary }) {
  const scenario = JSON.parse(scenarioText);
  const options = k6Options(scenario, { scale: Number(__ENV.SCALE || 1), kind });
  const config = deviceConfig(scenario, options);
  return {
    options,
    setup: () => runInfo(),
    run: (run) => runDevice(config, run),
    handleSummary: (data) => summaryFiles(data, summary),
  };
}
