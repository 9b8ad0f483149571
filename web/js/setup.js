// The first-run setup wizard (SPEC §7) on #/setup: 1 Connect (PostgreSQL URL
// or fields, or a SQLite path; optional SSH tunnel), 2 Tables, 3 Branding
// (previewed live in the top bar), 4 Confirm & save. Step 1 builds the JSON
// image of seeki.toml plus "secrets" and asks POST /api/setup/test-connection;
// a failure stays on step 1 with the message at the field its `step` names,
// an unknown bastion key (409) shows its fingerprint for the user to compare
// and accept; a changed key is a hard stop. Save posts the same image and,
// once SeeKi runs in normal mode, lands in the grid.

import { api, ApiError } from './api.js';
import { esc, formatInt } from './format.js';

const $ = (id) => document.getElementById(id);

// handlers: onSaved(): reload status, branding and tables and open the grid
let h = null;
const w = {
  step: 1,
  result: null,       // the 200 answer of test-connection
  acceptKey: null,    // "SHA256:…" the user accepted
  pendingKey: null,   // fingerprint of the 409 awaiting acceptance
  selected: new Set(), // "schema\u0000table" of the tables the user keeps
};

const val = (id) => $(id).value.trim();
const radio = (name) => document.querySelector(`input[name="${name}"]:checked`).value;

export function initSetup(handlers) {
  h = handlers;
  for (const el of document.querySelectorAll('input[name="wiz-kind"], input[name="wiz-pgmode"], #wiz-ssh, #wiz-ssh-auth')) {
    el.addEventListener('change', () => { syncConnect(); resetKey(); });
  }
  for (const id of ['wiz-ssh-host', 'wiz-ssh-port']) $(id).addEventListener('input', resetKey);
  $('wiz-connect').addEventListener('submit', (e) => { e.preventDefault(); testConnection(); });
  $('wiz-accept-key').addEventListener('click', () => {
    w.acceptKey = w.pendingKey;
    testConnection();
  });
  $('wiz-all').addEventListener('click', () => selectAll(true));
  $('wiz-none').addEventListener('click', () => selectAll(false));
  $('wiz-table-filter').addEventListener('input', filterTables);
  $('wiz-table-list').addEventListener('change', (e) => {
    const b = e.target.closest('input[type="checkbox"]');
    if (!b) return;
    if (b.dataset.schema !== undefined && b.dataset.table === undefined) {
      for (const t of tablesOf(b.dataset.schema)) setSel(b.dataset.schema, t.name, b.checked);
      renderTables();
      return;
    }
    setSel(b.dataset.schema, b.dataset.table, b.checked);
    renderSchemaChecks();
  });
  $('wiz-tables-next').addEventListener('click', () => {
    if (w.selected.size === 0) {
      $('wiz-tables-error').textContent = 'Select at least one table.';
      return;
    }
    $('wiz-tables-error').textContent = '';
    goStep(3);
  });
  for (const id of ['wiz-title', 'wiz-subtitle']) $(id).addEventListener('input', previewBranding);
  $('wiz-branding-next').addEventListener('click', () => { renderSummary(); goStep(4); });
  $('wiz-save').addEventListener('click', save);
  document.querySelectorAll('[data-wiz-back]').forEach((b) => b.addEventListener('click', () => goStep(Number(b.dataset.wizBack))));
  syncConnect();
}

// ---- step 1 -------------------------------------------------------------

function syncConnect() {
  const sqlite = radio('wiz-kind') === 'sqlite';
  $('wiz-pg').hidden = sqlite;
  $('wiz-sqlite').hidden = !sqlite;
  $('wiz-ssh-row').hidden = sqlite;
  const fields = radio('wiz-pgmode') === 'fields';
  $('wiz-pg-url').hidden = fields;
  $('wiz-pg-fields').hidden = !fields;
  const ssh = $('wiz-ssh').checked && !sqlite;
  $('wiz-ssh').setAttribute('aria-expanded', String(ssh));
  $('wiz-ssh-block').hidden = !ssh;
  const auth = $('wiz-ssh-auth').value;
  $('wiz-ssh-key-row').hidden = auth !== 'key';
  $('wiz-ssh-pass-row').hidden = auth !== 'key';
  $('wiz-ssh-pw-row').hidden = auth !== 'password';
}

