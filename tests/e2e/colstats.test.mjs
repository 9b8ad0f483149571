// Column insight in the browser: the column menu's statistics (figures from
// /api/tables/{t}/stats/{col}, a top value applied as an =value filter) and
// sensitive columns (display.sensitive = ["notes"] here) masked as ••••••
// until a cell is clicked or the column is revealed from its menu.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiGet, columnValues, newPage, openTable, useServerAndBrowser, waitRows } from './helpers.mjs';

let server;
let browser;
useServerAndBrowser((s, b) => { server = s; browser = b; }, { toml: '[display]\nsensitive = ["NOTES"]\n' });

const MASK = '••••••';

async function openMenu(page, col) {
  await page.click(`#grid thead th[data-col="${col}"] .th-menu`);
  await page.waitForSelector(`.colmenu[data-column="${col}"] .st-figs`);
  return page.$(`.colmenu[data-column="${col}"]`);
}

// The figures the menu shows, by label.
async function figures(page) {
  return page.$$eval('.colmenu .st-fig', (fs) => Object.fromEntries(fs.map((f) => [
    f.querySelector('dt').textContent, f.querySelector('dd').textContent])));
}

test('the column menu shows the column statistics of the current view', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people', 'filter.active=yes');
    await openMenu(page, 'age');
    const s = await apiGet(server, '/api/tables/people/stats/age?filter.active=yes');
    assert.equal(s.exact, true);
    const f = await figures(page);
    assert.equal(f.Rows, s.count.toLocaleString());
    assert.equal(f['Empty (NULL)'], s.nulls.toLocaleString());
    assert.equal(f.Distinct, s.distinct.toLocaleString());
    assert.equal(f.Min, String(s.min));
    assert.equal(f.Max, String(s.max));
    assert.equal(Number(f.Average.replace(/,/g, '')).toFixed(2), s.avg.toFixed(2));
    assert.equal(await page.$('.colmenu .st-top'), null, 'numbers list no top values');
    assert.equal(await page.$('.colmenu .st-badge'), null, 'exact figures are not marked sampled');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('clicking a top value applies it as an exact filter', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people');
    await openMenu(page, 'nickname');
    const s = await apiGet(server, '/api/tables/people/stats/nickname');
    assert.equal(s.top[0].value, '', 'the empty string is the most frequent nickname');
    const shown = await page.$$eval('.colmenu .st-val .st-n', (ns) => ns.map((n) => n.textContent));
    assert.deepEqual(shown, s.top.map((t) => t.count.toLocaleString()));
    await page.click('.colmenu .st-val[data-i="0"]');
    await page.waitForFunction(() => location.hash.includes('filter.nickname='));
    await waitRows(page);
    assert.equal(await page.$('.colmenu'), null, 'the menu closes');
    const rows = await apiGet(server, '/api/tables/people/rows?filter.nickname=%3D');
    assert.equal(rows.total_rows, s.top[0].count);
    assert.deepEqual((await columnValues(page, 'id')).map(Number), rows.rows.map((r) => r.id));
    // a second column: a text value other than the empty string
    await openMenu(page, 'name');
    const first = await page.textContent('.colmenu .st-val[data-i="0"] .st-v');
    await page.click('.colmenu .st-val[data-i="0"]');
    await page.waitForFunction(() => location.hash.includes('filter.name='));
    await waitRows(page);
    assert.deepEqual(await columnValues(page, 'name'), [first]);
    // JSON values are listed but not offered as filters (their JSON form is
    // not the text the server compares)
    await page.keyboard.press('Escape');
    await openMenu(page, 'prefs');
    assert.ok((await page.$$('.colmenu .st-top .st-static')).length > 0);
    assert.equal((await page.$$('.colmenu .st-top button')).length, 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('a sensitive column is masked until a cell is clicked or the column revealed', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    await openTable(page, 'people');
    const api = await apiGet(server, '/api/tables/people/rows');
    const notes = api.rows.map((r) => r.notes);
    assert.equal(api.columns.find((c) => c.name === 'notes').sensitive, true);
    // every cell is masked, and no value is in the grid's HTML
    assert.deepEqual(await columnValues(page, 'notes'), notes.map(() => MASK));
    const html = await page.innerHTML('#grid');
    assert.ok(!html.includes(notes[1]), 'a masked value is nowhere in the DOM');
    // other columns show as usual
    assert.notEqual((await columnValues(page, 'name'))[0], MASK);

    // one click reveals one cell, and opens no detail panel
    const c = await page.getAttribute('#grid thead th[data-col="notes"]', 'data-c');
    await page.click(`#grid tbody tr[data-r="1"] td[data-c="${c}"]`);
    await page.waitForFunction((cc) => document.querySelector(`#grid tbody tr[data-r="1"] td[data-c="${cc}"]`).textContent !== '••••••', c);
    const after = await columnValues(page, 'notes');
    assert.equal(after[1], notes[1]);
    assert.equal(after.filter((v) => v === MASK).length, notes.length - 1);
    assert.equal(await page.isHidden('#detail'), true);

    // the row detail masks it too, with a Reveal button for that value
    await page.click('#grid tbody tr[data-r="4"] td[data-c="1"]');
    await page.waitForSelector('#detail:not([hidden])');
    const dd = '#detail .dl-row[data-col="notes"] dd';
    assert.match(await page.textContent(dd), /^••••••\s*Reveal$/);
    await page.click(`${dd} [data-act="reveal"]`);
    await page.waitForFunction((sel) => !document.querySelector(sel).textContent.includes('••••••'), dd);
    assert.equal((await page.textContent(dd)).trim(), notes[4]);
    assert.equal((await columnValues(page, 'notes'))[4], notes[4], 'the grid shows it as well');
    await page.keyboard.press('Escape');

    // the menu says what masking is for and reveals the whole column
    await openMenu(page, 'notes');
    const note = await page.textContent('.colmenu .pm-note');
    assert.match(note, /shared screen, not the data/);
    assert.match(note, /columns\.exclude/);
    // statistics values are masked as well
    const tops = await page.$$eval('.colmenu .st-v', (vs) => vs.map((v) => v.textContent));
    assert.ok(tops.length > 0 && tops.every((v) => v === MASK), tops.join('|'));
    await page.click('.colmenu [data-act="reveal"]');
    await page.waitForFunction(() => !document.querySelector('#grid td[data-masked]'));
    const shown = await columnValues(page, 'notes');
    assert.ok(!shown.includes(MASK));
    notes.forEach((n, i) => {
      if (n === null) assert.equal(shown[i], 'NULL');
      else if (n.length < 60) assert.equal(shown[i], n); // long notes are cut with an ellipsis
    });
    // and masks it again
    await openMenu(page, 'notes');
    await page.click('.colmenu [data-act="mask"]');
    await page.waitForFunction(() => document.querySelectorAll('#grid td[data-masked]').length > 1);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});
