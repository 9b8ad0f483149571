// The setup wizard in Chromium (issue #17): SeeKi started without a config
// (HOME and XDG_CONFIG_HOME in a temp dir) shows the wizard; a failing
// connection keeps the user on step 1 with the message at the field; the
// four steps (keyboard only) write the config and end in the grid; a restart
// then loads the saved config without the wizard.
// SEEKI_SHOTS=DIR also writes screenshots of each step there (docs).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, makeFixtureDb, newPage, startSeeki, tempDir } from './helpers.mjs';

const SHOTS = process.env.SEEKI_SHOTS || '';
let browser;
let home;
let db;

function setupEnv() {
  return { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
}

const configPath = () => path.join(home, '.config', 'seeki', 'config.toml');

async function shot(page, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

before(async () => {
  home = tempDir('seeki-e2e-home-');
  db = makeFixtureDb(home);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  fs.rmSync(home, { recursive: true, force: true });
});

test('a failing connection stays on step 1 with the message at the field', async () => {
  const server = await startSeeki({ args: ['--port', '0'], env: setupEnv() });
  const { context, page } = await newPage(browser, server);
  try {
    await page.goto(server.url);
    await page.waitForSelector('#wiz-connect:not([hidden])');
    assert.match(page.url(), /#\/setup$/);
    await page.check('input[name="wiz-kind"][value="sqlite"]');
    const missing = path.join(home, 'missing.db');
    await page.fill('#wiz-sqlite-path', missing);
    await page.click('#wiz-test');
    const note = page.locator('#wiz-sqlite-path-error');
    await note.waitFor();
    assert.match(await note.textContent(), /does not exist/);
    assert.equal(await page.getAttribute('#wiz-sqlite-path', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'wiz-sqlite-path');
    assert.equal(await page.isHidden('#wiz-tables'), true, 'still on step 1');
    assert.equal(await page.getAttribute('#wiz-steps li[data-step="1"]', 'aria-current'), 'step');
    await shot(page, 'setup-error');
    // a bad PostgreSQL URL: the config step, at the URL field
    await page.check('input[name="wiz-kind"][value="postgres"]');
    await page.fill('#wiz-url', 'postgres://reader@db.example.com:5432/app?nosuchoption=1');
    await page.click('#wiz-test');
    await page.locator('#wiz-url-error').waitFor();
    assert.match(await page.textContent('#wiz-url-error'), /database\.url/);
    assert.equal(fs.existsSync(configPath()), false, 'testing writes nothing');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
    await server.stop();
  }
});

test('the four steps by keyboard write the config and land in the grid; a restart skips the wizard', async () => {
  const server = await startSeeki({ args: ['--port', '0'], env: setupEnv() });
  const { context, page } = await newPage(browser, server);
  try {
    await page.goto(server.url);
    await page.waitForSelector('#wiz-connect:not([hidden])');
    await shot(page, 'setup-connect');
    // Step 1 by keyboard: focus the SQLite radio, type the path, Enter submits
    await page.focus('input[name="wiz-kind"][value="postgres"]');
    await page.keyboard.press('ArrowDown'); // radio group: selects SQLite
    assert.equal(await page.isChecked('input[name="wiz-kind"][value="sqlite"]'), true);
    await page.focus('#wiz-sqlite-path');
    await page.keyboard.type(db);
    await page.keyboard.press('Enter');
    // Step 2: tables with counts
    await page.waitForSelector('#wiz-tables:not([hidden])');
    const rows = page.locator('#wiz-table-list .wiz-table-row');
    const n = await rows.count();
    assert.ok(n >= 2, `tables listed: ${n}`);
    const names = await page.$$eval('#wiz-table-list .wiz-table-row input', (els) => els.map((e) => e.dataset.table));
    assert.ok(names.includes('people'), names.join(','));
    const countText = await page.textContent('#wiz-table-list .wiz-table-row:has(input[data-table="people"]) .wiz-count');
    assert.match(countText, /\d+ rows|rows unknown/);
    await shot(page, 'setup-tables');
    // filter + select none, then keep just people (keyboard: Space toggles)
    await page.fill('#wiz-table-filter', 'peo');
    assert.equal(await page.isVisible('#wiz-table-list .wiz-table-row:has(input[data-table="people"])'), true);
    await page.fill('#wiz-table-filter', '');
    await page.click('#wiz-none');
    await page.click('#wiz-tables-next');
    assert.match(await page.textContent('#wiz-tables-error'), /at least one/);
    await page.focus('#wiz-table-list input[data-table="people"]');
    await page.keyboard.press('Space');
    await page.focus('#wiz-tables-next');
    await page.keyboard.press('Enter');
    // Step 3: branding previewed live
    await page.waitForSelector('#wiz-branding:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'wiz-title');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Fleet desk');
    await page.focus('#wiz-subtitle');
    await page.keyboard.type('Read-only');
    assert.equal(await page.textContent('#brand-title'), 'Fleet desk');
    assert.equal(await page.textContent('#brand-subtitle'), 'Read-only');
    await shot(page, 'setup-branding');
    await page.focus('#wiz-branding-next');
    await page.keyboard.press('Enter');
    // Step 4: the summary, then save
    await page.waitForSelector('#wiz-confirm:not([hidden])');
    const summary = await page.textContent('#wiz-summary');
    assert.match(summary, /SQLite/);
    assert.match(summary, /1 of \d+: people/);
    assert.match(summary, /Fleet desk/);
    await shot(page, 'setup-confirm');
    await page.focus('#wiz-save');
    await page.keyboard.press('Enter');
    // lands in the grid of the one table kept
    await page.waitForFunction(() => location.hash.startsWith('#/t/people'));
    await page.waitForSelector('#grid tbody tr');
    assert.equal(await page.isVisible('#view-table'), true);
    assert.equal(await page.textContent('#brand-title'), 'Fleet desk');
    const listed = await page.$$eval('#table-list a', (els) => els.length);
    assert.equal(listed, 1, 'only the selected table is listed');
    await shot(page, 'setup-done-grid');
    const toml = fs.readFileSync(configPath(), 'utf8');
    assert.match(toml, /include = \[ "people" \]|include = \["people"\]/);
    assert.equal(fs.statSync(configPath()).mode & 0o777, 0o600);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
    await server.stop();
  }
  // restart: the saved config loads, no wizard
  const again = await startSeeki({ args: ['--port', '0'], env: setupEnv() });
  const p2 = await newPage(browser, again);
  try {
    assert.doesNotMatch(again.log(), /No config found/);
    await p2.page.goto(again.url);
    await p2.page.waitForSelector('#table-list a');
    assert.equal(await p2.page.isHidden('#view-setup'), true);
    assert.equal(await p2.page.textContent('#brand-title'), 'Fleet desk');
  } finally {
    await p2.context.close();
    await again.stop();
  }
});

test('dark theme styles the wizard too', async () => {
  fs.rmSync(path.join(home, '.config'), { recursive: true, force: true });
  const server = await startSeeki({ args: ['--port', '0'], env: setupEnv() });
  const { context, page } = await newPage(browser, server, { colorScheme: 'dark' });
  try {
    await page.goto(server.url);
    await page.waitForSelector('#wiz-connect:not([hidden])');
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    const bg = await page.$eval('#wiz-url', (el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(bg, 'rgb(255, 255, 255)');
    await page.check('#wiz-ssh');
    assert.equal(await page.isVisible('#wiz-ssh-host'), true);
    await shot(page, 'setup-connect-dark');
  } finally {
    await context.close();
    await server.stop();
  }
});

test('the tunnel block: a password leaves the URL, an unknown key is compared then accepted, a changed key is a hard stop', async () => {
  // The API's side of this is tests/tunnel/test_setup_tunnel.py (a real bastion);
  // here the browser's answers are faked (page.route) to check what the page
  // sends and shows.
  fs.rmSync(path.join(home, '.config'), { recursive: true, force: true });
  const server = await startSeeki({ args: ['--port', '0'], env: setupEnv() });
  const { context, page } = await newPage(browser, server);
  const sent = [];
  let answer = null;
  await page.route('**/api/setup/test-connection', async (route) => {
    sent.push(route.request().postDataJSON());
    const [status, body] = answer(sent.length);
    await route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  });
  const fp = 'SHA256:u4lCMv2Zq8nB4cQ0c7Y9pYH6m3Wm0ZxGk1JtQyS7abc';
  try {
    await page.goto(server.url);
    await page.waitForSelector('#wiz-connect:not([hidden])');
    await page.fill('#wiz-url', 'postgres://reader:pa%40ss@10.0.12.7:5432/app?sslmode=require');
    await page.check('#wiz-ssh');
    await page.fill('#wiz-ssh-host', 'bastion.example.com');
    await page.fill('#wiz-ssh-port', '2222');
    await page.fill('#wiz-ssh-user', 'jlim');
    await page.selectOption('#wiz-ssh-auth', 'agent');
    answer = (n) => (n === 1
      ? [409, { error: 'The host key of bastion.example.com:2222 is not known yet', step: 'host_key', host_key: fp }]
      : [200, { schemas: [{ name: 'public', tables: [{ name: 'drivers', kind: 'table', row_count_estimate: 12 }] }], tunnel: { host_key: fp } }]);
    await page.click('#wiz-test');
    await page.waitForSelector('#wiz-hostkey:not([hidden])');
    assert.deepEqual(sent[0].database, { kind: 'postgres', url: 'postgres://reader@10.0.12.7:5432/app?sslmode=require', schemas: ['public'] });
    assert.deepEqual(sent[0].secrets, { database: { password: 'pa@ss' } });
    assert.deepEqual(sent[0].ssh, { host: 'bastion.example.com', port: 2222, auth_method: 'agent', username: 'jlim' });
    assert.equal(sent[0].accept_host_key, undefined);
    assert.equal(await page.textContent('#wiz-hostkey-fp'), fp);
    assert.equal(await page.textContent('#wiz-hostkey-cmd'), 'ssh-keyscan -p 2222 bastion.example.com | ssh-keygen -lf -');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'wiz-accept-key');
    await shot(page, 'setup-hostkey');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#wiz-tables:not([hidden])');
    assert.equal(sent[1].accept_host_key, fp);
    // back to step 1; now the key has changed: no accept button, message at the SSH host
    await page.click('#wiz-tables [data-wiz-back="1"]');
    answer = () => [422, { error: `Host key verification failed for bastion.example.com:2222: the host key has changed (now ${fp}, known_hosts says SHA256:old at /root/.ssh/known_hosts:3)`, step: 'host_key' }];
    await page.click('#wiz-test');
    await page.locator('#wiz-ssh-host-error').waitFor();
    assert.match(await page.textContent('#wiz-ssh-host-error'), /^Host key verification failed/);
    assert.equal(await page.isHidden('#wiz-hostkey'), true, 'a changed key cannot be accepted');
    assert.equal(await page.isHidden('#wiz-tables'), true);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
    await server.stop();
  }
});
