// Multi-device sync in real browsers (Debian's Chromium): two contexts of one user see each
// other's creates, edits and deletes within a second, another user never sees them, and a
// server restart mid-session loses and duplicates nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TestServer, launchBrowser, openDemo, outputDir, sleep, token } from './support.js';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const unique = (name) => `${name}-${Math.random().toString(36).slice(2, 8)}`;
const draftItems = (page) => page.locator('[data-testid^="draft-"]');

test('a draft created, edited and deleted on one device shows on the other within 1 s, never on another user', async () => {
  const server = await new TestServer().start();
  try {
    const alice = unique('alice');
    const tablet = await openDemo(browser, server, alice, 'tablet');
    const phone = await openDemo(browser, server, alice, 'phone');
    const stranger = await openDemo(browser, server, unique('bob'), 'laptop');

    await tablet.fill('[data-testid="new-customer"]', 'Ferramenta Bianchi Srl');
    await tablet.click('[data-testid="add-draft"]');
    const created = draftItems(tablet);
    await created.waitFor({ timeout: 1000 });
    const testid = await created.getAttribute('data-testid');
    const id = testid.slice('draft-'.length);
    await phone.locator(`[data-testid="${testid}"]`, { hasText: 'Ferramenta Bianchi Srl' }).waitFor({ timeout: 1000 });
    assert.equal(await phone.locator(`[data-testid="${testid}"]`).textContent(), 'Ferramenta Bianchi Srl');

    await phone.fill(`[data-testid="rename-${id}"]`, 'Ferramenta Rossi');
    await phone.click(`[data-testid="save-${id}"]`);
    await tablet.locator(`[data-testid="${testid}"]`, { hasText: 'Ferramenta Rossi' }).waitFor({ timeout: 1000 });
    await tablet.screenshot({ path: join(outputDir, 'demo.png'), fullPage: true });

    await tablet.click(`[data-testid="delete-${id}"]`);
    await phone.locator(`[data-testid="${testid}"]`).waitFor({ state: 'detached', timeout: 1000 });

    const phoneTypes = await phone.evaluate(() => window.archibaldDemo.events.map((e) => e.type));
    assert.deepEqual(phoneTypes, ['DRAFT_CREATED', 'DRAFT_UPDATED', 'DRAFT_DELETED']);
    await sleep(300); // anything misrouted would have arrived by now
    assert.deepEqual(await stranger.evaluate(() => window.archibaldDemo.events), []);
    assert.equal(await draftItems(stranger).count(), 0);
    // The demo authenticates with its first message: no token in any WebSocket URL.
    for (const page of [tablet, phone, stranger]) {
      assert.ok(page.socketUrls.length > 0);
      for (const url of page.socketUrls) assert.doesNotMatch(url, /token=/, url);
    }
  } finally {
    await server.cleanup();
  }
});

test('after a server restart the page reconnects and gets what was written meanwhile, once each', async () => {
  const server = await new TestServer().start();
  try {
    const alice = unique('alice');
    const page = await openDemo(browser, server, alice, 'tablet');
    await page.fill('[data-testid="new-customer"]', 'Before the crash');
    await page.click('[data-testid="add-draft"]');
    await draftItems(page).first().waitFor({ timeout: 1000 });

    await server.stop('SIGKILL');
    await page.locator('[data-testid="connection-state"]', { hasText: 'reconnecting' }).waitFor({ timeout: 5000 });
    await sleep(2500); // a few failed attempts: the backoff grows past what the writes below take
    await server.start();
    const writer = token(alice, { device: 'script' });
    for (let i = 0; i < 5; i += 1) {
      const now = Date.now();
      const r = await fetch(`${server.url}/api/sync/draft-orders`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${writer}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ drafts: [{ id: `meanwhile-${i}`, customerId: 'C-1', customerName: `Meanwhile ${i}`, items: [], updatedAt: now }] }),
      });
      assert.equal(r.status, 200);
    }

    await page.locator('[data-testid="connection-state"]', { hasText: 'open' }).waitFor({ timeout: 35000 });
    await page.locator('[data-testid="draft-meanwhile-4"]', { hasText: 'Meanwhile 4' }).waitFor({ timeout: 5000 });
    assert.equal(await draftItems(page).count(), 6);
    const seqs = await page.evaluate(() => window.archibaldDemo.events.map((e) => e.seq));
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6], 'every event once, in order, none missing');
    assert.equal(await page.evaluate(() => window.archibaldDemo.client.reconnects), 1);
  } finally {
    await server.cleanup();
  }
});
