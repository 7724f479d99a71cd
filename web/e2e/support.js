// What the browser tests share: a real archibald-realtime on a free loopback port with its own
// database, tokens from its `token` subcommand, and Debian's Chromium driven by playwright-core.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const serverBin = process.env.ARCHIBALD_SERVER_BIN || join(here, '../../build/release/bin/archibald-realtime');
export const outputDir = join(here, '../test-results');
mkdirSync(outputDir, { recursive: true });

const secret = `e2e-${Math.random().toString(36).slice(2)}-secret-of-32-chars`;
export const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

export function token(user, { role = 'agent', device } = {}) {
  const args = ['token', '--user', user, '--role', role, '--ttl', '1h', ...(device ? ['--device', device] : [])];
  return execFileSync(serverBin, args, { env: { ...process.env, JWT_SECRET: secret } }).toString().trim();
}

// A server process that can be killed and started again on the same port and database.
export class TestServer {
  constructor(env = {}) {
    this.env = env;
    this.dir = mkdtempSync(join(tmpdir(), 'archibald-e2e-'));
    this.process = null;
  }

  get url() { return `http://127.0.0.1:${this.port}`; }

  async start() {
    this.port ??= await freePort();
    this.process = spawn(serverBin, [], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(this.port), JWT_SECRET: secret,
        DB_PATH: join(this.dir, 'e2e.db'), LOG_LEVEL: 'warn', ...this.env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    for (let i = 0; i < 100; i += 1) {
      try {
        if ((await fetch(`${this.url}/health/live`)).ok) return this;
      } catch { /* not listening yet */ }
      await sleep(50);
    }
    throw new Error('the server did not start');
  }

  async stop(signal = 'SIGTERM') {
    if (!this.process || this.process.exitCode !== null) return;
    const exited = new Promise((resolve) => { this.process.once('exit', resolve); });
    this.process.kill(signal);
    await exited;
  }

  async health(adminToken) {
    const r = await fetch(`${this.url}/api/websocket/health`, { headers: { Authorization: `Bearer ${adminToken}` } });
    return (await r.json()).stats;
  }

  async cleanup() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// /demo for one user and device in a context of its own; resolves once its socket is open.
export async function openDemo(browser, server, user, device) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.socketUrls = []; // every WebSocket the page opened: the token must never be in one
  page.on('websocket', (ws) => page.socketUrls.push(ws.url()));
  await page.goto(`${server.url}/demo#token=${encodeURIComponent(token(user, { device }))}`);
  await page.locator('[data-testid="connection-state"]', { hasText: 'open' }).waitFor({ timeout: 5000 });
  return page;
}
