// Unit tests of the browser client with a fake WebSocket, fetch and timers: node --test web/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArchibaldClient, BACKOFF_CAP_MS, PING_INTERVAL_MS, REFRESH_MARGIN_MS, backoffDelay, parseFrame,
  refreshDelay, websocketUrl,
} from '../client/archibald-client.js';

class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.sent = [];
    this.closed = null;
    FakeSocket.all.push(this);
  }
  send(data) { this.sent.push(data); }
  close(code, reason) { this.closed = { code, reason }; }
  // the server's side
  open() { this.onopen?.(); }
  receive(data) { this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) }); }
  drop(code = 1006, reason = '') { this.onclose?.({ code, reason }); }
  // opens and answers the client's AUTH message
  authenticate(exp = 0) { this.open(); this.receive({ type: 'AUTH_OK', payload: { exp } }); }
}

function fakeTimers() {
  const pending = [];
  let id = 0;
  return {
    pending,
    setTimeout: (fn, ms) => { pending.push({ id: ++id, fn, ms, repeat: false }); return id; },
    setInterval: (fn, ms) => { pending.push({ id: ++id, fn, ms, repeat: true }); return id; },
    clearTimeout: (t) => { const i = pending.findIndex((p) => p.id === t); if (i >= 0) pending.splice(i, 1); },
    clearInterval: (t) => { const i = pending.findIndex((p) => p.id === t); if (i >= 0) pending.splice(i, 1); },
    runOnce(predicate) { // fires the first matching timer; a timeout is then gone
      const i = pending.findIndex(predicate);
      const t = pending[i];
      if (!t.repeat) pending.splice(i, 1);
      t.fn();
    },
  };
}

function makeClient(extra = {}) {
  FakeSocket.all = [];
  const timers = fakeTimers();
  const storage = new Map();
  const client = new ArchibaldClient({
    baseUrl: 'http://127.0.0.1:3000', token: 'tok', deviceId: 'tab-1', WebSocket: FakeSocket, timers,
    storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v) },
    random: () => 0.5, fetch: async () => ({ ok: true, json: async () => ({ drafts: [] }) }), ...extra,
  });
  return { client, timers, storage, socket: () => FakeSocket.all.at(-1) };
}

const event = (seq, type = 'DRAFT_UPDATED') => ({ type, payload: { draftId: `d${seq}` }, seq });

test('backoff is full jitter under an exponential ceiling capped at 30 s', () => {
  assert.equal(backoffDelay(0, () => 0.999), 499);
  assert.equal(backoffDelay(3, () => 0.5), 2000);
  assert.equal(backoffDelay(20, () => 0.999), BACKOFF_CAP_MS - 30);
  assert.equal(backoffDelay(1000, () => 0), 0);
});

test('the WebSocket URL carries device and lastSeq (the token only when asked); https becomes wss', () => {
  assert.equal(websocketUrl('http://h:1', { token: 'a b', deviceId: 'd', lastSeq: 0 }),
    'ws://h:1/ws/realtime?token=a+b&deviceId=d&lastSeq=0');
  assert.equal(websocketUrl('https://h/', { token: 't', lastSeq: null }), 'wss://h/ws/realtime?token=t');
  assert.equal(websocketUrl('https://h/', { deviceId: 'd', lastSeq: 3 }), 'wss://h/ws/realtime?deviceId=d&lastSeq=3');
});

test('the socket authenticates with its first message, keeping the token out of the URL', () => {
  const { client, socket } = makeClient();
  const states = [];
  client.on('state', (s) => states.push(s));
  client.connect();
  assert.doesNotMatch(socket().url, /token/);
  socket().open();
  assert.deepEqual(socket().sent.map((m) => JSON.parse(m)), [{ type: 'AUTH', token: 'tok' }]);
  assert.equal(client.state, 'connecting', 'not open before AUTH_OK');
  socket().receive({ type: 'AUTH_OK', payload: { exp: 0 } });
  assert.deepEqual(states, ['connecting', 'open']);
});

