// The admin dashboard: polls /api/websocket/health with the admin token every 1.5 s and
// renders the cards, the latency badge, five-minute charts and the top users. The token comes
// from the form or the URL fragment (#token=…), lives in sessionStorage, and is only ever sent
// in the Authorization header.
import {
  chartSvg, failureMessage, formatBytes, formatMs, formatUptime, latencyState, nodeRows, record, topUsers,
} from './dashboard-model.js';
import { showMessage, takeTokenFromFragment } from '/common/page.js';

const REFRESH_MS = 1500;
const TOKEN_KEY = 'archibald.adminToken';
const $ = (id) => document.getElementById(id);
const samples = []; // the last five minutes of polls
let timer = null;

function setText(id, text) {
  $(id).textContent = text;
}

function render(health, point) {
  const s = health.stats;
  $('status').textContent = health.status;
  $('status').dataset.state = health.status;
  const state = latencyState(s.averageLatency);
  $('badge').dataset.state = state;
  $('badge').textContent = `latency ${formatMs(s.averageLatency)} ${state === 'ok' ? '≤' : '>'} 100 ms`;
  setText('connections', String(s.totalConnections));
  setText('capacity', s.connectionCapacity ? `of ${s.connectionCapacity.toLocaleString('en-US')}` : '');
  setText('active-users', String(s.activeUsers));
  setText('messages-sent', String(s.messagesSent));
  setText('sent-rate', `${point.sentPerSecond.toFixed(1)}/s`);
  setText('messages-received', String(s.messagesReceived));
  setText('received-rate', `${point.receivedPerSecond.toFixed(1)}/s`);
  setText('reconnections', String(s.reconnectionCount));
  setText('slow-consumer-closes', String(s.slowConsumerCloses ?? 0));
  setText('uptime', formatUptime(s.uptime));
  setText('memory', formatBytes(s.memoryRss));
  setText('latency-average', formatMs(s.averageLatency));
  setText('latency-percentiles', `p50 ${formatMs(s.latencyP50)} · p95 ${formatMs(s.latencyP95)} · p99 ${formatMs(s.latencyP99)}`);

  $('chart-latency').innerHTML = chartSvg(samples, { unit: ' ms', series: [
    { name: 'average', key: 'latencyAvg', color: '#2a7ab0' }, { name: 'p99', key: 'latencyP99', color: '#d9822b' }] });
  $('chart-connections').innerHTML = chartSvg(samples, { series: [{ name: 'connections', key: 'connections', color: '#2a7ab0' }] });
  $('chart-messages').innerHTML = chartSvg(samples, { unit: '/s', series: [
    { name: 'sent', key: 'sentPerSecond', color: '#2a7ab0' }, { name: 'received', key: 'receivedPerSecond', color: '#3c9d5d' }] });

  const users = topUsers(s.connectionsPerUser).map(({ userId, connections }) => tableRow([userId, String(connections)]));
  $('top-users').replaceChildren(...users);
  const nodes = nodeRows(health.cluster).map((n) =>
    tableRow([n.nodeId, n.state, n.connections, n.users, n.latencyP95, n.heartbeat]));
  $('nodes').replaceChildren(...nodes);
}

function tableRow(cells) {
  const tr = document.createElement('tr');
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text; // ids are data: never markup
    tr.append(td);
  }
  return tr;
}

async function poll() {
  timer = null;
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    $('dashboard').hidden = true;
    showMessage('Enter an admin token to see the dashboard.');
    return;
  }
  try {
    const response = await fetch('/api/websocket/health', { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
    if (!response.ok) {
      $('dashboard').hidden = true;
      $('status').textContent = 'refused';
      showMessage(failureMessage(response.status));
      if (response.status === 401 || response.status === 403) return; // wait for another token
    } else {
      const health = await response.json();
      const point = record(samples, { at: Date.now(), stats: health.stats });
      showMessage('');
      $('dashboard').hidden = false;
      render(health, point);
    }
  } catch (error) {
    $('status').textContent = 'unreachable';
    $('status').dataset.state = 'offline';
    showMessage(failureMessage(0, error.message));
  }
  timer = setTimeout(poll, REFRESH_MS);
}

function restart() {
  clearTimeout(timer);
  poll();
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  samples.length = 0;
  restart();
});
$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  restart();
});
window.addEventListener('hashchange', () => {
  if (takeTokenFromFragment(TOKEN_KEY)) samples.length = 0;
  restart();
});
takeTokenFromFragment(TOKEN_KEY);
poll();
