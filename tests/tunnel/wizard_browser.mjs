// Drives the setup wizard in headless Chromium through a real SSH bastion, for
// tests/tunnel/test_setup_tunnel.py (which builds the network namespaces and
// starts seeki in setup mode inside the laptop namespace). Chromium runs in
// that namespace too: CHROMIUM_WRAPPER is a script that execs it there.
// argv: URL, then a JSON object {ssh_host, ssh_port, ssh_user, key_path,
// db_url, db_password, fingerprint}. Prints one line per check; exits 0 when
// the wizard walked all four steps and ended in the grid, 1 otherwise.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const [url, json] = process.argv.slice(2);
const p = JSON.parse(json);
const shots = process.env.SEEKI_SHOTS || '';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_WRAPPER,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let ok = false;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.setDefaultTimeout(60000);
  await page.goto(url);
  await page.waitForSelector('#wiz-connect:not([hidden])');
  await page.click('input[name="wiz-pgmode"][value="fields"]');
  const u = new URL(p.db_url);
  await page.fill('#wiz-pg-host', u.hostname.replace(/^\[|\]$/g, ''));
  await page.fill('#wiz-pg-port', u.port);
  await page.fill('#wiz-pg-db', u.pathname.slice(1));
  await page.fill('#wiz-pg-user', decodeURIComponent(u.username));
  await page.fill('#wiz-pg-password', p.db_password);
  await page.check('#wiz-ssh');
  await page.fill('#wiz-ssh-host', p.ssh_host);
  await page.fill('#wiz-ssh-port', String(p.ssh_port));
  await page.fill('#wiz-ssh-user', p.ssh_user);
  await page.selectOption('#wiz-ssh-auth', 'key');
  await page.fill('#wiz-ssh-key', p.key_path);
  await page.click('#wiz-test');
  // a new bastion: its real fingerprint, to compare
  await page.waitForSelector('#wiz-hostkey:not([hidden])');
  assert.equal(await page.textContent('#wiz-hostkey-fp'), p.fingerprint);
  console.log('host key shown');
  if (shots) await page.screenshot({ path: `${shots}/setup-hostkey-tunnel.png` });
  await page.click('#wiz-accept-key');
  await page.waitForSelector('#wiz-tables:not([hidden])');
  assert.ok(await page.isVisible('#wiz-table-list input[data-table="drivers"]'));
  console.log('tables listed');
  await page.click('#wiz-tables-next');
  await page.waitForSelector('#wiz-branding:not([hidden])');
  await page.fill('#wiz-title', 'Through the bastion');
  await page.click('#wiz-branding-next');
  await page.waitForSelector('#wiz-confirm:not([hidden])');
  const summary = await page.textContent('#wiz-summary');
  assert.match(summary, new RegExp(`${p.ssh_user}@${p.ssh_host.replace(/[.[\]]/g, '\\$&')}:${p.ssh_port}`));
  assert.match(summary, /added to known_hosts on save/);
  assert.ok(!summary.includes(p.db_password), 'the summary masks the password');
  console.log('summary shown');
  await page.click('#wiz-save');
  await page.waitForFunction(() => location.hash.startsWith('#/t/'));
  await page.waitForSelector('#grid tbody tr');
  assert.equal(await page.textContent('#brand-title'), 'Through the bastion');
  console.log('grid shown');
  assert.deepEqual(errors, []);
  ok = true;
} catch (e) {
  console.log(`FAILED: ${e.stack || e}`);
} finally {
  await browser.close();
}
process.exit(ok ? 0 : 1);
