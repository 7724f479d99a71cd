// The wire as the k6 scripts speak it: HS256 tokens, the WebSocket URL, the REST write
// archibald-load makes, events and acknowledgements. Nothing here imports k6 or Node: the HMAC
// is passed in (k6/crypto in k6, node:crypto in the tests), so the same code runs in both.

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

// http → ws, https → wss; token null: the connection authenticates with its first message.
export function wsUrl(baseUrl, token, device, lastSeq) {
  const base = baseUrl.replace(/^http/, 'ws').replace(/\/$/, '');
  const auth = token === null ? '' : `token=${encodeURIComponent(token)}&`;
  let url = `${base}/ws/realtime?${auth}deviceId=dev${device}`;
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

// The first message of a connection that carries no token in its URL (DESIGN: AUTH).
export function authMessage(token) {
  return JSON.stringify({ type: 'AUTH', token });
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

// A REST write's answer → whether the server committed it (and so will deliver its event):
// HTTP 200 with the draft created or updated.
export function writeAcknowledged(status, body) {
  if (status !== 200 || typeof body !== 'string') return false;
  try {
    const results = JSON.parse(body).results;
    return Array.isArray(results) && results.length === 1
      && (results[0].action === 'created' || results[0].action === 'updated');
  } catch (e) {
    return false;
  }
}

// The close code in a k6 WebSocket error ("websocket: close 1008 (policy violation): …": k6 0.48's
// experimental module reports a server's close frame only there), or null.
export function closeCodeOf(errorText) {
  const m = /\bclose (\d{4})\b/.exec(String(errorText || ''));
  return m ? Number(m[1]) : null;
}
