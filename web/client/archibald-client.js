// The browser client of archibald-realtime: one WebSocket per device, authenticated by its first
// message ({"type":"AUTH"}: the token stays out of URLs and logs) and refreshed in band before the
// token expires (an async getToken()), reconnected with exponential backoff and full jitter,
// resumed gap-free with `lastSeq`, RESYNC_REQUIRED handled by re-pulling over REST, an app-level
// `ping` every 25 s for the round trip, subscriptions by event type and REST helpers for the two
// synced collections. An ES module with no build step; the browser's WebSocket, fetch and timers
// by default, injectable for tests (Node).

/** @typedef {'idle'|'connecting'|'open'|'reconnecting'|'closed'} ConnectionState */
/**
 * @typedef {object} ServerEvent
 * @property {string} type      e.g. DRAFT_CREATED, DRAFT_UPDATED, DRAFT_DELETED, PENDING_…
 * @property {any} payload
 * @property {string} [timestamp]
 * @property {number} [seq]     per-user, strictly increasing, on durable events
 */
/**
 * @typedef {object} ClientOptions
 * @property {string} [baseUrl]        http(s) origin of the server; default: the page's origin
 * @property {string} [token]          the device's JWT (or getToken)
 * @property {() => Promise<string>|string} [getToken]  a fresh JWT: asked at every connect and
 *                                     before the current one expires (in-band refresh)
 * @property {'message'|'url'} [auth]  how the socket authenticates: its first message (default),
 *                                     or ?token= for servers older than the AUTH message
 * @property {string} [deviceId]
 * @property {Storage} [storage]       keeps lastSeq across page loads (e.g. localStorage)
 * @property {string} [storageKey]     default: archibald.lastSeq.<deviceId>
 * @property {typeof WebSocket} [WebSocket]
 * @property {typeof fetch} [fetch]
 * @property {() => number} [random]  in [0, 1), for the jitter
 * @property {{setTimeout: Function, clearTimeout: Function, setInterval: Function, clearInterval: Function}} [timers]
 * @property {() => number} [now]      milliseconds, for the round trip
 */

export const PING_INTERVAL_MS = 25_000;
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;
export const REFRESH_MARGIN_MS = 60_000; // refresh this long before exp (half the life if shorter)

/**
 * When to refresh a token that expires at `expSeconds`: REFRESH_MARGIN_MS before, or halfway
 * there when less is left; null for a token without expiry.
 * @param {number} expSeconds
 * @param {number} nowMs
 */
export function refreshDelay(expSeconds, nowMs) {
  if (!expSeconds) return null;
  const left = expSeconds * 1000 - nowMs;
  return Math.max(0, Math.floor(left > 2 * REFRESH_MARGIN_MS ? left - REFRESH_MARGIN_MS : left / 2));
}

/**
 * Full jitter: a uniform delay in [0, min(cap, base · 2^attempt)).
 * @param {number} attempt 0 for the first retry
 * @param {() => number} [random]
 */
export function backoffDelay(attempt, random = Math.random, baseMs = BACKOFF_BASE_MS, capMs = BACKOFF_CAP_MS) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/**
 * The WebSocket URL for a base http(s) URL; the token only when given (auth: 'url').
 * @param {string} baseUrl
 * @param {{token?: string, deviceId?: string, lastSeq?: number|null}} params
 */
export function websocketUrl(baseUrl, { token, deviceId, lastSeq }) {
  const url = new URL('/ws/realtime', baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) url.searchParams.set('token', token);
  if (deviceId) url.searchParams.set('deviceId', deviceId);
  if (lastSeq !== null && lastSeq !== undefined) url.searchParams.set('lastSeq', String(lastSeq));
  return url.toString();
}

/**
 * A frame as the client sees it: 'pong', an event, or nothing usable.
 * @param {unknown} data
 * @returns {{kind: 'pong'} | {kind: 'event', event: ServerEvent} | {kind: 'ignored'}}
 */
export function parseFrame(data) {
  if (data === 'pong') return { kind: 'pong' };
  if (typeof data !== 'string') return { kind: 'ignored' };
  try {
    const event = JSON.parse(data);
    if (event && typeof event === 'object' && typeof event.type === 'string') return { kind: 'event', event };
  } catch {
    // not JSON: ignored, like the server ignores what it does not understand
  }
  return { kind: 'ignored' };
}

