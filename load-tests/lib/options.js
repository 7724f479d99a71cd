// A scenario file (the same files archibald-load reads) → a k6 run: stages of users (one VU is
// one user with all its devices), the thresholds — exactly the scenario's, the one source of
// truth for both tools —, breakpoint levels, and when a VU's session must end. Pure: unit-tested
// under Node (load-tests/test/).

// DESIGN §5 names → scenario files.
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

// The metrics the k6 scripts measure: a scenario threshold on anything else is an error (a
// threshold k6 silently ignored would be a bar nobody checks).
export const k6Metrics = ['ws_e2e_latency', 'ws_e2e_samples', 'ws_connecting',
  'ws_connection_success', 'ws_msgs_lost', 'ws_msgs_duplicated', 'checks', 'http_req_duration',
  'http_req_failed'];

// k6 cannot fail a Trend threshold for want of samples (p(95) of nothing passes); archibald-load
// does. This guard, added next to any latency threshold, makes a run without samples fail.
export const sampleGuard = { ws_e2e_samples: ['count>0'] };

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

// Users × USERS_SCALE, as archibald-load's --users-scale: rounded, never below 1 (0 stays 0).
export function scaleUsers(users, usersScale = 1) {
  if (users <= 0) return 0;
  return Math.max(1, Math.round(users * usersScale));
}

// A scenario's user timeline: [{durationMs, target, level}] (durations × scale, users ×
// usersScale; level: the breakpoint level a stage belongs to, else 0).
export function userStages(scenario, { scale = 1, usersScale = 1 } = {}) {
  const stage = (ms, users, level = 0) => ({
    durationMs: Math.round(ms), target: scaleUsers(users, usersScale), level,
  });
  if (scenario.breakpoint) {
    // k6 steps users at one write per user per second; a level is a ramp and a hold of at
    // least a second (as archibald-load's scaled step).
    const b = scenario.breakpoint;
    const step = Math.max(1000, parseDuration(b.step || '30s') * scale);
    const stages = [];
    for (let level = 0; level < (b.maxLevels || 20); level += 1) {
      const users = scenario.users + level * (b.usersStep || scenario.users);
      stages.push(stage(Math.min(5000, step / 6), users, level), stage(step, users, level));
    }
    return stages;
  }
  if (scenario.stages) {
    return scenario.stages.map((s) => stage(parseDuration(s.duration) * scale, s.target));
  }
  return [stage(0, scenario.users), stage(parseDuration(scenario.duration || '30s') * scale, scenario.users)];
}

// Breakpoint levels: [{level, users, startMs, endMs}] over the scaled stages.
export function breakpointLevels(stages) {
  const levels = [];
  let t = 0;
  for (const s of stages) {
    const last = levels[levels.length - 1];
    if (!last || last.level !== s.level) levels.push({ level: s.level, users: s.target, startMs: t, endMs: t });
    t += s.durationMs;
    levels[levels.length - 1].endMs = t;
  }
  return levels;
}

export function levelAt(levels, elapsedMs) {
  const found = levels.find((l) => elapsedMs < l.endMs);
  return found ? found.level : levels[levels.length - 1].level;
}

export function totalMs(stages) {
  return stages.reduce((ms, s) => ms + s.durationMs, 0);
}

// When k6 stops the VU of rank `rank` (0-based: it runs while the target exceeds its rank),
// at or after `elapsedMs`: the moment a ramp-down passes its rank, or the end of the stages.
export function sessionEndMs(stages, rank, elapsedMs) {
  let t0 = 0;
  let from = 0;
  for (const s of stages) {
    const t1 = t0 + s.durationMs;
    if (t1 > elapsedMs && s.target <= rank && from > rank) {
      const at = t0 + (s.durationMs * (from - rank)) / (from - s.target);
      return Math.max(elapsedMs, at);
    }
    t0 = t1;
    from = s.target;
  }
  return Math.max(elapsedMs, t0);
}

// The write period of one user, in ms (scenario writePeriod; breakpoint: one per second).
export function writePeriodMs(scenario) {
  if (scenario.breakpoint) return 1000;
  return parseDuration(scenario.writePeriod || '1s');
}

