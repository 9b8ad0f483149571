// The view controls: sort (click, shift-click), search, column filters with a
// live count, hide/pin persistence, pagination, URL/history and CSV export.
// Every expectation is checked against what the real API returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  apiGet, columnValues, headerNames, newPage, openTable, pagerInfo, parseCsv, useServerAndBrowser, waitRows,
} from './helpers.mjs';

let server;
let browser;
useServerAndBrowser((s, b) => { server = s; browser = b; });

// Waits until the URL matches re and the grid finished loading.
async function waitView(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(location.hash), re.source);
  await waitRows(page);
}

const rowsApi = (q) => apiGet(server, `/api/tables/people/rows?${q}`);

test('clicking a header sorts asc → desc → none, matching the API', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people');
    const th = '#grid thead th[data-col="name"]';
    await page.click(th);
    await waitView(page, /sort=name:asc/);
    assert.deepEqual(await columnValues(page, 'name'), (await rowsApi('sort=name:asc&page_size=50')).rows.map((r) => r.name));
    assert.equal(await page.getAttribute(th, 'aria-sort'), 'ascending');
    assert.equal(await page.textContent(`${th} .sort-ind`), '▲');

    await page.click(th);
    await waitView(page, /sort=name:desc/);
    assert.deepEqual(await columnValues(page, 'name'), (await rowsApi('sort=name:desc&page_size=50')).rows.map((r) => r.name));
    assert.equal(await page.getAttribute(th, 'aria-sort'), 'descending');
    assert.equal(await page.textContent(`${th} .sort-ind`), '▼');

    await page.click(th);
    await page.waitForFunction(() => !location.hash.includes('sort='));
    await waitRows(page);
    assert.equal(await page.getAttribute(th, 'aria-sort'), 'none');
    assert.deepEqual((await columnValues(page, 'id')).map(Number), (await rowsApi('page_size=50')).rows.map((r) => r.id));

    // Back walks the sort history
    await page.goBack();
    await waitView(page, /sort=name:desc/);
    assert.equal(await page.getAttribute(th, 'aria-sort'), 'descending');
  } finally {
    await context.close();
  }
});

test('shift-click adds a secondary sort shown with order numbers', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people');
    await page.click('#grid thead th[data-col="active"]');
    await waitView(page, /sort=active:asc$/);
    await page.click('#grid thead th[data-col="age"]', { modifiers: ['Shift'] });
    await waitView(page, /sort=active:asc&sort=age:asc/);
    const want = await rowsApi('sort=active:asc&sort=age:asc&page_size=50');
    assert.deepEqual((await columnValues(page, 'id')).map(Number), want.rows.map((r) => r.id));
    assert.equal(await page.textContent('#grid thead th[data-col="active"] .sort-n'), '1');
    assert.equal(await page.textContent('#grid thead th[data-col="age"] .sort-n'), '2');

    await page.click('#grid thead th[data-col="age"]', { modifiers: ['Shift'] });
    await waitView(page, /sort=active:asc&sort=age:desc/);
    const want2 = await rowsApi('sort=active:asc&sort=age:desc&page_size=50');
    assert.deepEqual((await columnValues(page, 'id')).map(Number), want2.rows.map((r) => r.id));
    assert.notDeepEqual(want.rows.map((r) => r.id), want2.rows.map((r) => r.id));
    assert.equal(await page.getAttribute('#grid thead th[data-col="age"]', 'aria-sort'), 'descending');
  } finally {
    await context.close();
  }
});

test('search narrows rows as you type and says how many columns it searches', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people');
    const cols = (await apiGet(server, '/api/tables/people/columns')).columns;
    const nText = cols.filter((c) => c.display_type === 'Text').length;
    assert.equal(await page.textContent('#search-hint'), `searching ${nText} text columns`);
    await page.locator('#search').pressSequentially('ada', { delay: 40 });
    await waitView(page, /search=ada/);
    const want = await rowsApi('search=ada&page_size=50');
    assert.ok(want.total_rows > 0 && want.total_rows < 300);
    const names = await columnValues(page, 'name');
    assert.deepEqual(names, want.rows.map((r) => r.name));
    assert.ok(names.every((n) => /ada/i.test(n)));
    assert.equal(await pagerInfo(page), `1–${want.total_rows} of ${want.total_rows} rows`);
    assert.match(await page.textContent('#filter-bar'), /Search: “ada”/);
    // typing replaced the history entry instead of adding one per letter
    await page.goBack();
    await page.waitForFunction(() => !location.hash.includes('search='));
    await waitRows(page);
    assert.equal(await pagerInfo(page), '1–50 of 300 rows');
  } finally {
    await context.close();
  }
});