const collections = { drafts: ['draft-orders', 'drafts'], pending: ['pending-orders', 'orders'] };

export class ArchibaldClient {
  /** @param {ClientOptions} options */
  constructor(options) {
    if (!options || !(options.token || options.getToken)) throw new Error('ArchibaldClient needs a token or getToken');
    this.baseUrl = options.baseUrl || globalThis.location?.origin || 'http://localhost:3000';
    this.token = options.token;
    this.getToken = options.getToken;
    this.auth = options.auth || 'message';
    this.deviceId = options.deviceId;
    this.storage = options.storage;
    this.storageKey = options.storageKey || `archibald.lastSeq.${options.deviceId || 'default'}`;
    this.WebSocket = options.WebSocket || globalThis.WebSocket;
    this.fetch = options.fetch || globalThis.fetch.bind(globalThis);
    this.random = options.random || Math.random;
    this.timers = options.timers || globalThis;
    this.now = options.now || (() => Date.now());
    /** @type {ConnectionState} */
    this.state = 'idle';
    /** @type {number|null} */
    this.lastSeq = this.#loadSeq();
    /** @type {number|null} the last app-level ping's round trip, ms */
    this.latencyMs = null;
    this.reconnects = 0;
    this.#handlers = new Map();
    this.drafts = this.#collection('drafts');
    this.pending = this.#collection('pending');
  }

  #handlers;
  #socket = null;
  #attempt = 0;
  #retryTimer = null;
  #pingTimer = null;
  #pingSentAt = null;
  #refreshTimer = null;

  /**
   * Subscribes to an event type ('DRAFT_CREATED', … or '*' for every event), or to 'state',
   * 'latency', 'resync', 'auth' (AUTH_OK's payload), 'error'. Returns the unsubscribe function.
   * @param {string} type
   * @param {(value: any) => void} handler
   */
  on(type, handler) {
    if (!this.#handlers.has(type)) this.#handlers.set(type, new Set());
    this.#handlers.get(type).add(handler);
    return () => this.#handlers.get(type)?.delete(handler);
  }

  connect() {
    if (this.state === 'connecting' || this.state === 'open') return;
    this.timers.clearTimeout(this.#retryTimer); // connecting now: the pending retry is moot
    this.#retryTimer = null;
    this.#setState(this.#attempt === 0 ? 'connecting' : 'reconnecting');
    if (!this.getToken) {
      this.#open();
      return;
    }
    Promise.resolve(this.getToken()).then((token) => {
      this.token = token;
      if (this.state === 'connecting' || this.state === 'reconnecting') this.#open();
    }, (error) => {
      this.#emit('error', error);
      if (this.state !== 'closed') this.#scheduleReconnect();
    });
  }

  #open() {
    const byUrl = this.auth === 'url';
    const socket = new this.WebSocket(websocketUrl(this.baseUrl, {
      token: byUrl ? this.token : undefined, deviceId: this.deviceId, lastSeq: this.lastSeq,
    }));
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      if (byUrl) this.#authenticated();
      else socket.send(JSON.stringify({ type: 'AUTH', token: this.token }));
    };
    socket.onmessage = (message) => {
      if (this.#socket === socket) this.#receive(message.data);
    };
    socket.onclose = (close) => {
      if (this.#socket !== socket) return;
      this.#drop();
      // 1008: the token is refused; retrying with the same one cannot help. An expired one is
      // worth a retry when getToken can give a new one.
      const expired = close?.code === 1008 && close?.reason === 'Token expired' && this.getToken;
      if (this.state === 'closed' || (close?.code === 1008 && !expired)) {
        this.#setState('closed');
        if (close?.code === 1008) this.#emit('error', new Error(`refused: ${close.reason || 'policy'}`));
        return;
      }
      this.#scheduleReconnect();
    };
    socket.onerror = () => {}; // a close follows
  }

  // The socket is live and authenticated: AUTH_OK (or open, with the token in the URL).
  #authenticated() {
    if (this.state === 'open') return;
    if (this.#attempt > 0) this.reconnects += 1;
    this.#attempt = 0;
    this.#setState('open');
    this.#pingTimer = this.timers.setInterval(() => this.ping(), PING_INTERVAL_MS);
  }

  // AUTH_OK {exp}: the connection's token is good until exp; with getToken, refresh before.
  #onAuthOk(payload) {
    this.#authenticated();
    this.timers.clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
    const delay = this.getToken ? refreshDelay(payload?.exp, this.now()) : null;
    if (delay === null) return;
    const socket = this.#socket;
    this.#refreshTimer = this.timers.setTimeout(async () => {
      this.#refreshTimer = null;
      try {
        const token = await this.getToken();
        this.token = token;
        if (this.#socket === socket && this.state === 'open') socket.send(JSON.stringify({ type: 'AUTH', token }));
      } catch (error) {
        this.#emit('error', error);
      }
    }, delay);
  }