// Where in its period a user writes: the golden-ratio sequence archibald-load uses, so the
// writes of all users are spread evenly over the period instead of leaving together.
export function writePhase(user) {
  return (user * 0.6180339887498949) % 1;
}

// Reconnect delay after the n-th failure in a row (n ≥ 1): full jitter over 0.5 s·2ⁿ⁻¹,
// capped at 30 s — the browser client's rule (web/client/archibald-client.js).
export function backoffMs(failures, random) {
  const ceiling = Math.min(30000, 500 * 2 ** Math.max(0, failures - 1));
  return Math.round(random * ceiling);
}

// The run's thresholds: the scenario's own, nothing added but the sample guard; a breakpoint
// run judges each level on its own samples (tagged level) and aborts at the first failure.
export function runThresholds(scenario, levels, { scale = 1 } = {}) {
  const thresholds = {};
  const put = (key, list) => {
    const metric = key.replace(/\{.*$/, '');
    if (!k6Metrics.includes(metric)) throw new Error(`the k6 scripts do not measure '${metric}'`);
    thresholds[key] = list;
  };
  for (const [metric, list] of Object.entries(scenario.thresholds || {})) put(metric, list);
  if (scenario.breakpoint) {
    const delayAbortEval = formatDuration(Math.max(1000, 10000 * scale));
    for (const { level } of levels) {
      for (const [metric, list] of Object.entries(scenario.breakpoint.thresholds || {})) {
        put(`${metric}{level:${level}}`, list.map((threshold) => ({ threshold, abortOnFail: true, delayAbortEval })));
      }
    }
  }
  if (Object.keys(thresholds).some((k) => k.startsWith('ws_e2e_latency'))) {
    for (const [metric, list] of Object.entries(sampleGuard)) put(metric, list);
  }
  return thresholds;
}

// Everything a run needs, from a scenario and the environment's SCALE / USERS_SCALE.
export function runPlan(scenario, { scale = 1, usersScale = 1 } = {}) {
  const stages = userStages(scenario, { scale, usersScale });
  const levels = scenario.breakpoint ? breakpointLevels(stages) : [];
  const drainMs = Math.round(parseDuration(scenario.drain || '5s'));
  return {
    stages,
    levels,
    devices: scenario.devices || 2,
    periodMs: writePeriodMs(scenario),
    writes: writePeriodMs(scenario) > 0,
    pingMs: parseDuration(scenario.pingPeriod || '5s'),
    deliveryTimeoutMs: parseDuration(scenario.deliveryTimeout || '10s'),
    drainMs,
    thresholds: runThresholds(scenario, levels, { scale }),
  };
}

// k6 options of a plan: a ramping-vus scenario over users; the grace periods leave each
// session its drain.
export function k6Options(plan) {
  const grace = formatDuration(plan.drainMs + 5000);
  return {
    scenarios: {
      users: {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: plan.stages.map((s) => ({ duration: formatDuration(s.durationMs), target: s.target })),
        gracefulRampDown: grace,
        gracefulStop: grace,
      },
    },
    thresholds: plan.thresholds,
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'count'],
  };
}

// Thresholds as one line of text, the way the README states them: "metric expr" for the run,
// "each level: metric expr (aborts)" for a breakpoint's per-level ones; from k6Options or from
// `k6 inspect` alike, so a test can hold the README to what k6 really runs.
export function thresholdStatement(thresholds) {
  const parts = new Set();
  for (const [key, list] of Object.entries(thresholds)) {
    const perLevel = /\{level:\d+\}$/.test(key);
    const metric = key.replace(/\{.*$/, '');
    for (const t of list) {
      const expression = typeof t === 'string' ? t : t.threshold;
      const aborts = typeof t === 'object' && t.abortOnFail ? ' (aborts)' : '';
      parts.add(perLevel ? `each level: ${metric} ${expression}${aborts}` : `${metric} ${expression}${aborts}`);
    }
  }
  return [...parts].sort().join(' · ');
}
