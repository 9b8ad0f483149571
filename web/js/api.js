// The JSON API client (SPEC §5). Every call resolves to the parsed body or
// throws ApiError {status, kind, message}: kind 'http' carries the server's
// {"error": "..."} text, 'network' means the server could not be reached,
// 'timeout' that it did not answer in time. Aborts (a newer request replaced
// this one) rethrow the DOMException 'AbortError' untouched.

export class ApiError extends Error {
  constructor(message, status, kind, body = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.kind = kind;
    this.body = body; // the parsed error body (the setup routes add step, host_key)
  }
}

export const seg = (s) => encodeURIComponent(s);

async function request(path, { signal, timeoutMs = 0, json } = {}) {
  const signals = [];
  if (signal) signals.push(signal);
  if (timeoutMs) signals.push(AbortSignal.timeout(timeoutMs));
  const sig = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  let res;
  let text;
  try {
    const init = { signal: sig, headers: { Accept: 'application/json' }, cache: 'no-store' };
    if (json !== undefined) {
      init.method = 'POST';
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(json);
    }
    res = await fetch(path, init);
    text = await res.text();
  } catch (e) {
    if (signal && signal.aborted) throw e;
    if (e && e.name === 'TimeoutError') {
      throw new ApiError(`The SeeKi server at ${location.host} did not answer within ${Math.round(timeoutMs / 1000)} s. It may be busy; try again.`, 0, 'timeout');
    }
    throw new ApiError(`Cannot reach the SeeKi server at ${location.host}. Check that seeki is still running (restart it if it stopped), then retry.`, 0, 'network');
  }
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!res.ok) {
    const msg = body && typeof body.error === 'string' ? body.error
      : (text.trim().slice(0, 300) || `The server answered HTTP ${res.status} without a message.`);
    throw new ApiError(msg, res.status, 'http', body);
  }
  if (body === null) {
    throw new ApiError(`The server answered ${path.split('?')[0]} with something that is not JSON. Is another program listening on ${location.host}?`, res.status, 'protocol');
  }
  return body;
}

// URLSearchParams for a rows/export request from a view
// {sort:[{col,dir}], search, filters:{col:expr}}; extra adds page/page_size/cursor.
export function viewParams(view, extra = {}) {
  const p = new URLSearchParams();
  for (const s of view.sort || []) p.append('sort', `${s.col}:${s.dir}`);
  if (view.search) p.set('search', view.search);
  for (const [col, expr] of Object.entries(view.filters || {})) {
    if (expr !== '') p.append(`filter.${col}`, expr);
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v !== undefined && v !== null) p.set(k, String(v));
  }
  return p;
}

export const api = {
  status: (o) => request('/api/status', o),
  tables: (o) => request('/api/tables', o),
  display: (o) => request('/api/config/display', o),
  columns: (table, o) => request(`/api/tables/${seg(table)}/columns`, o),
  rows: (table, params, o) => request(`/api/tables/${seg(table)}/rows?${params}`, o),
  // Waits (server side, up to 2 s) for a background exact count of the view.
  count: (table, params, o) => request(`/api/tables/${seg(table)}/count?${params}`, o),
  stats: (table, column, params, o) => request(`/api/tables/${seg(table)}/stats/${seg(column)}?${params}`, o),
  // the setup wizard (SPEC §7): body = JSON image of seeki.toml + secrets
  setupTest: (body, o) => request('/api/setup/test-connection', { ...o, json: body }),
  setupSave: (body, o) => request('/api/setup/save', { ...o, json: body }),
  exportUrl: (table, params) => {
    const q = params.toString();
    return `/api/export/${seg(table)}/csv${q ? '?' + q : ''}`;
  },
};
