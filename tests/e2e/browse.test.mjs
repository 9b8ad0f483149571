// Browsing: sidebar, opening tables, how values render, row detail, keyboard.
// Runs the real seeki on a fixture SQLite database and headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiGet, columnValues, newPage, openTable, pagerInfo, useServerAndBrowser, waitRows,
} from './helpers.mjs';

let server;
let browser;
useServerAndBrowser((s, b) => { server = s; browser = b; });

// Facts about one cell: row r of the page, column by name.
function cellInfo(page, r, colName) {
  return page.evaluate(([row, name]) => {
    const th = [...document.querySelectorAll('#grid thead th[data-col]')].find((x) => x.dataset.col === name);
    const td = document.querySelector(`#grid tbody tr[data-r="${row}"] td[data-c="${th.dataset.c}"]`);
    const cs = getComputedStyle(td);
    return {
      cls: td.className, text: td.textContent, title: td.getAttribute('title'),
      align: cs.textAlign, bg: cs.backgroundImage, overflow: cs.textOverflow,
      truncated: td.scrollWidth > td.clientWidth, html: td.innerHTML,
    };
  }, [r, colName]);
}

test('sidebar lists every table with its row count, and the filter box narrows it', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await page.goto(server.url + '/');
    await page.waitForSelector('#table-list .tl-link');
    const api = (await apiGet(server, '/api/tables')).tables;
    const items = await page.$$eval('#table-list .tl-link', (as) => as.map((a) => ({
      table: a.dataset.table,
      label: a.querySelector('.tl-name').textContent,
      count: a.querySelector('.tl-count').textContent,
    })));
    assert.deepEqual(items.map((i) => i.table).sort(), api.map((t) => t.name).sort());
    for (const t of api) {
      const item = items.find((i) => i.table === t.name);
      assert.equal(item.label, t.display_name);
      const want = t.row_count_estimate === null ? '' : Number(t.row_count_estimate).toLocaleString('en-US');
      assert.equal(item.count, want, `count shown for ${t.name}`);
    }
    assert.ok(items.some((i) => i.table === 'people' && i.count === '300'), 'people shows 300 rows');
    // home page cards list the same tables
    assert.equal(await page.locator('#home-list .home-card').count(), api.length);

    await page.fill('#table-filter', 'PEOP');
    await page.waitForFunction(() => document.querySelectorAll('#table-list .tl-link').length === 1);
    assert.equal(await page.getAttribute('#table-list .tl-link', 'data-table'), 'people');
    await page.fill('#table-filter', 'nothing-like-this');
    await page.waitForSelector('#table-list-state:not([hidden])');
    assert.match(await page.textContent('#table-list-state'), /No table matches/);

    // the live indicator is green once /api/status answered
    await page.waitForSelector('#live[data-state="live"]');
    assert.equal(await page.textContent('#live .live-text'), 'live');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('clicking a table shows its rows, display names and the row count', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await page.goto(server.url + '/');
    await page.click('#table-list .tl-link[data-table="people"]');
    await waitRows(page);
    assert.match(page.url(), /#\/t\/people$/);
    const api = await apiGet(server, '/api/tables/people/rows?page=1&page_size=50');
    assert.deepEqual(await columnValues(page, 'name'), api.rows.map((r) => r.name));
    assert.deepEqual((await columnValues(page, 'id')).map(Number), api.rows.map((r) => r.id));
    assert.equal(await pagerInfo(page), '1–50 of 300 rows');
    assert.equal(await page.getAttribute('#table-list .tl-link[data-table="people"]', 'aria-current'), 'page');
    const labels = await page.$$eval('#grid thead th[data-col] .th-label', (els) => els.map((e) => e.textContent));
    assert.deepEqual(labels, api.columns.map((c) => c.display_name));
    assert.ok(labels.includes('Supervisor'), 'supervisor_id is shown as "Supervisor"');
    assert.equal(await page.getAttribute('#grid', 'role'), 'grid');
    assert.equal(await page.locator('#grid [role="columnheader"][aria-sort]').count(), api.columns.length);

    // a table whose name needs URL encoding
    await page.click('#table-list .tl-link[data-table="team notes"]');
    await waitRows(page);
    assert.match(page.url(), /#\/t\/team%20notes$/);
    assert.deepEqual(await columnValues(page, 'body'), ['Kick-off on Monday', 'Retro moved']);
    assert.equal(await pagerInfo(page), '1–2 of 2 rows');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('NULL, empty text, booleans, numbers, timestamps, JSON and markup render distinctly', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people');
    const api = await apiGet(server, '/api/tables/people/rows?page=1&page_size=50');
    assert.equal(api.rows[0].nickname, '');
    assert.equal(api.rows[9].nickname, null);

    const empty = await cellInfo(page, 0, 'nickname'); // id 1: ''
    const nul = await cellInfo(page, 9, 'nickname'); // id 10: NULL
    assert.match(empty.cls, /\bc-empty\b/);
    assert.doesNotMatch(empty.cls, /c-null/);
    assert.equal(empty.text, '');
    assert.match(nul.cls, /\bc-null\b/);
    assert.equal(nul.text, 'NULL');
    assert.match(nul.bg, /repeating-linear-gradient/);
    assert.doesNotMatch(empty.bg, /repeating-linear-gradient/);

    assert.equal((await cellInfo(page, 0, 'active')).text, '✓ Yes'); // id 1: true
    assert.equal((await cellInfo(page, 1, 'active')).text, '✕ No'); // id 2: false
    const nullBool = await cellInfo(page, 6, 'active'); // id 7: NULL
    assert.equal(nullBool.text, 'NULL');
    assert.match(nullBool.cls, /c-null/);

    assert.equal((await cellInfo(page, 0, 'age')).align, 'right');
    assert.equal((await cellInfo(page, 0, 'score')).align, 'right');
    assert.equal((await cellInfo(page, 0, 'name')).align, 'left');

    const ts = await cellInfo(page, 0, 'joined_at');
    assert.equal(ts.title, api.rows[0].joined_at, 'raw timestamp on hover');
    assert.notEqual(ts.text, api.rows[0].joined_at);
    assert.match(ts.text, /2024/);
    assert.match(ts.text, /Jan/);

    const json = await cellInfo(page, 0, 'prefs');
    assert.equal(json.text, JSON.stringify(api.rows[0].prefs));

    const markup = await cellInfo(page, 1, 'notes'); // id 2 holds HTML
    assert.equal(markup.text, api.rows[1].notes);
    assert.equal(await page.locator('#grid img, #grid b').count(), 0, 'markup is shown as text');
    assert.equal(await page.evaluate(() => window.__xss), undefined);

    const long = await cellInfo(page, 2, 'notes'); // id 3: long text
    assert.equal(long.overflow, 'ellipsis');
    assert.ok(long.truncated, 'long text is cut in the cell');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('clicking a row opens the detail panel with the whole value and pretty JSON', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people');
    const api = await apiGet(server, '/api/tables/people/rows?page=1&page_size=50');
    await page.click('#grid tbody tr[data-r="2"] td[data-c="1"]');
    await page.waitForSelector('#detail:not([hidden])');
    assert.match(await page.textContent('#detail-title'), /^Row 3\s*of 300$/);
    const notes = await page.textContent('#detail .dl-row[data-col="notes"] dd');
    assert.equal(notes, api.rows[2].notes, 'whole long text');
    const prefs = await page.textContent('#detail .dl-row[data-col="prefs"] pre.json');
    assert.equal(prefs, JSON.stringify(api.rows[2].prefs, null, 2));
    assert.match(await page.textContent('#detail .dl-row[data-col="nickname"] dd'), /nick3/);
    // next row button follows the grid
    await page.click('#detail button[data-act="next"]');
    assert.match(await page.textContent('#detail-title'), /^Row 4/);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#detail', { state: 'hidden' });
  } finally {
    await context.close();
  }
});

test('keyboard: arrows move focus, Enter opens detail, Esc closes, / searches, paging keys, copy', async () => {
  const { context, page } = await newPage(browser, server, { permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    await openTable(page, 'people');
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      const tr = el.closest('tr');
      return { tag: el.tagName, id: el.id, c: el.dataset.c, r: tr && tr.dataset.r, text: el.textContent };
    });
    await page.locator('body').press('/');
    assert.equal((await focused()).id, 'search');
    await page.keyboard.press('ArrowDown'); // from the search box into the grid
    assert.deepEqual(await focused(), { tag: 'TD', id: '', c: '0', r: '0', text: '1' });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    let f = await focused();
    assert.equal(f.c, '1');
    assert.equal(f.r, '1');
    assert.equal(f.text, 'Chen 002');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.equal(outline, 'solid', 'focus is visible');

    await page.keyboard.press('Control+c');
    await page.waitForFunction(() => !document.getElementById('toast').hidden);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'Chen 002');

    await page.keyboard.press('Enter');
    await page.waitForSelector('#detail:not([hidden])');
    assert.match(await page.textContent('#detail-title'), /^Row 2/);
    await page.keyboard.press('ArrowDown'); // the open panel follows the focused row
    assert.match(await page.textContent('#detail-title'), /^Row 3/);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#detail', { state: 'hidden' });
    f = await focused();
    assert.equal(f.tag, 'TD');
    assert.equal(f.r, '2');

    await page.keyboard.press('Alt+ArrowDown');
    await page.waitForSelector('.colmenu');
    assert.equal(await page.getAttribute('.colmenu', 'data-column'), 'name');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.colmenu', { state: 'detached' });
    f = await focused();
    assert.equal(f.tag, 'TH', 'focus returns to the column header');
    assert.equal(f.c, '1');
    await page.keyboard.press('ArrowDown');
    assert.equal((await focused()).r, '0');

    await page.keyboard.press('PageDown');
    await page.waitForFunction(() => document.getElementById('pager-info').textContent.startsWith('51–100'));
    assert.match(page.url(), /page=2/);
    f = await focused();
    assert.equal(f.tag, 'TD', 'focus stays in the grid after paging');
    assert.equal(f.text, (await apiGet(server, '/api/tables/people/rows?page=2&page_size=50')).rows[0].name);
    await page.keyboard.press('End');
    await page.waitForFunction(() => document.getElementById('pager-info').textContent.startsWith('251–300'));
    await page.keyboard.press('PageUp');
    await page.waitForFunction(() => document.getElementById('pager-info').textContent.startsWith('201–250'));
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.getElementById('pager-info').textContent.startsWith('1–50'));
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('theme follows the system, the toggle overrides it and is remembered', async () => {
  const { context, page } = await newPage(browser, server, { colorScheme: 'dark' });
  try {
    await openTable(page, 'cities');
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const darkBg = await bg();
    // Nothing stored: the system's dark scheme decides, and a change follows live.
    assert.equal(await page.evaluate(() => localStorage.getItem('seeki.theme')), null);
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    const themeIs = (t) => page.waitForFunction((want) => document.documentElement.dataset.theme === want, t, { timeout: 3000 });
    await page.emulateMedia({ colorScheme: 'light' });
    await themeIs('light');
    assert.notEqual(await bg(), darkBg);
    await page.emulateMedia({ colorScheme: 'dark' });
    await themeIs('dark');
    assert.equal(await bg(), darkBg);
    assert.equal(await page.getAttribute('#theme-toggle', 'aria-label'), 'Switch to light theme');
    await page.click('#theme-toggle');
    assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
    const lightBg = await bg();
    assert.notEqual(lightBg, darkBg);
    await page.reload();
    await waitRows(page);
    assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
    assert.equal(await bg(), lightBg);
    assert.equal(await page.evaluate(() => localStorage.getItem('seeki.theme')), 'light');
  } finally {
    await context.close();
  }
});

test('at 768 px the sidebar collapses into an overlay the toggle opens', async () => {
  const { context, page } = await newPage(browser, server, { viewport: { width: 768, height: 800 } });
  try {
    await openTable(page, 'cities');
    assert.equal(await page.isVisible('#sidebar'), false);
    assert.equal(await page.getAttribute('#sidebar-toggle', 'aria-expanded'), 'false');
    const gridBox = await page.locator('#grid-wrap').boundingBox();
    assert.ok(gridBox.x < 10, 'the grid uses the full width');
    await page.click('#sidebar-toggle');
    await page.waitForSelector('#sidebar', { state: 'visible' });
    await page.click('#table-list .tl-link[data-table="people"]');
    await waitRows(page);
    await page.waitForSelector('#sidebar', { state: 'hidden' });
    assert.equal(await pagerInfo(page), '1–50 of 300 rows');
    // the wide-screen toggle collapses the sidebar and remembers it
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForSelector('#sidebar', { state: 'visible' });
    await page.click('#sidebar-toggle');
    await page.waitForSelector('#sidebar', { state: 'hidden' });
    await page.reload();
    await waitRows(page);
    assert.equal(await page.isVisible('#sidebar'), false);
    assert.equal(await page.getAttribute('#sidebar-toggle', 'aria-expanded'), 'false');
  } finally {
    await context.close();
  }
});
