// Shared helpers for the browser tests (node --test + playwright-core driving
// Debian's /usr/bin/chromium; no browser is ever downloaded).
//  - makeFixtureDb(): a SQLite database from fixture.sql (sqlite3 CLI) in a temp dir
//  - startSeeki(): the real binary (SEEKI_BIN, default build/seeki) on port 0,
//    port read from "SeeKi listening on http://127.0.0.1:PORT"; stop() by PID
//  - launchBrowser(): headless Chromium with a fresh profile
//  - apiGet(), parseCsv(), grid readers

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { after, before } from 'node:test';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SEEKI_BIN = path.resolve(ROOT, process.env.SEEKI_BIN || 'build/seeki');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

const live = new Set(); // children still running; killed at process exit whatever happens
process.on('exit', () => {
  for (const child of live) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

export function tempDir(prefix = 'seeki-e2e-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function makeFixtureDb(dir) {
  const db = path.join(dir, 'fixture.db');
  const sql = fs.readFileSync(path.join(ROOT, 'tests/e2e/fixture.sql'));
  execFileSync('sqlite3', ['-bail', db], { input: sql, stdio: ['pipe', 'ignore', 'inherit'] });
  return db;
}

// Starts seeki. opts: {args: [...] (default: --config with a fixture DB),
// env: {}, cwd}. Resolves to {url, port, pid, dir, stop(), log()}.
export async function startSeeki(opts = {}) {
  if (!fs.existsSync(SEEKI_BIN)) {
    throw new Error(`SeeKi binary not found at ${SEEKI_BIN}: build it with make (or set SEEKI_BIN).`);
  }
  const dir = tempDir();
  let args = opts.args;
  if (!args) {
    const db = makeFixtureDb(dir);
    const cfg = path.join(dir, 'seeki.toml');
    fs.writeFileSync(cfg, `[database]\nkind = "sqlite"\nurl = "sqlite://${db}"\n${opts.toml || ''}`);
    args = ['--config', cfg, '--port', '0'];
  }
  const child = spawn(SEEKI_BIN, args, {
    cwd: opts.cwd || dir,
    env: {
      // for a sanitizer build (harmless otherwise): report leaks, never suppress SeeKi's own
      LSAN_OPTIONS: `suppressions=${path.join(ROOT, 'tests/lsan.supp')}:print_suppressions=0`,
      ...process.env,
      SEEKI_LOG: 'info',
      ...(opts.env || {}),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  let log = '';
  let exited = null;
  child.stderr.setEncoding('utf8');
  const exitP = new Promise((resolve) => child.on('exit', (code, sig) => {
    exited = { code, sig };
    live.delete(child);
    resolve(exited);
  }));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`seeki did not print its listening line within 20 s. Log:\n${log}`)), 20000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const m = /SeeKi listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    exitP.then((e) => { clearTimeout(timer); reject(new Error(`seeki exited early (${JSON.stringify(e)}). Log:\n${log}`)); });
  }).catch((e) => {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    pid: child.pid,
    dir,
    log: () => log,
    exited: () => exited,
    // Kills by PID (SIGTERM, then SIGKILL after 5 s) and removes the temp dir.
    // Throws when the server's log holds a sanitizer report (ASan/UBSan builds).
    async stop({ signal = 'SIGTERM' } = {}) {
      if (!exited) {
        try { process.kill(child.pid, signal); } catch { /* gone */ }
        const t = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
        await exitP;
        clearTimeout(t);
      }
      fs.rmSync(dir, { recursive: true, force: true });
      const m = /(ERROR: (Address|Leak)Sanitizer|runtime error:)[^]*/.exec(log);
      if (m) throw new Error(`seeki (pid ${child.pid}) reported a sanitizer error:\n${m[0].slice(0, 4000)}`);
    },
  };
}

// One seeki and one Chromium for a test file: started before its tests,
// stopped after them (also when a test fails). onReady receives both;
// seekiOpts go to startSeeki (e.g. {toml} for extra config).
export function useServerAndBrowser(onReady, seekiOpts = {}) {
  let server;
  let browser;
  before(async () => {
    server = await startSeeki(seekiOpts);
    browser = await launchBrowser();
    onReady(server, browser);
  });
  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });
}

export async function launchBrowser() {
  // launch() gives every run its own fresh temporary profile (user-data-dir),
  // removed again on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// A new context (clean localStorage) and page; page errors fail loudly.
export async function newPage(browser, server, opts = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    ...opts,
  });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.setDefaultTimeout(10000);
  page.server = server;
  return { context, page };
}

export async function apiGet(server, pathAndQuery) {
  const res = await fetch(server.url + pathAndQuery);
  const body = await res.json();
  if (!res.ok) throw new Error(`${pathAndQuery} -> ${res.status} ${JSON.stringify(body)}`);
  return body;
}

// Opens a table by URL and waits until its rows are rendered.
export async function openTable(page, table, query = '') {
  await page.goto(`${page.server.url}/#/t/${encodeURIComponent(table)}${query ? '?' + query : ''}`);
  await waitRows(page);
}

// Waits until the grid has finished loading (not busy) and shows rows or a state.
export async function waitRows(page) {
  await page.waitForFunction(() => {
    const g = document.getElementById('grid');
    return g && !g.hasAttribute('aria-busy') && !document.querySelector('#grid tbody.skeleton')
      && (document.querySelector('#grid tbody tr') || !document.getElementById('grid-state').hidden
        || !document.getElementById('banner').hidden);
  });
}

// Text of every cell of one column (by column name) in grid order.
export async function columnValues(page, colName) {
  return page.evaluate((name) => {
    const th = [...document.querySelectorAll('#grid thead th[data-col]')].find((x) => x.dataset.col === name);
    if (!th) throw new Error(`no column ${name} in the grid`);
    const c = th.dataset.c;
    return [...document.querySelectorAll(`#grid tbody td[data-c="${c}"]`)].map((td) => td.textContent);
  }, colName);
}

export async function headerNames(page) {
  return page.$$eval('#grid thead th[data-col]', (ths) => ths.map((th) => th.dataset.col));
}

export async function pagerInfo(page) {
  return (await page.textContent('#pager-info')).trim();
}

// RFC 4180 parser: returns rows of fields; a quoted empty field is '' and an
// unquoted empty one is null, so NULL and empty text stay apart.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let i = 0;
  while (i < text.length) {
    let field;
    if (text[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted CSV field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') { s += '"'; i += 2; continue; }
          i++;
          break;
        }
        s += text[i++];
      }
      field = s;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      field = j === i ? null : text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (text[i] === ',') { i++; continue; }
    if (text[i] === '\r') i++;
    if (text[i] === '\n' || i >= text.length) {
      i++;
      rows.push(row);
      row = [];
    }
  }
  return rows;
}