  close() {
    this.#setState('closed');
    this.timers.clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    this.#drop();
    socket?.close(1000, 'client closed');
  }

  /** Sends the app-level text ping; the 'pong' sets latencyMs. */
  ping() {
    if (this.state !== 'open') return;
    this.#pingSentAt = this.now();
    this.#socket.send('ping');
  }

  #receive(data) {
    const frame = parseFrame(data);
    if (frame.kind === 'pong') {
      if (this.#pingSentAt !== null) {
        this.latencyMs = this.now() - this.#pingSentAt;
        this.#pingSentAt = null;
        this.#emit('latency', this.latencyMs);
      }
      return;
    }
    if (frame.kind !== 'event') return;
    const { event } = frame;
    if (event.type === 'AUTH_OK') {
      this.#onAuthOk(event.payload);
      this.#emit('auth', event.payload);
      return;
    }
    if (event.type === 'RESYNC_REQUIRED') {
      this.#resync(event.payload || {});
      return;
    }
    if (typeof event.seq === 'number') {
      if (this.lastSeq !== null && event.seq <= this.lastSeq) return; // already delivered
      this.#saveSeq(event.seq);
    }
    this.#emit(event.type, event);
    this.#emit('*', event);
  }

  // The log no longer holds what this device missed: take the state from REST and go on from
  // the newest seq the server had issued.
  async #resync(payload) {
    if (typeof payload.latestSeq === 'number') this.#saveSeq(payload.latestSeq);
    try {
      const [drafts, pending] = await Promise.all([this.drafts.list(), this.pending.list()]);
      this.#emit('resync', { drafts, pending, payload });
    } catch (error) {
      this.#emit('error', error);
    }
  }

  #scheduleReconnect() {
    const delay = backoffDelay(this.#attempt, this.random);
    this.#attempt += 1;
    this.#setState('reconnecting');
    this.#retryTimer = this.timers.setTimeout(() => {
      this.#retryTimer = null;
      this.connect();
    }, delay);
  }

  #drop() {
    this.timers.clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    this.timers.clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
    this.#pingSentAt = null;
    if (this.#socket) {
      this.#socket.onopen = this.#socket.onmessage = this.#socket.onclose = null;
      this.#socket = null;
    }
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.#emit('state', state);
  }

  #emit(type, value) {
    for (const handler of this.#handlers.get(type) || []) {
      try {
        handler(value);
      } catch (error) {
        if (type !== 'error') this.#emit('error', error);
      }
    }
  }

  #loadSeq() {
    const stored = Number.parseInt(this.storage?.getItem(this.storageKey) ?? '', 10);
    return Number.isFinite(stored) && stored >= 0 ? stored : null;
  }

  #saveSeq(seq) {
    this.lastSeq = seq;
    this.storage?.setItem(this.storageKey, String(seq));
  }

  // REST helpers of one collection: list([updatedAfter]), save(records), remove(id).
  #collection(name) {
    const [path, key] = collections[name];
    const request = async (method, suffix, body) => {
      const response = await this.fetch(new URL(`/api/sync/${path}${suffix}`, this.baseUrl), {
        method,
        headers: { Authorization: `Bearer ${this.token ?? (this.token = await this.getToken())}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(json.error || `HTTP ${response.status}`);
      return json;
    };
    return {
      list: async (updatedAfter) => (await request('GET', updatedAfter ? `?updatedAfter=${updatedAfter}` : ''))[key] ?? [],
      save: async (records) => (await request('POST', '', { [key]: records })).results,
      remove: async (id) => request('DELETE',
        `/${encodeURIComponent(id)}${this.deviceId ? `?deviceId=${encodeURIComponent(this.deviceId)}` : ''}`),
    };
  }
}