function resetKey() {
  w.acceptKey = null;
  w.pendingKey = null;
  $('wiz-hostkey').hidden = true;
}

// Throws {field, message} for what the browser can tell before asking.
function need(id, what) {
  const v = val(id);
  if (!v) throw { field: id, message: `${what} is required.` };
  return v;
}

function port(id, what) {
  const v = need(id, what);
  if (!/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw { field: id, message: `${what} must be a number from 1 to 65535.` };
  return Number(v);
}

// The JSON image of seeki.toml (database, ssh) plus secrets, from step 1.
function connectionImage() {
  const image = { database: {} };
  const secrets = {};
  if (radio('wiz-kind') === 'sqlite') {
    const p = need('wiz-sqlite-path', 'The SQLite file path');
    image.database.kind = 'sqlite';
    image.database.url = p.startsWith('/') ? `sqlite://${p}` : `sqlite:${p}`;
    return { image, secrets };
  }
  image.database.kind = 'postgres';
  if (radio('wiz-pgmode') === 'url') {
    const raw = need('wiz-url', 'The connection URL');
    let u;
    try {
      u = new URL(raw);
    } catch {
      throw { field: 'wiz-url', message: 'This is not a URL; write postgres://user:password@host:port/dbname.' };
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
      throw { field: 'wiz-url', message: `The URL starts with ${u.protocol}//; a PostgreSQL URL starts with postgres://.` };
    }
    if (u.password) {
      secrets.database = { password: decodeURIComponent(u.password) };
      u.password = '';
    }
    image.database.url = u.toString();
  } else {
    const host = need('wiz-pg-host', 'The host');
    const p = port('wiz-pg-port', 'The port');
    const db = need('wiz-pg-db', 'The database');
    const user = need('wiz-pg-user', 'The user');
    const ssl = $('wiz-pg-ssl').value;
    const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    image.database.url = `postgres://${encodeURIComponent(user)}@${hostPart}:${p}/${encodeURIComponent(db)}${ssl ? `?sslmode=${ssl}` : ''}`;
    const pw = $('wiz-pg-password').value;
    if (pw) secrets.database = { password: pw };
  }
  const schemas = val('wiz-schemas').split(',').map((s) => s.trim()).filter(Boolean);
  if (!schemas.length) throw { field: 'wiz-schemas', message: 'Name at least one schema (usually public).' };
  image.database.schemas = schemas;
  if ($('wiz-ssh').checked) {
    const ssh = {
      host: need('wiz-ssh-host', 'The SSH host'),
      port: port('wiz-ssh-port', 'The SSH port'),
      auth_method: $('wiz-ssh-auth').value,
    };
    const user = val('wiz-ssh-user');
    if (user) ssh.username = user;
    if (ssh.auth_method === 'key') {
      ssh.key_path = need('wiz-ssh-key', 'The key path');
      const pp = $('wiz-ssh-passphrase').value;
      if (pp) secrets.ssh = { key_passphrase: pp };
    } else if (ssh.auth_method === 'password') {
      const pw = $('wiz-ssh-password').value;
      if (!pw) throw { field: 'wiz-ssh-password', message: 'The SSH password is required for password authentication.' };
      secrets.ssh = { password: pw };
    }
    image.ssh = ssh;
  }
  return { image, secrets };
}

function withSecrets({ image, secrets }) {
  const body = JSON.parse(JSON.stringify(image));
  if (Object.keys(secrets).length) body.secrets = secrets;
  return body;
}

// The field a failed step points at.
function fieldOf(step) {
  const sqlite = radio('wiz-kind') === 'sqlite';
  const dbField = sqlite ? 'wiz-sqlite-path' : radio('wiz-pgmode') === 'url' ? 'wiz-url' : 'wiz-pg-host';
  switch (step) {
    case 'ssh': case 'host_key': return 'wiz-ssh-host';
    case 'auth': {
      const a = $('wiz-ssh-auth').value;
      return a === 'password' ? 'wiz-ssh-password' : a === 'key' ? 'wiz-ssh-key' : 'wiz-ssh-auth';
    }
    case 'forward': return dbField;
    case 'database': return !sqlite && radio('wiz-pgmode') === 'fields' && /password/i.test($('wiz-error').dataset.msg || '') ? 'wiz-pg-password' : dbField;
    default: return dbField;
  }
}

function clearErrors() {
  $('wiz-error').hidden = true;
  $('wiz-error').textContent = '';
  for (const el of document.querySelectorAll('#wiz-connect [aria-invalid="true"]')) {
    el.removeAttribute('aria-invalid');
    el.removeAttribute('aria-errormessage');
  }
  for (const el of document.querySelectorAll('#wiz-connect .wiz-field-error')) el.remove();
}

// Shows message at field (role=alert), focusing it; in the box at the top
// when that field is not on screen.
function showError(field, message, step) {
  clearErrors();
  const box = $('wiz-error');
  box.dataset.msg = message;
  box.dataset.step = step || '';
  const el = $(field || fieldOf(step));
  if (el && !el.closest('[hidden]')) {
    const note = document.createElement('span');
    note.className = 'wiz-field-error';
    note.id = `${el.id}-error`;
    note.setAttribute('role', 'alert');
    note.textContent = message;
    el.insertAdjacentElement('afterend', note);
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('aria-errormessage', note.id);
    el.focus();
    return;
  }
  box.textContent = message;
  box.hidden = false;
}

function busy(id, text, buttons) {
  $(id).textContent = text;
  for (const b of buttons) $(b).disabled = Boolean(text);
}

async function testConnection() {
  let conn;
  try {
    conn = connectionImage();
  } catch (e) {
    if (e && e.field) { showError(e.field, e.message); return; }
    throw e;
  }
  clearErrors();
  const body = withSecrets(conn);
  if (w.acceptKey) body.accept_host_key = w.acceptKey;
  busy('wiz-busy', conn.image.ssh ? 'Connecting through the SSH tunnel…' : 'Connecting…', ['wiz-test', 'wiz-accept-key']);
  try {
    const r = await api.setupTest(body, { timeoutMs: 120000 });
    $('wiz-hostkey').hidden = true;
    w.conn = conn;
    w.result = r;
    w.selected = new Set();
    for (const s of r.schemas) for (const t of s.tables) w.selected.add(key(s.name, t.name));
    renderTables();
    goStep(2);
  } catch (e) {
    const b = e instanceof ApiError ? e.body : null;
    if (e instanceof ApiError && e.status === 409 && b && b.step === 'host_key' && b.host_key) {
      showHostKey(b.host_key);
    } else {
      if (b && b.step === 'host_key') resetKey(); // a changed key: no way to accept it
      showError(null, e.message, b && b.step ? b.step : 'config');
    }
  } finally {
    busy('wiz-busy', '', ['wiz-test', 'wiz-accept-key']);
  }
  // focus only now: a disabled button cannot take it
  if (!$('wiz-hostkey').hidden) $('wiz-accept-key').focus();
}

function showHostKey(fp) {
  clearErrors();
  w.pendingKey = fp;
  const host = val('wiz-ssh-host');
  const p = val('wiz-ssh-port') || '22';
  $('wiz-hostkey-host').textContent = `${host}:${p}`;
  $('wiz-hostkey-fp').textContent = fp;
  $('wiz-hostkey-cmd').textContent = `ssh-keyscan -p ${p} ${host} | ssh-keygen -lf -`;
  $('wiz-hostkey').hidden = false;
}

// ---- step 2 -------------------------------------------------------------

const key = (schema, table) => `${schema}\u0000${table}`;
const tablesOf = (schema) => (w.result.schemas.find((s) => s.name === schema) || { tables: [] }).tables;
const allTables = () => w.result.schemas.flatMap((s) => s.tables.map((t) => ({ schema: s.name, ...t })));

function setSel(schema, table, on) {
  if (on) w.selected.add(key(schema, table));
  else w.selected.delete(key(schema, table));
}

function renderTables() {
  const r = w.result;
  const n = allTables().length;
  $('wiz-tables-sub').textContent = n
    ? `Connected. ${formatInt(n)} table${n === 1 ? '' : 's'} and views found; untick what people should not see.`
    : 'Connected, but the schemas hold no tables or views this user can see. Go back and check the schemas, or grant SELECT to the user.';
  $('wiz-table-list').innerHTML = r.schemas.map((s) => `
    <div class="wiz-schema" data-schema="${esc(s.name)}">
      <label class="wiz-schema-head"><input type="checkbox" data-schema="${esc(s.name)}"> ${esc(s.name)} <span class="muted">(${formatInt(s.tables.length)})</span></label>
      ${s.tables.map((t) => `<label class="wiz-table-row" data-name="${esc(t.name.toLowerCase())}">
        <input type="checkbox" data-schema="${esc(s.name)}" data-table="${esc(t.name)}"${w.selected.has(key(s.name, t.name)) ? ' checked' : ''}>
        <span>${esc(t.name)}${t.kind !== 'table' ? ` <span class="muted">· ${esc(t.kind.replace('_', ' '))}</span>` : ''}</span>
        <span class="wiz-count">${t.row_count_estimate == null ? 'rows unknown' : `${formatInt(t.row_count_estimate)} rows`}</span></label>`).join('')}
    </div>`).join('');
  renderSchemaChecks();
  filterTables();
}

function renderSchemaChecks() {
  for (const s of w.result.schemas) {
    const box = document.querySelector(`#wiz-table-list .wiz-schema-head input[data-schema="${CSS.escape(s.name)}"]`);
    const on = s.tables.filter((t) => w.selected.has(key(s.name, t.name))).length;
    box.checked = s.tables.length > 0 && on === s.tables.length;
    box.indeterminate = on > 0 && on < s.tables.length;
  }
}

function filterTables() {
  const q = val('wiz-table-filter').toLowerCase();
  for (const row of document.querySelectorAll('#wiz-table-list .wiz-table-row')) row.hidden = Boolean(q) && !row.dataset.name.includes(q);
}

// Select all / none act on the tables the filter shows.
function selectAll(on) {
  for (const row of document.querySelectorAll('#wiz-table-list .wiz-table-row')) {
    if (row.hidden) continue;
    const b = row.querySelector('input');
    setSel(b.dataset.schema, b.dataset.table, on);
  }
  renderTables();
}

// tables.include only when something is deselected; database.schemas keeps
// the schemas with at least one table selected.
function tablesImage(image) {
  const all = allTables();
  const kept = all.filter((t) => w.selected.has(key(t.schema, t.name)));
  if (kept.length < all.length) {
    const sqlite = image.database.kind === 'sqlite';
    image.tables = { include: kept.map((t) => (sqlite || t.schema === 'public' ? t.name : `${t.schema}.${t.name}`)) };
    if (!sqlite) {
      const schemas = image.database.schemas.filter((s) => kept.some((t) => t.schema === s));
      if (schemas.length) image.database.schemas = schemas;
    }
  }
}

// ---- step 3 -------------------------------------------------------------

function previewBranding() {
  const title = val('wiz-title') || 'SeeKi';
  const sub = val('wiz-subtitle');
  $('brand-title').textContent = title;
  $('brand-subtitle').textContent = sub;
  $('brand-subtitle').hidden = !sub;
  $('brand-mark').textContent = (Array.from(title)[0] || 'S').toUpperCase();
}

// ---- step 4 -------------------------------------------------------------

function saveImage() {
  const image = JSON.parse(JSON.stringify(w.conn.image));
  tablesImage(image);
  const title = val('wiz-title');
  const sub = val('wiz-subtitle');
  if ((title && title !== 'SeeKi') || sub) {
    image.branding = {};
    if (title) image.branding.title = title;
    if (sub) image.branding.subtitle = sub;
  }
  return image;
}

function renderSummary() {
  const image = saveImage();
  const s = w.conn.secrets;
  const rows = [];
  const db = image.database;
  rows.push(['Database', db.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL']);
  rows.push([db.kind === 'sqlite' ? 'File' : 'URL', db.url]);
  if (s.database) rows.push(['Database password', '•••••• (in .seeki.secrets)']);
  if (db.schemas) rows.push(['Schemas', db.schemas.join(', ')]);
  if (image.ssh) {
    const x = image.ssh;
    rows.push(['SSH tunnel', `${x.username ? `${x.username}@` : ''}${x.host}:${x.port}`]);
    rows.push(['SSH authentication', x.auth_method === 'key' ? `key ${x.key_path}` : x.auth_method === 'agent' ? 'SSH agent' : 'password']);
    if (s.ssh && s.ssh.key_passphrase) rows.push(['Key passphrase', '•••••• (in .seeki.secrets)']);
    if (s.ssh && s.ssh.password) rows.push(['SSH password', '•••••• (in .seeki.secrets)']);
    if (w.acceptKey) rows.push(['Bastion host key', `${w.acceptKey} (added to known_hosts on save)`]);
  }
  const n = allTables().length;
  rows.push(['Tables', image.tables ? `${formatInt(image.tables.include.length)} of ${formatInt(n)}: ${image.tables.include.join(', ')}` : `all ${formatInt(n)}`]);
  rows.push(['Title', (image.branding && image.branding.title) || 'SeeKi']);
  if (image.branding && image.branding.subtitle) rows.push(['Subtitle', image.branding.subtitle]);
  $('wiz-summary').innerHTML = rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('');
  $('wiz-save-error').hidden = true;
}

async function save() {
  const body = withSecrets({ image: saveImage(), secrets: w.conn.secrets });
  if (w.acceptKey) body.accept_host_key = w.acceptKey;
  $('wiz-save-error').hidden = true;
  busy('wiz-save-busy', 'Saving and connecting…', ['wiz-save']);
  try {
    const r = await api.setupSave(body, { timeoutMs: 120000 });
    await h.onSaved(r);
  } catch (e) {
    const b = e instanceof ApiError ? e.body : null;
    if (b && b.step && b.step !== 'config') {
      // the connection failed now: back to step 1, message at its field
      goStep(1);
      if (e.status === 409 && b.step === 'host_key' && b.host_key) {
        showHostKey(b.host_key);
        $('wiz-accept-key').focus();
      } else {
        showError(null, e.message, b.step);
      }
    } else {
      $('wiz-save-error').textContent = e.message;
      $('wiz-save-error').hidden = false;
      $('wiz-save').focus();
    }
  } finally {
    busy('wiz-save-busy', '', ['wiz-save']);
  }
}

// ---- steps ----------------------------------------------------------------

function goStep(n) {
  w.step = n;
  for (const p of document.querySelectorAll('#view-setup .wiz-panel')) p.hidden = Number(p.dataset.step) !== n;
  for (const li of document.querySelectorAll('#wiz-steps li')) {
    const s = Number(li.dataset.step);
    if (s === n) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
    li.classList.toggle('done', s < n);
  }
  const focus = { 1: 'wiz-test', 2: 'wiz-tables-title', 3: 'wiz-title', 4: 'wiz-confirm-title' }[n];
  if (n === 1 && !$('wiz-connect').hidden) {
    const first = document.querySelector('#wiz-connect input:not([type=radio]):not([hidden])');
    (first || $(focus)).focus();
  } else {
    $(focus).focus();
  }
}
