// The /admin dashboard in a real browser: its numbers are the server's health JSON, the
// latency badge follows averageLatency, a wrong token or a stopped server is said plainly, and
// the token never stays in the address bar.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TestServer, launchBrowser, openDemo, outputDir, token } from './support.js';

let browser;
let server;
before(async () => {
  browser = await launchBrowser();
  server = await new TestServer({ HEARTBEAT_INTERVAL_MS: '500' }).start(); // ping samples soon
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
});

async function openAdmin(adminToken) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/admin#token=${encodeURIComponent(adminToken)}`);
  return page;
}
const text = (page, id) => page.locator(`[data-testid="${id}"]`).textContent();

test('the cards show the server\'s own figures and the badge is green', async () => {
  await openDemo(browser, server, 'dash-alice', 'tablet');
  await openDemo(browser, server, 'dash-alice', 'phone');
  await openDemo(browser, server, 'dash-bob', 'laptop');
  const admin = token('dash-admin', { role: 'admin' });
  const page = await openAdmin(admin);
  assert.doesNotMatch(page.url(), /token=/, 'the token left the address bar');

  await page.locator('[data-testid="connections"]', { hasText: /^3$/ }).waitFor({ timeout: 5000 });
  const stats = await server.health(admin);
  assert.equal(stats.totalConnections, 3);
  assert.equal(Number(await text(page, 'connections')), stats.totalConnections);
  assert.equal(Number(await text(page, 'active-users')), stats.activeUsers);
  await page.waitForFunction(() => {
    const shown = document.querySelector('[data-testid="latency-average"]').textContent;
    return shown.endsWith(' ms') && shown !== '0.00 ms'; // a ping round trip was measured
  }, null, { timeout: 5000 });
  const badge = page.locator('[data-testid="latency-badge"]');
  assert.equal(await badge.getAttribute('data-state'), 'ok');
  assert.ok((await server.health(admin)).averageLatency <= 100);
  const sent = Number(await text(page, 'messages-sent'));
  assert.ok(sent >= 0 && sent <= (await server.health(admin)).messagesSent);
  await page.locator('[data-testid="top-users"] tbody tr').first().waitFor();
  assert.deepEqual(await page.locator('[data-testid="top-users"] tbody tr').first().locator('td').allTextContents(),
    ['dash-alice', '2']);
  assert.equal(await page.locator('[data-testid="chart-connections"] svg polyline').count(), 1);
  // One node (SQLite): the nodes table is this node alone, with its connections.
  const node = await page.locator('[data-testid="nodes"] tbody tr').allTextContents();
  assert.equal(node.length, 1);
  assert.match(node[0], /\(this node\)ready3/);
  await page.screenshot({ path: join(outputDir, 'admin.png'), fullPage: true });
});

test('the badge turns orange above 100 ms', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.route('**/api/websocket/health', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.stats.averageLatency = 250;
    await route.fulfill({ response, json: body });
  });
  await page.goto(`${server.url}/admin#token=${encodeURIComponent(token('dash-admin', { role: 'admin' }))}`);
  await page.locator('[data-testid="latency-badge"][data-state="warn"]').waitFor({ timeout: 5000 });
  await page.context().close(); // its route must not outlive the server
});

test('a wrong token and an unreachable server are said plainly', async () => {
  const refused = await openAdmin('not-a-token');
  await refused.locator('[data-testid="message"]', { hasText: 'refused' }).waitFor({ timeout: 5000 });
  assert.equal(await refused.locator('#dashboard').isHidden(), true);
  const agent = await openAdmin(token('dash-agent'));
  await agent.locator('[data-testid="message"]', { hasText: 'not an admin' }).waitFor({ timeout: 5000 });

  const page = await openAdmin(token('dash-admin', { role: 'admin' }));
  await page.locator('[data-testid="connections"]').waitFor();
  await server.stop();
  await page.locator('[data-testid="message"]', { hasText: 'unreachable' }).waitFor({ timeout: 5000 });
});
