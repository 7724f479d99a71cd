// Pure helpers shared by the k6 scripts and unit-tested under Node (load-tests/test/): the
// scenario files → k6 options, HS256 tokens, write bodies, event matching, a text summary.
// Nothing here imports k6 or Node: the HMAC is passed in (k6/crypto in k6, node:crypto in
// the tests), so the same code runs in both.

// DESIGN §5 names → the scenario files archibald-load reads too.
export const scenarioFiles = {
  load: 'tiers',
  small: 'tiers',
  medium: 'tiers',
  large: 'scale',
  scale: 'scale',
  spike: 'spike',
  soak: 'soak',
  breakpoint: 'breakpoint',
};

// The plan's bars: load runs must meet them; stress runs report against relaxed ones.
export const loadThresholds = {
  ws_e2e_latency: ['p(95)<100', 'p(99)<150'],
  ws_connection_success: ['rate>0.99'],
  ws_connecting: ['p(95)<1000'],
  ws_msgs_lost: ['count==0'],
  checks: ['rate>0.99'],
};
export const stressThresholds = {
  ws_e2e_latency: ['p(95)<500'],
  ws_connection_success: ['rate>0.95'],
  checks: ['rate>0.95'],
};
// The metrics the k6 scripts report: scenario thresholds on any other metric are left out.
export const k6Metrics = ['ws_e2e_latency', 'ws_connecting', 'ws_connection_success',
  'ws_msgs_lost', 'ws_msgs_received', 'checks', 'http_req_duration', 'http_req_failed'];

// "1m30s", "500ms", "2h", "45" (seconds) → milliseconds; throws on anything else.
export function parseDuration(text) {
  if (typeof text === 'number') return text * 1000;
  const units = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const parts = String(text).match(/\d+(ms|s|m|h|d)/g);
  if (!parts || parts.join('') !== text) throw new Error(`bad duration '${text}'`);
  return parts.reduce((ms, p) => {
    const [, n, unit] = p.match(/(\d+)(ms|s|m|h|d)/);
    return ms + Number(n) * units[unit];
  }, 0);
}

export function formatDuration(ms) {
  return `${Math.max(0, Math.round(ms))}ms`;
}

// A scenario's user timeline as k6 stages over users (not yet VUs): [{durationMs, target}].
export function userStages(scenario) {
  if (scenario.breakpoint) {
    // k6 steps users (1 write per user per second each) until a threshold aborts the run.
    const b = scenario.breakpoint;
    const step = parseDuration(b.step || '30s');
    const stages = [];
    const levels = b.maxLevels || 20;
    for (let level = 0; level < levels; level += 1) {
      const users = scenario.users + level * (b.usersStep || scenario.users);
      stages.push({ durationMs: Math.min(5000, step / 6), target: users });
      stages.push({ durationMs: step, target: users });
    }
    return stages;
  }
  if (scenario.stages) {
    return scenario.stages.map((s) => ({ durationMs: parseDuration(s.duration), target: s.target }));
  }
  const duration = parseDuration(scenario.duration || '30s');
  return [{ durationMs: 0, target: scenario.users }, { durationMs: duration, target: scenario.users }];
}

// k6 options for a scenario: one VU per device (users × devices), ramping like the stages,
// durations multiplied by `scale`; thresholds: the kind's bars plus the scenario's own on
// metrics k6 reports (abortOnFail for breakpoint runs, judged after the first 10 s).
export function k6Options(scenario, { scale = 1, kind = 'load' } = {}) {
  const devices = scenario.devices || 2;
  const stages = userStages(scenario).map((s) => ({
    duration: formatDuration(s.durationMs * scale),
    target: s.target * devices,
  }));
  const thresholds = {};
  const add = (metric, expressions) => {
    if (!k6Metrics.includes(metric)) return;
    thresholds[metric] = Array.from(new Set([...(thresholds[metric] || []), ...expressions]));
  };
  for (const [metric, list] of Object.entries(kind === 'load' ? loadThresholds : stressThresholds)) {
    add(metric, list);
  }
  for (const [metric, list] of Object.entries(scenario.thresholds || {})) add(metric, list);
  if (scenario.breakpoint) {
    for (const [metric, list] of Object.entries(scenario.breakpoint.thresholds || {})) add(metric, list);
    for (const metric of Object.keys(thresholds)) {
      thresholds[metric] = thresholds[metric].map((t) => ({ threshold: t, abortOnFail: true, delayAbortEval: '10s' }));
    }
  }
  return {
    scenarios: {
      devices: { executor: 'ramping-vus', startVUs: 0, stages, gracefulRampDown: '10s' },
    },
    thresholds,
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)'],
  };
}

