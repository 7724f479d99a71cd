// The k6 scripts run by a real k6 against real servers on loopback: they must pass against a
// healthy server with e2e samples, and fail the run (non-zero) with a wrong secret, with a
// per-user limit of 1, and against a server that drops every 10th event (the loss they report
// is exactly what it dropped); over wss:// with tokens sent by message, trusting a throwaway CA
// (and refused without it). `k6 inspect` shows the thresholds the README states.
// Needs a k6 binary (K6, `k6` on PATH, or ../shared/tools/k6/k6) and the release build;
// without k6 every test here is skipped with one line saying so.
//   node --test load-tests/k6-runs/
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeThresholds } from '../lib/readme.js';
import { scenarioFiles, thresholdStatement } from '../lib/options.js';

const here = dirname(fileURLToPath(import.meta.url));
const loadTests = join(here, '..');
const bin = process.env.ARCHIBALD_BIN_DIR || join(loadTests, '../build/release/bin');

function findK6() {
  const candidates = [process.env.K6,
    spawnSync('sh', ['-c', 'command -v k6']).stdout.toString().trim(),
    join(loadTests, '../../shared/tools/k6/k6')];
  return candidates.find((c) => c && existsSync(c)) || null;
}
const k6 = findK6();
const skip = k6 ? false : 'no k6 binary (K6, k6 on PATH, ../shared/tools/k6/k6): k6 runs skipped';
if (!k6) console.log(`# ${skip}`);

const secret = `k6-runs-${Math.random().toString(36).slice(2)}-secret-32-chars`;
const work = mkdtempSync(join(tmpdir(), 'archibald-k6-'));
const children = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

// GET url → its status; an https:// one trusting the CA file ca.
function statusOf(url, ca) {
  if (!url.startsWith('https:')) return fetch(url).then((r) => r.status);
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca: readFileSync(ca) }, (r) => { r.resume(); resolve(r.statusCode); }).on('error', reject);
  });
}

async function waitFor(url, ca) {
  for (let i = 0; i < 100; i += 1) {
    try {
      if ((await statusOf(url, ca)) < 500) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => { setTimeout(r, 50); });
  }
  throw new Error(`nothing answers ${url}`);
}

// A throwaway CA and an ECDSA certificate for 127.0.0.1 made with openssl → their files.
function makeCertificate() {
  const dir = join(work, 'tls');
  mkdirSync(dir, { recursive: true });
  const openssl = (...args) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=k6 runs CA');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '1', '-extfile', 'san.ext', '-out', 'server.crt');
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

// The release server (env: extra settings; tls: {ca, cert, key} for https) or the lossy
// stand-in; → its base URL.
async function startServer(kind, env = {}, tls = null) {
  const port = await freePort();
  const child = kind === 'lossy'
    ? spawn(join(bin, 'archibald_lossy_server'), [String(port), secret, '10'], { stdio: 'ignore' })
    : spawn(join(bin, 'archibald-realtime'), [], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), JWT_SECRET: secret,
        DB_PATH: join(work, `${port}.db`), LOG_LEVEL: 'error',
        ...(tls ? { TLS_CERT: tls.cert, TLS_KEY: tls.key } : {}), ...env },
      stdio: 'ignore',
    });
  children.push(child);
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  await waitFor(`${url}/${kind === 'lossy' ? 'dropped' : 'health/live'}`, tls && tls.ca);
  return url;
}

// The tiers, 20× shorter and with a fifth of the users (2 → 10 users × 2 devices, 12 s).
// options: auth (the script's AUTH), env (k6's environment, e.g. SSL_CERT_FILE).
function runTiers(baseUrl, jwtSecret, name, { auth = 'url', env = {} } = {}) {
  const summary = join(work, `${name}.json`);
  const r = spawnSync(k6, ['run', '--quiet', '--no-color', '-e', `BASE_URL=${baseUrl}`,
    '-e', `JWT_SECRET=${jwtSecret}`, '-e', 'SCENARIO=load', '-e', 'SCALE=0.05',
    '-e', 'USERS_SCALE=0.2', '-e', `AUTH=${auth}`, '-e', `SUMMARY_JSON=${summary}`, 'websocket-load.js'],
  { cwd: loadTests, encoding: 'utf8', timeout: 120000, env: { ...process.env, ...env } });
  const data = existsSync(summary) ? JSON.parse(readFileSync(summary, 'utf8')) : { metrics: {} };
  const value = (metric, field) => (data.metrics[metric] ? data.metrics[metric].values[field] : undefined);
  return { status: r.status, output: `${r.stdout}\n${r.stderr}`, value };
}

