// States: empty table, no matches, unknown table, server gone (killed by PID
// mid-test), and setup mode (no configuration at all; and told apart by
// /api/status's mode, not by an error's text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import {
  apiGet, columnValues, newPage, openTable, pagerInfo, startSeeki, tempDir, useServerAndBrowser, waitRows,
} from './helpers.mjs';

let server;
let browser;
useServerAndBrowser((s, b) => { server = s; browser = b; });

test('an empty table says so; a search with no hits offers Clear filters', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'empty_things');
    await page.waitForSelector('#grid-state:not([hidden])');
    assert.match(await page.textContent('#grid-state h2'), /^This table has no rows$/);
    assert.equal(await page.locator('#grid tbody tr').count(), 0);
    assert.match(await page.textContent('#pager-info'), /^0 of 0 rows$/);

    await openTable(page, 'people', 'search=zzzz-no-such-text');
    await page.waitForSelector('#grid-state:not([hidden])');
    assert.match(await page.textContent('#grid-state h2'), /^No rows match$/);
    await page.click('#grid-state button[data-act="clear-filters"]');
    await page.waitForFunction(() => !location.hash.includes('search='));
    await waitRows(page);
    assert.equal(await page.locator('#grid-state').isHidden(), true);
    assert.equal(await pagerInfo(page), '1–50 of 300 rows');
    assert.equal(await page.inputValue('#search'), '');
  } finally {
    await context.close();
  }
});

test('a table that does not exist shows the API message and a way back', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    const res = await fetch(`${server.url}/api/tables/no_such_table/rows`);
    assert.equal(res.status, 404);
    const apiMsg = (await res.json()).error;
    await page.goto(`${server.url}/#/t/no_such_table`);
    await page.waitForSelector('#banner:not([hidden])');
    assert.equal(await page.textContent('#banner .banner-title'), 'This table is not available');
    assert.equal(await page.textContent('#banner .banner-msg'), apiMsg);
    await page.click('#banner a[href="#/"]');
    await page.waitForSelector('#view-home:not([hidden])');
  } finally {
    await context.close();
  }
});

test('a link naming columns that do not exist drops them instead of failing', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    const res = await fetch(`${server.url}/api/tables/people/rows?sort=gone_col:asc`);
    assert.equal(res.status, 400);
    await page.goto(`${server.url}/#/t/people?sort=gone_col:asc&sort=name:desc&filter.nope=x`);
    await page.waitForFunction(() => location.hash === '#/t/people?sort=name:desc');
    await waitRows(page);
    assert.match(await page.textContent('#toast'), /gone_col, nope/);
    const want = await apiGet(server, '/api/tables/people/rows?sort=name:desc&page_size=50');
    assert.deepEqual(await columnValues(page, 'name'), want.rows.map((r) => r.name));
    assert.equal(await page.isHidden('#banner'), true);
  } finally {
    await context.close();
  }
});

test('setup mode routes to #/setup, the wizard', async () => {
  const dir = tempDir();
  const setup = await startSeeki({
    args: ['--port', '0'],
    cwd: dir,
    env: { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config') },
  });
  const { context, page } = await newPage(browser, setup);
  try {
    const status = await apiGet(setup, '/api/status');
    assert.equal(status.mode, 'setup');
    await page.goto(`${setup.url}/#/t/people`);
    await page.waitForFunction(() => location.hash === '#/setup');
    await page.waitForSelector('#view-setup:not([hidden])');
    assert.match(await page.textContent('#view-setup'), /Set up SeeKi/);
    assert.equal(await page.isVisible('#wiz-connect'), true);
    assert.doesNotMatch(await page.textContent('#view-setup'), /later version/);
    await page.waitForSelector('#live[data-state="setup"]');
  } finally {
    await context.close();
    await setup.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('setup mode comes from /api/status mode, not from the text of a 503', async () => {
  // Both answers are faked in the browser (page.route) on a normal server:
  // a 503 whose text says "setup mode" while the status says normal must not
  // leave the table, and a 503 that does not mention setup while the status
  // says mode "setup" must reach #/setup at once, not at the next 5 s poll.
  const fake = { status: false, rows: null };
  const routeFakes = async (page) => {
    await page.route(/\/api\/status$/, async (route) => {
      if (!fake.status) return route.continue();
      return route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ mode: 'setup', version: 'test', database: { kind: null, connected: false }, tunnel: null }),
      });
    });
    await page.route(/\/api\/tables\/people\/rows\?/, async (route) => {
      if (fake.rows === null) return route.continue();
      return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: fake.rows }) });
    });
  };

  let { context, page } = await newPage(browser, server);
  try {
    await routeFakes(page);
    await openTable(page, 'people');
    await page.waitForSelector('#live[data-state="live"]');
    fake.rows = 'This endpoint is not available in setup mode';
    const asked = page.waitForResponse((r) => r.url().endsWith('/api/status'));
    await page.click('#pager [data-page="next"]');
    await page.waitForSelector('#banner:not([hidden])');
    assert.equal(await page.textContent('#banner .banner-title'), 'Database unavailable');
    await asked; // the UI asked the status about the 503, and it said normal
    await page.waitForTimeout(300);
    assert.match(await page.evaluate(() => location.hash), /^#\/t\/people\?page=2$/);
    assert.equal(await page.isVisible('#view-table'), true);
    assert.equal(await page.isHidden('#view-setup'), true);
  } finally {
    await context.close();
  }

  ({ context, page } = await newPage(browser, server));
  try {
    fake.rows = null;
    await routeFakes(page);
    await openTable(page, 'people');
    await page.waitForSelector('#live[data-state="live"]'); // a poll just answered
    fake.status = true;
    fake.rows = 'The database is not available right now';
    await page.click('#pager [data-page="next"]');
    // well before the next regular poll (5 s after the one that just answered)
    await page.waitForFunction(() => location.hash === '#/setup', null, { timeout: 2500 });
    await page.waitForSelector('#view-setup:not([hidden])');
    await page.waitForSelector('#live[data-state="setup"]');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('when the server stops: error banner on the next load and a grey live indicator', async () => {
  const own = await startSeeki();
  const { context, page } = await newPage(browser, own);
  try {
    await openTable(page, 'people');
    await page.waitForSelector('#live[data-state="live"]');
    const liveColor = await page.$eval('#live .live-dot', (d) => getComputedStyle(d).backgroundColor);
    const names = await columnValues(page, 'name');

    await own.stop({ signal: 'SIGKILL' }); // by PID
    await page.click('#pager [data-page="next"]');
    await page.waitForSelector('#banner:not([hidden])');
    assert.equal(await page.textContent('#banner .banner-title'), 'The SeeKi server is unreachable');
    assert.match(await page.textContent('#banner .banner-msg'), /Cannot reach the SeeKi server at 127\.0\.0\.1:\d+/);
    assert.equal(await page.getAttribute('#live', 'data-state'), 'offline');
    assert.equal(await page.textContent('#live .live-text'), 'offline');
    const dot = await page.$eval('#live .live-dot', (d) => getComputedStyle(d).backgroundColor);
    assert.notEqual(dot, liveColor);
    const [r, g, b] = dot.match(/\d+/g).map(Number);
    assert.ok(Math.max(r, g, b) - Math.min(r, g, b) < 24, `grey, got ${dot}`);
    // the last rows stay visible (dimmed) under the banner
    assert.deepEqual(await columnValues(page, 'name'), names);
    assert.match(await page.getAttribute('#grid-wrap', 'class'), /is-stale/);
  } finally {
    await context.close();
    await own.stop();
  }
});
