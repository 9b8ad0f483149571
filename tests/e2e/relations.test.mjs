// Relations in the browser (SPEC §9) on the demo database: a journey's driver
// cell shows the driver's name with the raw id muted beside it; clicking it
// opens the driver (drivers filtered to that id, detail panel open) and Back
// returns to the journeys; a vehicle's detail panel lists "Referenced by"
// with the counts the API gives, and its link opens the vehicle's journeys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiGet, columnValues, launchBrowser, newPage, openTable, startSeeki, tempDir, waitRows,
} from './helpers.mjs';
import path from 'node:path';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { after, before } from 'node:test';

let server;
let browser;
let demoDir;
before(async () => {
  demoDir = tempDir('seeki-e2e-demo-');
  server = await startSeeki({ args: ['--demo', '--port', '0'], env: { SEEKI_DEMO_DB: path.join(demoDir, 'demo.db') } });
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  if (demoDir) fs.rmSync(demoDir, { recursive: true, force: true });
});

async function waitView(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(location.hash), re.source);
  await waitRows(page);
}

test('a journey links to its driver, labelled, and Back returns', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    const api = await apiGet(server, '/api/tables/journeys/rows?page_size=50');
    const first = api.rows.find((r) => r.driver_id !== null);
    const idx = api.rows.indexOf(first);
    const name = api.labels.driver_id[String(first.driver_id)];
    assert.ok(name, 'the API labels the driver');
    await openTable(page, 'journeys');
    const c = await page.getAttribute('#grid thead th[data-col="driver_id"]', 'data-c');
    const cell = `#grid tbody tr[data-r="${idx}"] td[data-c="${c}"]`;
    assert.equal(await page.textContent(`${cell} .fk-label`), name);
    assert.equal(await page.textContent(`${cell} .fk-raw`), String(first.driver_id));
    const vc = await page.getAttribute('#grid thead th[data-col="vehicle_id"]', 'data-c');
    assert.equal(await page.textContent(`#grid tbody tr[data-r="${idx}"] td[data-c="${vc}"] .fk-label`),
      api.labels.vehicle_id[String(first.vehicle_id)]);

    await page.click(`${cell} a.fk`);
    await waitView(page, new RegExp(`^#/t/drivers\\?filter\\.id==${first.driver_id}&detail=1$`));
    assert.deepEqual((await columnValues(page, 'id')).map(Number), [first.driver_id]);
    await page.waitForSelector('#detail:not([hidden]) .detail-list');
    const shownName = await page.textContent('#detail .dl-row[data-col="first_name"] dd');
    assert.ok(name.startsWith(shownName.trim()), `${shownName} is the first name of ${name}`);

    await page.goBack();
    await waitView(page, /^#\/t\/journeys$/);
    assert.deepEqual((await columnValues(page, 'id')).map(Number), api.rows.map((r) => r.id));
    assert.equal(await page.isHidden('#detail'), true);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('Referenced by lists the child tables with their counts and follows the link', async () => {
  const { context, page } = await newPage(browser, server);
  try {
    const vid = 22;
    await openTable(page, 'vehicles', `filter.id==${vid}`);
    await page.click('#grid tbody tr[data-r="0"] td[data-c="1"]');
    await page.waitForSelector('#detail:not([hidden]) .refby');
    const want = {};
    for (const t of ['journeys', 'telemetry_log']) {
      const r = await apiGet(server, `/api/tables/${t}/rows?page_size=1&labels=off&filter.vehicle_id==${vid}`);
      want[t] = `${r.total_rows_exact ? '' : 'about '}${r.total_rows.toLocaleString('en-US')} row${r.total_rows === 1 ? '' : 's'}`;
    }
    await page.waitForFunction(() => [...document.querySelectorAll('#detail .refby-count')].every((s) => s.textContent !== '…'));
    const items = await page.$$eval('#detail .refby-list li', (lis) => lis.map((li) => ({
      table: li.querySelector('.refby-link').textContent,
      count: li.querySelector('.refby-count').textContent,
    })));
    const tables = await apiGet(server, '/api/tables');
    const disp = Object.fromEntries(tables.tables.map((t) => [t.name, t.display_name]));
    const refby = (await apiGet(server, '/api/tables/vehicles/columns')).referenced_by;
    assert.deepEqual(items, refby.map((r) => ({ table: disp[r.table], count: want[r.table] })));

    await page.click(`#detail .refby-link:text-is("${disp.journeys}")`);
    await waitView(page, new RegExp(`^#/t/journeys\\?filter\\.vehicle_id==${vid}$`));
    const ids = await columnValues(page, 'vehicle_id');
    assert.ok(ids.length > 0);
    const vc = await page.getAttribute('#grid thead th[data-col="vehicle_id"]', 'data-c');
    const raws = await page.$$eval(`#grid tbody td[data-c="${vc}"] .fk-raw`, (els) => els.map((e) => e.textContent));
    assert.ok(raws.length === ids.length && raws.every((v) => v === String(vid)));
    await page.goBack();
    await waitView(page, new RegExp(`^#/t/vehicles\\?filter\\.id==${vid}$`));
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('a composite key links on every column, and Referenced by filters on every column', async () => {
  const dir = tempDir('seeki-e2e-composite-');
  const db = path.join(dir, 'c.db');
  execFileSync('sqlite3', ['-bail', db], {
    input: `CREATE TABLE shifts (depot INTEGER, day TEXT, title TEXT, PRIMARY KEY (depot, day));
      CREATE TABLE assignments (id INTEGER PRIMARY KEY, who TEXT, depot INTEGER, day TEXT,
        FOREIGN KEY (depot, day) REFERENCES shifts);
      INSERT INTO shifts VALUES (1, '2026-04-01', 'Early'), (1, '2026-04-02', 'Late'), (2, '2026-04-01', 'Night');
      INSERT INTO assignments VALUES (1, 'Ann', 1, '2026-04-02'), (2, 'Bo', 1, '2026-04-01'), (3, 'Cy', 1, '2026-04-02');`,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const cfg = path.join(dir, 'seeki.toml');
  fs.writeFileSync(cfg, `[database]\nkind = "sqlite"\nurl = "sqlite://${db}"\n`);
  const srv = await startSeeki({ args: ['--config', cfg, '--port', '0'] });
  const { context, page } = await newPage(browser, srv);
  try {
    await openTable(page, 'assignments');
    const c = await page.getAttribute('#grid thead th[data-col="day"]', 'data-c');
    await page.click(`#grid tbody tr[data-r="0"] td[data-c="${c}"] a.fk`);
    await waitView(page, /^#\/t\/shifts\?filter\.depot==1&filter\.day==2026-04-02&detail=1$/);
    assert.deepEqual(await columnValues(page, 'title'), ['Late']);
    await page.waitForSelector('#detail:not([hidden]) .refby');
    await page.waitForFunction(() => document.querySelector('#detail .refby-count').textContent !== '…');
    assert.equal(await page.textContent('#detail .refby-count'), '2 rows');
    assert.equal(await page.textContent('#detail .refby-list li .muted'), 'by depot, day');
    await page.click('#detail .refby-link');
    await waitView(page, /^#\/t\/assignments\?filter\.depot==1&filter\.day==2026-04-02$/);
    assert.deepEqual(await columnValues(page, 'who'), ['Ann', 'Cy']);
    await page.goBack();
    await waitView(page, /^#\/t\/shifts\?filter\.depot==1&filter\.day==2026-04-02/);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
