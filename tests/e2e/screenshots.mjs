// Makes the UI screenshots in docs/screenshots/ (light and dark, 1280x800)
// against `seeki --demo`, with the demo database in a temp dir.
// Usage: node tests/e2e/screenshots.mjs   (SEEKI_BIN picks the binary)
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, launchBrowser, newPage, startSeeki, tempDir, waitRows } from './helpers.mjs';

const OUT = path.join(ROOT, 'docs', 'screenshots');

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const demoDir = tempDir('seeki-demo-');
  const server = await startSeeki({
    args: ['--demo', '--port', '0'],
    env: { SEEKI_DEMO_DB: path.join(demoDir, 'demo.db') },
  });
  const browser = await launchBrowser();
  const made = [];
  try {
    for (const theme of ['light', 'dark']) {
      const { context, page } = await newPage(browser, server, { colorScheme: theme, locale: 'en-GB' });
      page.setDefaultTimeout(30000);
      const shot = async (name) => {
        const file = path.join(OUT, `${name}-${theme}.png`);
        await page.screenshot({ path: file });
        made.push(path.relative(ROOT, file));
      };

      // 1. the grid, sorted on two columns
      await page.goto(`${server.url}/#/t/vehicles?sort=is_electric:desc&sort=year:desc`);
      await waitRows(page);
      await page.waitForSelector('#live[data-state="live"]');
      await shot('grid');

      // 2. the column menu with a filter and its live match count
      await page.click('#grid thead th[data-col="odometer_km"] .th-menu');
      await page.locator('.colmenu .pm-input').fill('>100000');
      await page.waitForFunction(() => /match/.test(document.querySelector('.colmenu .pm-count').textContent));
      await shot('column-menu');
      await page.keyboard.press('Escape');

      // 3. row detail with pretty JSON; vehicle and driver cells show their labels
      await page.goto(`${server.url}/#/t/journeys`);
      await waitRows(page);
      await page.click('#grid tbody tr[data-r="2"] td[data-c="0"]');
      await page.waitForSelector('#detail:not([hidden])');
      await shot('row-detail');

      // 3b. a vehicle's detail: Referenced by, with counts and links
      await page.goto(`${server.url}/#/t/vehicles?filter.id==22&detail=1`);
      await waitRows(page);
      await page.waitForSelector('#detail:not([hidden]) .refby');
      await page.waitForFunction(() => [...document.querySelectorAll('#detail .refby-count')].every((s) => s.textContent !== '…'));
      await shot('referenced-by');

      // 4. a narrow window: the sidebar collapses into an overlay
      await page.setViewportSize({ width: 768, height: 800 });
      await page.goto(`${server.url}/#/t/drivers?filter.rating=%3E4`);
      await waitRows(page);
      await shot('narrow');
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(demoDir, { recursive: true, force: true });
  }
  for (const f of made) console.log(`wrote ${f}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