test('auth: "url" puts the token in the URL for servers without the AUTH message', () => {
  const { client, socket } = makeClient({ auth: 'url' });
  client.connect();
  assert.match(socket().url, /token=tok/);
  socket().open();
  assert.equal(client.state, 'open');
  assert.deepEqual(socket().sent, []);
});

test('refresh: REFRESH_MARGIN_MS before exp, or halfway when the token is short-lived', () => {
  assert.equal(refreshDelay(0, 0), null);
  assert.equal(refreshDelay(3600, 0), 3600_000 - REFRESH_MARGIN_MS);
  assert.equal(refreshDelay(60, 0), 30_000);
  assert.equal(refreshDelay(10, 20_000), 0, 'already expired: at once');
});

test('getToken is asked at connect and again before the token expires, sent in band', async () => {
  let now = 1_000_000;
  const issued = [];
  const getToken = async () => { issued.push(`t${issued.length + 1}`); return issued.at(-1); };
  const { client, socket, timers } = makeClient({ token: undefined, getToken, now: () => now });
  client.connect();
  await new Promise((r) => setImmediate(r));
  socket().open();
  assert.deepEqual(JSON.parse(socket().sent[0]), { type: 'AUTH', token: 't1' });
  socket().receive({ type: 'AUTH_OK', payload: { exp: now / 1000 + 600 } });
  const refresh = timers.pending.find((t) => !t.repeat);
  assert.equal(refresh.ms, 600_000 - REFRESH_MARGIN_MS);
  now += refresh.ms;
  timers.runOnce((t) => t === refresh);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(JSON.parse(socket().sent.at(-1)), { type: 'AUTH', token: 't2' });
  assert.equal(client.state, 'open');
});

test('a connection closed for an expired token reconnects with a new one from getToken', async () => {
  const getToken = async () => 'fresh';
  const { client, socket, timers } = makeClient({ token: undefined, getToken });
  client.connect();
  await new Promise((r) => setImmediate(r));
  socket().authenticate();
  socket().drop(1008, 'Token expired');
  assert.equal(client.state, 'reconnecting');
  timers.runOnce((t) => !t.repeat);
  await new Promise((r) => setImmediate(r));
  socket().open();
  assert.deepEqual(JSON.parse(socket().sent[0]), { type: 'AUTH', token: 'fresh' });
});

test('frames: pong, events, and everything else ignored', () => {
  assert.deepEqual(parseFrame('pong'), { kind: 'pong' });
  assert.equal(parseFrame('{"type":"X","seq":1}').event.seq, 1);
  for (const junk of ['{', '42', '{"payload":1}', null, new ArrayBuffer(2)]) assert.equal(parseFrame(junk).kind, 'ignored');
});

test('events reach subscribers once, in seq order, and lastSeq is kept in storage', () => {
  const { client, socket, storage } = makeClient();
  const seen = [];
  const states = [];
  client.on('state', (s) => states.push(s));
  client.on('DRAFT_UPDATED', (e) => seen.push(e.seq));
  const off = client.on('*', (e) => seen.push(`*${e.seq}`));
  client.connect();
  socket().authenticate();
  socket().receive(event(1));
  socket().receive(event(2));
  socket().receive(event(2)); // a duplicate
  off();
  socket().receive(event(3));
  socket().receive('not json');
  assert.deepEqual(seen, [1, '*1', 2, '*2', 3]);
  assert.equal(client.lastSeq, 3);
  assert.equal(storage.get('archibald.lastSeq.tab-1'), '3');
  assert.deepEqual(states, ['connecting', 'open']);
});

test('a dropped connection reconnects after the jittered delay and resumes with lastSeq', () => {
  const { client, socket, timers } = makeClient();
  const states = [];
  client.on('state', (s) => states.push(s));
  client.connect();
  socket().authenticate();
  socket().receive(event(41));
  socket().drop(1006);
  assert.equal(client.state, 'reconnecting');
  const retry = timers.pending.find((t) => !t.repeat);
  assert.equal(retry.ms, 250, 'attempt 0: random 0.5 × 500 ms');
  timers.runOnce((t) => !t.repeat);
  assert.match(socket().url, /lastSeq=41/);
  socket().drop(1006); // the server is still down
  assert.equal(timers.pending.find((t) => !t.repeat).ms, 500, 'attempt 1: 0.5 × 1000 ms');
  timers.runOnce((t) => !t.repeat);
  socket().authenticate();
  assert.equal(client.state, 'open');
  assert.equal(client.reconnects, 1);
  assert.deepEqual(states, ['connecting', 'open', 'reconnecting', 'open']);
});

