// Counts arrive after the page (issue #15): on a table SeeKi believes is too
// large to count in line -- 1,200,000 rows whose statistics (ANALYZE) were
// taken at 1,100,000 -- the first page shows at once with "about 1,100,000",
// and the exact count replaces it in place. Every text the pager ever shows
// is recorded: it goes from the flagged estimate straight to the exact
// number, never through anything else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, newPage, startSeeki, tempDir, waitRows } from './helpers.mjs';

let server;
let browser;
let dir;

before(async () => {
  dir = tempDir('seeki-e2e-counts-');
  const db = path.join(dir, 'big.db');
  execFileSync('sqlite3', ['-bail', db], {
    input: `CREATE TABLE big (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
      WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1100000)
      INSERT INTO big SELECT i, 'row ' || i FROM s;
      ANALYZE;
      WITH RECURSIVE s(i) AS (SELECT 1100001 UNION ALL SELECT i + 1 FROM s WHERE i < 1200000)
      INSERT INTO big SELECT i, 'row ' || i FROM s;`,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const cfg = path.join(dir, 'seeki.toml');
  fs.writeFileSync(cfg, `[database]\nkind = "sqlite"\nurl = "sqlite://${db}"\n`);
  server = await startSeeki({ args: ['--config', cfg, '--port', '0'] });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the exact count replaces the estimate in place, with no other number in between', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    // record every text #pager-info takes, from the first render on
    await page.addInitScript(() => {
      window.__pagerTexts = [];
      new MutationObserver(() => {
        const el = document.getElementById('pager-info');
        const t = el ? el.textContent.trim() : '';
        if (t && window.__pagerTexts[window.__pagerTexts.length - 1] !== t) window.__pagerTexts.push(t);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(`${server.url}/#/t/big`);
    await waitRows(page);
    await page.waitForFunction(() => /^1–50 of 1,200,000 rows$/.test(document.getElementById('pager-info').textContent.trim()), null, { timeout: 30000 });
    const texts = await page.evaluate(() => window.__pagerTexts);
    assert.deepEqual(texts, ['1–50 of about 1,100,000 rows', '1–50 of 1,200,000 rows']);
    // the rows never changed while the count arrived
    const ids = await page.$$eval('#grid tbody tr', (trs) => trs.map((tr) => tr.querySelector('td[data-c]').textContent));
    assert.equal(ids.length, 50);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});
