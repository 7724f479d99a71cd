// What the dashboard shows, computed from successive /api/websocket/health samples. Pure: no
// DOM, no network (unit-tested under Node: web/test/dashboard.test.js).

import { lineChart } from '../common/line-chart.js';

export const HISTORY_MS = 5 * 60 * 1000;
export const LATENCY_WARN_MS = 100;

/** 'ok' (green) when the average ping round trip is ≤ 100 ms, else 'warn' (orange). */
export function latencyState(averageLatencyMs) {
  return Number(averageLatencyMs) > LATENCY_WARN_MS ? 'warn' : 'ok';
}

/** Per-second rate of a counter between two samples; 0 after a restart (counter went down). */
export function ratePerSecond(previous, current, key) {
  if (!previous) return 0;
  const seconds = (current.at - previous.at) / 1000;
  const delta = current.stats[key] - previous.stats[key];
  return seconds > 0 && delta >= 0 ? delta / seconds : 0;
}

/**
 * Adds a sample {at: ms, stats} to the history and drops what is older than five minutes.
 * Returns the point the charts plot.
 */
export function record(history, sample) {
  const previous = history.length ? history[history.length - 1].sample : undefined;
  const point = {
    at: sample.at,
    sample,
    connections: sample.stats.totalConnections,
    latencyAvg: sample.stats.averageLatency,
    latencyP99: sample.stats.latencyP99,
    sentPerSecond: ratePerSecond(previous, sample, 'messagesSent'),
    receivedPerSecond: ratePerSecond(previous, sample, 'messagesReceived'),
  };
  history.push(point);
  while (history.length && history[0].at < sample.at - HISTORY_MS) history.shift();
  return point;
}

/** The users with the most connections, most first (ties by id). */
export function topUsers(connectionsPerUser, limit = 10) {
  return Object.entries(connectionsPerUser || {})
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([userId, connections]) => ({ userId, connections }));
}

/**
 * The cluster view's rows (health's `cluster`: this node first, then the other live nodes), as
 * table cells. A server without the field is a cluster of one it cannot describe: no rows.
 */
export function nodeRows(cluster) {
  return (Array.isArray(cluster) ? cluster : []).map((n) => ({
    nodeId: `${n.nodeId}${n.self ? ' (this node)' : ''}`,
    state: n.ready ? 'ready' : 'not ready',
    connections: String(n.connections ?? '–'),
    users: String(n.users ?? '–'),
    latencyP95: formatMs(n.latencyP95),
    heartbeat: n.self ? 'now' : `${((n.ageMs ?? 0) / 1000).toFixed(1)} s ago`,
  }));
}

export function formatUptime(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}

export function formatBytes(bytes) {
  if (!(bytes >= 0)) return '–';
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function formatMs(ms) {
  if (typeof ms !== 'number' || Number.isNaN(ms)) return '–';
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}

/** What to tell the user when a poll fails: a refused token or an unreachable server. */
export function failureMessage(status, error) {
  if (status === 401) return 'The token was refused (invalid or expired): enter an admin token.';
  if (status === 403) return 'This token is not an admin token: enter an admin token.';
  if (status) return `The server answered HTTP ${status}.`;
  return `The server is unreachable${error ? ` (${error})` : ''}; retrying.`;
}

/**
 * The five-minute chart of the history's series: {width, height, series: [{name, color, key}],
 * unit} → SVG markup (the shared chart of web/common/line-chart.js; names are escaped).
 */
export function chartSvg(history, { width = 320, height = 120, series, unit = '' }) {
  const now = history.length ? history[history.length - 1].at : 0;
  return lineChart({
    width,
    height,
    fluid: true,
    ticks: 5,
    xDomain: [-HISTORY_MS, 0],
    xTick: (x) => (x === 0 ? 'now' : `${Math.round(x / 60000)} min`),
    yTick: (y) => `${y >= 100 || y === 0 ? y.toFixed(0) : y.toFixed(1)}${unit}`,
    series: series.map((s) => ({
      name: s.name,
      color: s.color,
      points: history.map((p) => [p.at - now, Number(p[s.key]) || 0]),
    })),
  });
}