test('column filter: type-aware placeholder, live match count, >100 narrows rows, bad input explained', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people');
    await page.click('#grid thead th[data-col="score"] .th-menu');
    const input = page.locator('.colmenu .pm-input');
    assert.equal(await input.getAttribute('placeholder'), '>10, 5..20, is null');
    await input.fill('>100');
    const want = await rowsApi('filter.score=%3E100&page_size=50');
    await page.waitForFunction((n) => document.querySelector('.colmenu .pm-count').textContent === `${n} rows match`, want.total_rows);
    await input.press('Enter');
    await waitView(page, /filter\.score=%3E100/);
    const scores = (await columnValues(page, 'score')).map(Number);
    assert.equal(scores.length, Math.min(50, want.total_rows));
    assert.ok(scores.every((s) => s > 100), 'every shown score is > 100');
    assert.deepEqual((await columnValues(page, 'id')).map(Number), want.rows.map((r) => r.id));
    assert.equal(await pagerInfo(page), `1–50 of ${want.total_rows} rows`);
    assert.match(await page.textContent('#filter-bar .chip[data-col="score"]'), /Score: >100/);

    // a value that does not fit the type: the server's message appears next to the input
    await page.click('#grid thead th[data-col="age"] .th-menu');
    await page.locator('.colmenu .pm-input').fill('>abc');
    await page.waitForSelector('.colmenu .pm-error:not(:empty)');
    const res = await fetch(`${server.url}/api/tables/people/rows?filter.age=%3Eabc&page_size=1`);
    assert.equal(res.status, 400);
    const apiMsg = (await res.json()).error;
    assert.equal(await page.textContent('.colmenu .pm-error'), apiMsg);
    assert.equal(await page.getAttribute('.colmenu .pm-input', 'aria-invalid'), 'true');
    await page.keyboard.press('Escape');

    // Esc with nothing open clears the filters
    await page.locator('#grid tbody td').first().click();
    await page.keyboard.press('Escape'); // closes the detail panel the click opened
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !location.hash.includes('filter.'));
    await waitRows(page);
    assert.equal(await pagerInfo(page), '1–50 of 300 rows');
  } finally {
    await context.close();
  }
});

test('hidden and pinned columns and page size survive a reload; the chooser brings columns back', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people');
    await page.click('#grid thead th[data-col="nickname"] .th-menu');
    await page.click('.colmenu button[data-act="hide"]');
    await page.click('#grid thead th[data-col="score"] .th-menu');
    await page.click('.colmenu button[data-act="pin"]');
    await page.selectOption('#page-size', '25');
    await waitView(page, /page_size=25/);

    const check = async () => {
      const names = await headerNames(page);
      assert.equal(names[0], 'score', 'pinned column comes first');
      assert.ok(!names.includes('nickname'), 'hidden column stays hidden');
      const pos = await page.$eval('#grid thead th[data-col="score"]', (th) => getComputedStyle(th).position);
      assert.equal(pos, 'sticky');
      assert.match(await page.getAttribute('#grid tbody td[data-c="0"]', 'class'), /\bpin\b/);
      assert.equal(await pagerInfo(page), '1–25 of 300 rows');
    };
    await check();
    assert.match(await page.textContent('#columns-btn'), /1 hidden/);
    await page.reload();
    await waitRows(page);
    await check();
    // leaving and coming back through the sidebar restores the page size too
    await page.click('#table-list .tl-link[data-table="cities"]');
    await waitRows(page);
    await page.click('#table-list .tl-link[data-table="people"]');
    await waitView(page, /page_size=25/);
    await check();

    await page.click('#columns-btn');
    const box = page.locator('.chooser input[data-col="nickname"]');
    assert.equal(await box.isChecked(), false);
    await box.check();
    await page.waitForFunction(() => document.querySelector('#grid thead th[data-col="nickname"]'));
    await page.keyboard.press('Escape');
    await page.reload();
    await waitRows(page);
    assert.ok((await headerNames(page)).includes('nickname'));
    assert.equal(await page.textContent('#columns-btn'), 'Columns');
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('seeki.table.people')));
    assert.deepEqual(stored.pinned, ['score']);
    assert.deepEqual(stored.hidden, []);
    assert.equal(stored.pageSize, 25);
  } finally {
    await context.close();
  }
});