before(async () => {
  if (skip) return;
  assert.ok(existsSync(join(bin, 'archibald-realtime')), `build the release first (${bin})`);
});
after(() => {
  for (const c of children) c.kill();
  rmSync(work, { recursive: true, force: true });
});

test('a healthy server: exit 0, e2e samples, nothing lost or duplicated', { skip }, async () => {
  const r = runTiers(await startServer('real'), secret, 'healthy');
  assert.equal(r.status, 0, r.output);
  assert.ok(r.value('ws_e2e_latency', 'count') > 20, r.output);
  assert.equal(r.value('ws_e2e_samples', 'count'), r.value('ws_e2e_latency', 'count'));
  assert.equal(r.value('ws_msgs_lost', 'count'), 0);
  assert.equal(r.value('ws_msgs_duplicated', 'count'), 0);
  assert.equal(r.value('ws_connection_success', 'rate'), 1);
  assert.match(r.output, /✓ ws_e2e_latency p\(95\)<100 +measured p\(95\)=/);
});

test('a wrong secret: every session refused, the run fails', { skip }, async () => {
  const r = runTiers(await startServer('real'), 'not-the-server-secret', 'wrong-secret');
  assert.notEqual(r.status, 0, r.output);
  assert.equal(r.value('ws_connection_success', 'rate'), 0, r.output);
  assert.ok(r.value('ws_connections_refused', 'count') > 0);
  assert.match(r.output, /✗ ws_e2e_latency p\(95\)<100 +measured no samples/);
});

test('MAX_CONNECTIONS_PER_USER=1: the second device is refused (1013), the run fails', { skip }, async () => {
  const r = runTiers(await startServer('real', { MAX_CONNECTIONS_PER_USER: '1' }), secret, 'per-user-1');
  assert.notEqual(r.status, 0, r.output);
  assert.ok(r.value('ws_connection_success', 'rate') < 0.99, r.output);
  assert.match(r.output, /✗ ws_connection_success rate>0\.99/);
});

test('a server that drops every 10th event: exactly that loss, the run fails', { skip }, async () => {
  const url = await startServer('lossy');
  const r = runTiers(url, secret, 'lossy');
  const dropped = Number(await (await fetch(`${url}/dropped`)).text());
  assert.notEqual(r.status, 0, r.output);
  assert.ok(dropped > 0);
  assert.equal(r.value('ws_msgs_lost', 'count'), dropped, r.output);
});

test('wss:// with tokens by message, trusting the server\'s CA: exit 0, nothing lost', { skip }, async () => {
  const tls = makeCertificate();
  const url = await startServer('real', { ALLOW_TOKEN_IN_URL: 'false' }, tls);
  const r = runTiers(url, secret, 'tls', { auth: 'message', env: { SSL_CERT_FILE: tls.ca } });
  // What this run checks is TLS, AUTH and delivery; its latency bars stand on ~65 samples, where
  // one slow fsync on a loaded machine is the p99 (the healthy-server test above holds those).
  const failedBars = r.output.split('\n').filter((l) => /^\s*✗ /.test(l) && !/✗ ws_e2e_latency p\(/.test(l));
  assert.ok(r.status === 0 || (r.status === 99 && failedBars.length === 0), r.output);
  assert.ok(r.value('ws_e2e_latency', 'count') > 20, r.output);
  assert.equal(r.value('ws_msgs_lost', 'count'), 0);
  assert.equal(r.value('ws_msgs_duplicated', 'count'), 0);
  assert.equal(r.value('ws_connection_success', 'rate'), 1);

  // The same server without its CA: the certificate is refused, no session, the run fails.
  const untrusted = runTiers(url, secret, 'tls-untrusted', { auth: 'message', env: { SSL_CERT_FILE: '/dev/null' } });
  assert.notEqual(untrusted.status, 0, untrusted.output);
  assert.equal(untrusted.value('ws_connection_success', 'rate'), 0, untrusted.output);
  assert.match(untrusted.output, /certificate/);
});

test('k6 inspect shows the thresholds the README states, for every scenario', { skip }, () => {
  const stated = readmeThresholds(readFileSync(join(loadTests, 'README.md'), 'utf8'));
  for (const name of Object.keys(scenarioFiles)) {
    const script = ['load', 'small', 'medium', 'large', 'scale'].includes(name) ? 'websocket-load.js' : 'stress-test.js';
    const r = spawnSync(k6, ['inspect', '-e', `SCENARIO=${name}`, script], { cwd: loadTests, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(thresholdStatement(JSON.parse(r.stdout).thresholds), stated[scenarioFiles[name]], name);
  }
});