export function totalDurationMs(options) {
  return options.scenarios.devices.stages.reduce((ms, s) => ms + parseDuration(s.duration), 0);
}

// VU n (1-based) simulates device (n-1) mod devices of user floor((n-1) / devices).
export function deviceOf(vu, devices) {
  return { user: Math.floor((vu - 1) / devices), device: (vu - 1) % devices };
}

// The write period of one user, in ms (scenario writePeriod; breakpoint: one per second).
export function writePeriodMs(scenario) {
  if (scenario.breakpoint) return 1000;
  return parseDuration(scenario.writePeriod || '1s');
}

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// base64url without padding of a string's UTF-8 bytes.
export function base64UrlEncode(text) {
  const bytes = [];
  for (const ch of String(text)) {
    const c = ch.codePointAt(0);
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
    out += base64Alphabet[(n >> 18) & 63] + base64Alphabet[(n >> 12) & 63];
    if (i + 1 < bytes.length) out += base64Alphabet[(n >> 6) & 63];
    if (i + 2 < bytes.length) out += base64Alphabet[n & 63];
  }
  return out;
}

// An HS256 JWT. hmacBase64Url(secret, data) → the base64url (unpadded) HMAC-SHA256.
export function signToken(claims, secret, hmacBase64Url) {
  const input = `${base64UrlEncode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64UrlEncode(JSON.stringify(claims))}`;
  return `${input}.${hmacBase64Url(secret, input)}`;
}

export function deviceClaims(userId, device, nowSeconds, ttlSeconds) {
  return {
    userId,
    username: userId,
    role: 'agent',
    deviceId: `dev${device}`,
    iat: nowSeconds,
    exp: nowSeconds + ttlSeconds,
  };
}

export function wsUrl(baseUrl, token, device, lastSeq) {
  const base = baseUrl.replace(/^http/, 'ws').replace(/\/$/, '');
  let url = `${base}/ws/realtime?token=${encodeURIComponent(token)}&deviceId=dev${device}`;
  if (lastSeq !== null && lastSeq !== undefined) url += `&lastSeq=${lastSeq}`;
  return url;
}

// The REST write archibald-load makes: one of five drafts per user; updatedAt is the key.
export function draftBody(userId, userIndex, device, key) {
  return JSON.stringify({
    drafts: [{
      id: `${userId}-d${key % 5}`,
      customerId: `C-${userIndex}`,
      customerName: `Load customer ${userIndex}`,
      items: [{ productId: 'P-0', quantity: 1 }],
      updatedAt: key,
      deviceId: `dev${device}`,
    }],
  });
}

// A received frame → {type, key, seq} for a load write's event; null for anything else.
export function parseEvent(text) {
  if (typeof text !== 'string' || text === 'pong') return null;
  let message;
  try {
    message = JSON.parse(text);
  } catch (e) {
    return null;
  }
  const payload = message && message.payload;
  if (!payload || typeof payload !== 'object') return null;
  const source = payload.draft && typeof payload.draft === 'object' ? payload.draft : payload;
  if (typeof source.updatedAt !== 'number') return null;
  return { type: message.type, key: source.updatedAt, seq: typeof message.seq === 'number' ? message.seq : null };
}

// Seq numbers a device skipped between two events (0 for the first or without seq).
export function seqGap(lastSeq, seq) {
  if (seq === null || lastSeq === null || seq <= lastSeq + 1) return 0;
  return seq - lastSeq - 1;
}

// A k6-style text summary of handleSummary's data (k6-summary is a remote module; this
// keeps the scripts to k6's built-in modules).
export function textSummary(data) {
  const lines = [''];
  const metrics = data.metrics || {};
  for (const name of Object.keys(metrics).sort()) {
    const m = metrics[name];
    const v = m.values || {};
    let shown;
    if (m.type === 'trend') {
      shown = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)']
        .filter((k) => k in v).map((k) => `${k}=${Number(v[k]).toFixed(2)}ms`).join(' ');
    } else if (m.type === 'rate') {
      shown = `${(100 * v.rate).toFixed(2)}% ✓ ${v.passes} ✗ ${v.fails}`;
    } else if (m.type === 'counter') {
      shown = `${v.count} ${Number(v.rate).toFixed(1)}/s`;
    } else {
      shown = `${v.value} min=${v.min} max=${v.max}`;
    }
    let mark = ' ';
    if (m.thresholds) mark = Object.values(m.thresholds).every((t) => t.ok) ? '✓' : '✗';
    lines.push(`  ${mark} ${name.padEnd(32, '.')}: ${shown}`);
  }
  return `${lines.join('\n')}\n`;
}