test('pagination: chips, next, last page equals the API last page, Back returns', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people');
    assert.equal(await page.isDisabled('#pager [data-page="prev"]'), true);
    await page.click('#pager [data-page="next"]');
    await waitView(page, /page=2/);
    assert.equal(await pagerInfo(page), '51–100 of 300 rows');
    await page.click('#pager [data-page="last"]');
    await waitView(page, /page=6/);
    assert.equal(await pagerInfo(page), '251–300 of 300 rows');
    const last = await rowsApi('page=last&page_size=50');
    assert.equal(last.page, 6);
    assert.deepEqual((await columnValues(page, 'id')).map(Number), last.rows.map((r) => r.id));
    assert.equal(await page.isDisabled('#pager [data-page="next"]'), true);
    assert.equal(await page.getAttribute('#pager .pg-chip[aria-current="page"]', 'data-page'), '6');
    await page.click('#pager .pg-chip[data-page="4"]');
    await waitView(page, /page=4/);
    assert.equal(await pagerInfo(page), '151–200 of 300 rows');
    await page.goBack();
    await waitView(page, /page=6/);
    assert.equal(await pagerInfo(page), '251–300 of 300 rows');
    // a link reproduces a view
    await page.goto(`${server.url}/#/t/people?page=2&sort=name:desc&filter.age=>30`);
    await waitRows(page);
    const want = await rowsApi('page=2&sort=name:desc&filter.age=%3E30&page_size=50');
    assert.deepEqual(await columnValues(page, 'name'), want.rows.map((r) => r.name));
  } finally {
    await context.close();
  }
});

test('Export CSV downloads the current view (same sort and filters) and matches the grid', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people', 'sort=name:desc&filter.score=>100');
    const cols = (await apiGet(server, '/api/tables/people/columns')).columns;
    const want = await rowsApi('sort=name:desc&filter.score=%3E100&page_size=50');
    const href = await page.getAttribute('#export', 'href');
    assert.match(href, /^\/api\/export\/people\/csv\?/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const text = fs.readFileSync(await download.path(), 'utf8');
    const rows = parseCsv(text);
    assert.deepEqual(rows[0], cols.map((c) => c.display_name), 'header of display names');
    assert.equal(rows.length - 1, want.total_rows, 'every matching row, not just one page');
    const nameIdx = cols.findIndex((c) => c.name === 'name');
    const gridNames = await columnValues(page, 'name');
    assert.deepEqual(rows.slice(1, 1 + gridNames.length).map((r) => r[nameIdx]), gridNames);
    const nickIdx = cols.findIndex((c) => c.name === 'nickname');
    const byName = new Map(rows.slice(1).map((r) => [r[nameIdx], r]));
    assert.ok(want.rows.some((r) => r.nickname === null) && want.rows.some((r) => r.nickname === ''));
    for (const r of want.rows) { // NULL stays an empty field, '' stays ""
      assert.equal(byName.get(r.name)[nickIdx], r.nickname);
    }
  } finally {
    await context.close();
  }
});

test('a column whose type has no order offers no sorting (header click, menu)', async () => {
  // The API marks such columns (json, point on PostgreSQL) "sortable": false;
  // the SQLite fixture has none, so the answers are rewritten in the browser
  // to mark `name` unsortable, exactly as the server would.
  const { context, page } = await newPage(browser, server);
  try {
    await page.route(/\/api\/tables\/people\/(rows|columns)/, async (route) => {
      const resp = await route.fetch();
      const body = await resp.json();
      for (const c of body.columns || []) if (c.name === 'name') c.sortable = false;
      await route.fulfill({ response: resp, body: JSON.stringify(body) });
    });
    await openTable(page, 'people');
    const th = '#grid thead th[data-col="name"]';
    assert.equal(await page.getAttribute(th, 'aria-sort'), null);
    assert.match(await page.getAttribute(th, 'title'), /cannot be sorted/);
    const before = await page.evaluate(() => location.hash);
    await page.click(`${th} .th-label`); // a sort would set location.hash in this handler
    await page.click(`${th} .th-menu`);
    await page.waitForSelector('.colmenu[data-column="name"]');
    assert.equal(await page.locator('.colmenu [data-act="asc"]').count(), 0);
    assert.equal(await page.locator('.colmenu [data-act="desc"]').count(), 0);
    assert.match(await page.textContent('.colmenu .pm-note'), /has no order, so it cannot be sorted/);
    assert.equal(await page.evaluate(() => location.hash), before);
    assert.doesNotMatch(before, /sort=name/);
    // a sortable column still offers both
    await page.keyboard.press('Escape');
    await page.click('#grid thead th[data-col="age"] .th-menu');
    await page.waitForSelector('.colmenu[data-column="age"] [data-act="asc"]');
  } finally {
    await context.close();
  }
});