test('a token the server refuses (1008) is not retried', () => {
  const { client, socket, timers } = makeClient();
  const errors = [];
  client.on('error', (e) => errors.push(e.message));
  client.connect();
  socket().authenticate();
  socket().drop(1008, 'invalid token');
  assert.equal(client.state, 'closed');
  assert.equal(timers.pending.filter((t) => !t.repeat).length, 0);
  assert.deepEqual(errors, ['refused: invalid token']);
});

test('lastSeq from storage is used on the first connect', () => {
  FakeSocket.all = [];
  const client = new ArchibaldClient({ baseUrl: 'http://h', token: 't', WebSocket: FakeSocket, timers: fakeTimers(),
    storage: { getItem: () => '17', setItem() {} }, fetch: async () => ({}) });
  client.connect();
  assert.match(FakeSocket.all[0].url, /lastSeq=17/);
});

test('the app-level ping every 25 s measures the round trip', () => {
  let now = 1000;
  const { client, socket, timers } = makeClient({ now: () => now });
  const latencies = [];
  client.on('latency', (ms) => latencies.push(ms));
  client.connect();
  socket().authenticate();
  const interval = timers.pending.find((t) => t.repeat);
  assert.equal(interval.ms, PING_INTERVAL_MS);
  interval.fn();
  assert.deepEqual(socket().sent.slice(1), ['ping']);
  now += 12;
  socket().receive('pong');
  assert.deepEqual(latencies, [12]);
  assert.equal(client.latencyMs, 12);
  client.close();
  assert.equal(timers.pending.length, 0, 'no timer left after close');
  assert.deepEqual(socket().closed, { code: 1000, reason: 'client closed' });
});

test('RESYNC_REQUIRED re-pulls both collections over REST and moves lastSeq on', async () => {
  const requests = [];
  const fetch = async (url, init) => {
    requests.push(`${init.method} ${url.pathname}`);
    const body = url.pathname.includes('pending') ? { success: true, orders: [{ id: 'p1' }] } : { success: true, drafts: [{ id: 'd1' }] };
    return { ok: true, json: async () => body };
  };
  const { client, socket } = makeClient({ fetch });
  const resynced = new Promise((resolve) => client.on('resync', resolve));
  client.connect();
  socket().authenticate();
  socket().receive({ type: 'RESYNC_REQUIRED', payload: { oldestSeq: 5000, latestSeq: 6000, requestedAfter: 41 } });
  const { drafts, pending } = await resynced;
  assert.deepEqual(drafts, [{ id: 'd1' }]);
  assert.deepEqual(pending, [{ id: 'p1' }]);
  assert.deepEqual(requests.sort(), ['GET /api/sync/draft-orders', 'GET /api/sync/pending-orders']);
  assert.equal(client.lastSeq, 6000);
});

test('REST helpers send the token and the collection\'s own body key', async () => {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: url.toString(), init });
    return { ok: init.method !== 'DELETE', status: 404, json: async () => (init.method === 'DELETE' ? { error: 'Not found' } : { results: [{ action: 'created' }] }) };
  };
  const { client } = makeClient({ fetch });
  assert.deepEqual(await client.pending.save([{ id: 'p' }]), [{ action: 'created' }]);
  assert.equal(calls[0].init.headers.Authorization, 'Bearer tok');
  assert.deepEqual(JSON.parse(calls[0].init.body), { orders: [{ id: 'p' }] });
  await assert.rejects(client.drafts.remove('a/b'), /Not found/);
  assert.equal(calls[1].url, 'http://127.0.0.1:3000/api/sync/draft-orders/a%2Fb?deviceId=tab-1');
});
