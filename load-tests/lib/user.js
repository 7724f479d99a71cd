// One k6 VU = one user with all its devices (k6/experimental/websockets: several sockets on the
// VU's event loop), measured as archibald-load measures (src/load/driver/shard.cpp):
// - a device's connection succeeds when the server answers its first "ping" (or sends anything);
//   a socket the server closes before that (1008 bad token, 1013 per-user limit …) or that never
//   opens is a failed connection, recorded at that moment;
// - the user writes a draft over REST once per write period at a golden-ratio phase of the
//   period (open loop: the writes are asynchronous, so a slow server cannot hold the next one
//   back, and they are spread over the period);
// - e2e latency runs from the write's send to its event's arrival on a device other than the
//   writer's. Not from the intended time, as archibald-load measures: k6's timers fire late
//   (here ~1 ms at the median, ~10 ms at p99 — write_send_lag shows it), and that lateness is
//   the generator's, not the server's;
// - loss is counted against acknowledged writes: a delivery expected on an attached device and
//   missing `deliveryTimeout` after the write left (or at the end of the drain) is lost; a
//   second copy of an event on one device is a duplicate;
// - a dropped device reconnects with backoff and full jitter, resuming after the last seq it saw.
import { WebSocket } from 'k6/experimental/websockets';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'k6/experimental/timers';
import http from 'k6/http';
import crypto from 'k6/crypto';
import exec from 'k6/execution';
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { DeliveryLedger } from './ledger.js';
import { backoffMs, k6Options, levelAt, runPlan, sessionEndMs, totalMs, writePhase } from './options.js';
import {
  authMessage, closeCodeOf, deviceClaims, draftBody, parseEvent, signToken, writeAcknowledged, wsUrl,
} from './protocol.js';
import { textSummary } from './summary.js';

// ws_connecting, ws_msgs_received, ws_msgs_sent, ws_sessions are k6 built-ins.
const metric = {
  e2e: new Trend('ws_e2e_latency', true),
  sendLag: new Trend('write_send_lag', true),
  samples: new Counter('ws_e2e_samples'),
  success: new Rate('ws_connection_success'),
  refused: new Counter('ws_connections_refused'),
  deliveries: new Counter('ws_deliveries'),
  lost: new Counter('ws_msgs_lost'),
  duplicated: new Counter('ws_msgs_duplicated'),
  seqGaps: new Counter('ws_seq_gaps'),
};
const hmac = (secret, data) => crypto.hmac('sha256', secret, data, 'base64rawurl');

// Per VU, across its sessions (iterations): the ledger (with each device's last seq, to resume
// gap-free), what of its totals was reported, the last write key, which devices were connected.
let vu = null;

