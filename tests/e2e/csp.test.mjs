// The hardening headers (docs/api.md "Guards and limits"): every response the
// UI loads carries SeeKi's Content-Security-Policy and Referrer-Policy, and
// the UI works under that policy. A walk through everything that builds HTML
// or styles at run time (grid, loading skeleton, pinned columns, column menu,
// row detail, copy toast, theme, empty state) must report no CSP violation,
// neither as a securitypolicyviolation event nor on the console.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, openTable, useServerAndBrowser, waitRows } from './helpers.mjs';

const CSP = "default-src 'self'; frame-ancestors 'none'";

let server;
let browser;
useServerAndBrowser((s, b) => { server = s; browser = b; });

// A page that records CSP violations from its first script on.
async function watchedPage(opts) {
  const { context, page } = await newPage(browser, server, opts);
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}: ${e.sample}`);
    }, true);
  });
  page.cspConsole = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) page.cspConsole.push(m.text());
  });
  return { context, page };
}

async function assertNoViolations(page) {
  const events = await page.evaluate(() => window.cspViolations);
  assert.deepEqual(events, [], 'securitypolicyviolation events');
  assert.deepEqual(page.cspConsole, [], 'CSP messages on the console');
  assert.deepEqual(page.errors, [], 'page errors');
}

test('the page, its scripts, styles and API answers carry the CSP and Referrer-Policy', async () => {
  const { context, page } = await watchedPage();
  try {
    const seen = new Map();
    page.on('response', (r) => seen.set(new URL(r.url()).pathname, r.headers()));
    await openTable(page, 'people');
    for (const p of ['/', '/app.css', '/js/theme-init.js', '/js/app.js', '/js/grid.js',
      '/api/tables', '/api/tables/people/rows']) {
      const h = seen.get(p);
      assert.ok(h, `the UI loaded ${p}`);
      assert.equal(h['content-security-policy'], CSP, p);
      assert.equal(h['referrer-policy'], 'no-referrer', p);
    }
    await assertNoViolations(page);
  } finally {
    await context.close();
  }
});

test('the UI raises no CSP violation: skeleton, pinned columns, menu, detail, copy, theme, empty state', async () => {
  const { context, page } = await watchedPage({ permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    await openTable(page, 'people');
    // pinned column: its sticky offset comes from the grid's constructed stylesheet
    await page.click('#grid thead th[data-col="score"] .th-menu');
    await page.click('.colmenu button[data-act="pin"]');
    await page.waitForFunction(() => document.querySelector('#grid thead th[data-col]').dataset.col === 'score');
    await waitRows(page);
    const left = await page.$eval('#grid thead th[data-col="score"]', (th) => getComputedStyle(th).left);
    const gutter = await page.$eval('#grid thead th.rownum', (th) => th.offsetWidth);
    assert.equal(left, `${gutter}px`, 'the pinned column sits right of the row numbers');
    // the loading skeleton (widths set through CSSOM) shows on every reload
    await page.reload();
    await waitRows(page);
    // row detail, copy toast (a hidden textarea styled through CSSOM)
    await page.click('#grid tbody tr[data-r="2"] td[data-c="1"]');
    await page.waitForSelector('#detail:not([hidden])');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#detail', { state: 'hidden' });
    await page.click('#grid tbody tr[data-r="1"] td[data-c="1"]');
    await page.keyboard.press('Control+c');
    await page.waitForFunction(() => !document.getElementById('toast').hidden);
    await page.keyboard.press('Escape');
    await page.click('#theme-toggle');
    // a search that matches nothing shows the empty state
    await page.fill('#search', 'no such person anywhere');
    await page.waitForFunction(() => !document.getElementById('grid-state').hidden);
    await assertNoViolations(page);
  } finally {
    await context.close();
  }
});