function envNumber(name, fallback) {
  if (__ENV[name] === undefined || __ENV[name] === '') return fallback;
  const value = Number(__ENV[name]);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, not '${__ENV[name]}'`);
  return value;
}

// AUTH=url (default: the token in the WebSocket URL, as the original clients) or AUTH=message
// (a first {"type":"AUTH"} message, for servers with ALLOW_TOKEN_IN_URL=false) → by message?
function authMode(value) {
  if (value === undefined || value === '' || value === 'url') return false;
  if (value === 'message') return true;
  throw new Error(`AUTH must be url or message, not '${value}'`);
}

// What all VUs share, made once by setup(): every VU runs its own init code.
function runInfo() {
  return { runId: __ENV.RUN_ID || `k6-${Date.now().toString(36)}`, startedAt: Date.now() };
}

// The ledger's totals since the last report, into the counters of the same names.
function reportLedger() {
  for (const field of Object.keys(vu.reported)) {
    const delta = vu.ledger.totals[field] - vu.reported[field];
    if (delta > 0) metric[field].add(delta);
    vu.reported[field] = vu.ledger.totals[field];
  }
}

function runUser({ plan, baseUrl, secret, authByMessage }, run) {
  const rank = exec.vu.idInTest - 1;
  const userId = `${run.runId}-u${rank}`;
  if (!vu) {
    vu = {
      ledger: new DeliveryLedger(plan.devices),
      reported: { deliveries: 0, lost: 0, duplicated: 0, seqGaps: 0 },
      lastKey: 0,
      devices: Array.from({ length: plan.devices }, () => ({ attachedBefore: false })),
    };
  }
  const { ledger } = vu;
  const elapsed = (at = Date.now()) => at - run.startedAt;
  const levelTags = (at) => (plan.levels.length ? { level: String(levelAt(plan.levels, elapsed(at))) } : {});
  // The session lasts until k6 would stop this VU (at most 300 s, at least 1 s: a VU never spins).
  const now = Date.now();
  const endAt = run.startedAt + Math.max(elapsed(now) + 1000,
    Math.min(sessionEndMs(plan.stages, rank, elapsed(now)), elapsed(now) + 300000));
  const ttl = Math.ceil((totalMs(plan.stages) + plan.drainMs) / 1000) + 3600;
  const tokens = vu.devices.map((_, d) => signToken(
    deviceClaims(userId, d, Math.floor(now / 1000), ttl), secret, hmac));
  let ending = false;

  const devices = vu.devices.map((state, d) => ({ state, d, ws: null, accepted: false, failures: 0, error: null, retry: null }));

  function connect(dev) {
    const { d, state } = dev;
    // k6 0.48's compiler predates `??`.
    const seen = ledger.lastSeq(d);
    const resumeFrom = state.attachedBefore ? (seen === null ? 0 : seen) : null;
    const ws = new WebSocket(wsUrl(baseUrl, authByMessage ? null : tokens[d], d, resumeFrom));
    Object.assign(dev, { ws, accepted: false, error: null, retry: null });
    ws.onopen = () => {
      if (authByMessage) ws.send(authMessage(tokens[d]));
      ws.send('ping');
    };
    ws.onerror = (e) => { dev.error = e.error; };
    ws.onmessage = (e) => {
      const at = Date.now();
      if (!dev.accepted) {
        dev.accepted = true;
        dev.failures = 0;
        state.attachedBefore = true;
        ledger.attach(d);
        metric.success.add(true, levelTags(at));
      }
      const event = parseEvent(e.data);
      if (!event) return;
      const latency = ledger.received(d, event.key, event.seq, at);
      if (latency === null) return;
      metric.e2e.add(latency.sent, levelTags(at - latency.intended));
      metric.samples.add(1);
    };
    ws.onclose = () => {
      dev.ws = null;
      if (ending) return;  // closed by the end of the session
      if (!dev.accepted) {
        metric.success.add(false, levelTags(Date.now()));
        metric.refused.add(1);
      }
      // Refused for its token (1008 before any message): it stays refused for this session.
      if (!dev.accepted && closeCodeOf(dev.error) === 1008) return;
      dev.failures += 1;
      dev.retry = setTimeout(() => connect(dev), backoffMs(dev.failures, Math.random()));
    };
  }

  function write(intended) {
    const key = Math.max(intended, vu.lastKey + 1);
    vu.lastKey = key;
    const sent = Date.now();
    metric.sendLag.add(sent - intended);
    ledger.writeSent(key, intended, sent, 0);
    const tags = levelTags(intended);
    const settle = (ok) => {
      check(ok, { 'write acknowledged': (x) => x }, tags);
      if (!ok) ledger.writeFailed(key);
    };
    http.asyncRequest('POST', `${baseUrl}/api/sync/draft-orders`, draftBody(userId, rank, 0, key), {
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens[0]}` },
      tags: { name: 'POST /api/sync/draft-orders' },
    }).then((r) => settle(writeAcknowledged(r.status, r.body)), () => settle(false));
  }

  let writeTimer = null;
  let next = now + Math.round(writePhase(rank) * plan.periodMs);
  function scheduleWrite() {
    if (!plan.writes || next >= endAt) return;
    writeTimer = setTimeout(() => {
      write(next);
      next += plan.periodMs;
      scheduleWrite();
    }, Math.max(0, next - Date.now()));
  }

  const expiry = setInterval(() => {
    ledger.expire(Date.now(), plan.deliveryTimeoutMs);
    reportLedger();
  }, 1000);
  const pings = plan.pingMs > 0 ? setInterval(() => {
    for (const dev of devices) if (dev.ws && dev.accepted) dev.ws.send('ping');
  }, plan.pingMs) : null;

  // The end: no more writes; wait (at most the drain) for what is in flight, then settle it.
  function finish() {
    clearTimeout(writeTimer);
    const drainEnd = Date.now() + plan.drainMs;
    const drain = () => {
      if (ledger.incomplete() > 0 && Date.now() < drainEnd) {
        setTimeout(drain, 50);
        return;
      }
      ending = true;
      ledger.expireAll();
      reportLedger();
      clearInterval(expiry);
      if (pings) clearInterval(pings);
      for (const dev of devices) {
        if (dev.retry) clearTimeout(dev.retry);
        if (dev.ws) dev.ws.close();
      }
    };
    drain();
  }

  devices.forEach(connect);
  scheduleWrite();
  setTimeout(finish, Math.max(0, endAt - Date.now()));
}

function summaryFiles(data, plan, name) {
  const out = __ENV.SUMMARY_JSON || `results/k6-${name}-summary.json`;
  return {
    stdout: textSummary(data, plan.levels),
    [out]: JSON.stringify(Object.assign({}, data, { levels: plan.levels }), null, 2),
  };
}

// What an entry script exports, from its scenario file's text (read with open() by the entry
// script itself: open() paths are relative to the module that calls it).
//   SCALE multiplies durations, USERS_SCALE users (as archibald-load's --scale, --users-scale).
export function k6Script(scenarioText, summaryName) {
  const plan = runPlan(JSON.parse(scenarioText),
    { scale: envNumber('SCALE', 1), usersScale: envNumber('USERS_SCALE', 1) });
  const config = {
    plan,
    baseUrl: (__ENV.BASE_URL || 'http://localhost:3000').replace(/\/$/, ''),
    secret: __ENV.JWT_SECRET || 'dev-secret-key-change-in-production',
    authByMessage: authMode(__ENV.AUTH),
  };
  return {
    options: k6Options(plan),
    setup: runInfo,
    run: (run) => runUser(config, run),
    handleSummary: (data) => summaryFiles(data, plan, summaryName),
  };
}
