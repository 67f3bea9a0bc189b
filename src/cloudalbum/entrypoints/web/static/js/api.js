// The public API (API.md) with the user's bearer token. Tokens live in sessionStorage (this tab only);
// the access token is refreshed shortly before expires_in runs out, and once on a 401.

const KEY = 'cloudalbum.tokens';
export const events = new EventTarget();

let tokens = load();
let refreshTimer = null;
let refreshing = null;

function load() {
  try { return JSON.parse(sessionStorage.getItem(KEY)) || null; } catch { return null; }
}

function store(t) {
  tokens = t ? { ...t, obtained_at: Date.now() } : null;
  if (tokens) sessionStorage.setItem(KEY, JSON.stringify(tokens));
  else sessionStorage.removeItem(KEY);
  schedule();
}

function schedule() {
  clearTimeout(refreshTimer);
  if (!tokens || !tokens.refresh_token) return;
  const lifetime = (tokens.expires_in || 900) * 1000;
  const margin = Math.min(60_000, lifetime * 0.2);
  const due = tokens.obtained_at + lifetime - margin - Date.now();
  refreshTimer = setTimeout(() => { refresh().catch(() => {}); }, Math.max(due, 1000));
}
schedule();

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const signedIn = () => !!(tokens && tokens.access_token);
export const accessToken = () => (tokens ? tokens.access_token : null);

function lost() {
  store(null);
  events.dispatchEvent(new Event('signedout'));
}

/** Trade the refresh token for new tokens; concurrent callers share one request (a refresh token works once). */
export function refresh() {
  if (refreshing) return refreshing;
  const rt = tokens && tokens.refresh_token;
  if (!rt) return Promise.reject(new ApiError(401, 'unauthorized', 'Please sign in.'));
  refreshing = (async () => {
    let r;
    try {
      r = await fetch('/api/auth/refresh', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh_token: rt }),
      });
    } catch (e) {
      schedule(); // network trouble: try again later, keep the session
      throw new ApiError(0, 'network', 'The server cannot be reached.');
    }
    if (!r.ok) {
      lost();
      throw await toError(r);
    }
    store(await r.json());
  })().finally(() => { refreshing = null; });
  return refreshing;
}

export async function toError(r) {
  let code = 'http_' + r.status;
  let message = `${r.status} ${r.statusText || 'error'}`;
  try {
    const body = await r.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch { /* not JSON */ }
  if (r.status === 413 && message.startsWith('413')) message = 'The file is too large.';
  return new ApiError(r.status, code, message);
}

function url(path, query) {
  if (!query) return path;
  const qs = query instanceof URLSearchParams ? query : new URLSearchParams(
    Object.entries(query).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : (v === null || v === undefined || v === '' ? [] : [[k, v]]))),
  );
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** fetch with the bearer token; on a 401 refresh once and try again. Returns the Response (ok or not). */
export async function authFetch(path, init = {}) {
  const attempt = () => {
    const headers = new Headers(init.headers || {});
    if (tokens) headers.set('Authorization', `Bearer ${tokens.access_token}`);
    return fetch(path, { ...init, headers });
  };
  const used = accessToken();
  let r = await attempt();
  if (r.status === 401 && tokens) {
    try {
      if (accessToken() === used) await refresh();
      r = await attempt();
    } catch (e) {
      return r;
    }
    if (r.status === 401) lost();
  }
  return r;
}

/** JSON request: api('GET', '/api/photos', {query: {limit: 50}}) -> parsed body (null for 204). Throws ApiError. */
export async function api(method, path, { json, query, body } = {}) {
  const init = { method, headers: {} };
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  let r;
  try {
    r = await authFetch(url(path, query), init);
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  if (!r.ok) throw await toError(r);
  if (r.status === 204) return null;
  const type = r.headers.get('Content-Type') || '';
  return type.includes('json') ? r.json() : r;
}

export async function login(email, password) {
  const r = await fetch('/api/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  if (!r.ok) throw await toError(r);
  store(await r.json());
  events.dispatchEvent(new Event('signedin'));
}

export async function register(email, password) {
  const r = await fetch('/api/auth/register', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  if (!r.ok) throw await toError(r);
  return r.json();
}

/**
 * A request that proves the password (password change, account deletion): its 401 `invalid_credentials` means
 * a wrong password, not a lost session, so it is thrown as is, never taken for an expired token. Another 401
 * (an expired access token) is retried once after a refresh. Returns null (204) or throws ApiError.
 */
export async function withPassword(method, path, json) {
  const send = () => fetch(path, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken() || ''}` },
    body: JSON.stringify(json),
  });
  let r = await send();
  if (r.status === 401) {
    const err = await toError(r.clone());
    if (err.code === 'invalid_credentials') throw err;
    await refresh();
    r = await send();
  }
  if (!r.ok) throw await toError(r);
  return null;
}

export async function logout() {
  try {
    if (tokens) await fetch('/api/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${tokens.access_token}` } });
  } finally {
    forgetImages();
    lost();
  }
}

// --- images: thumbnails need the bearer token, so they are fetched as blobs and shown through object URLs ---

const IMAGE_CACHE_MAX = 400;
const imageCache = new Map(); // path -> Promise<objectURL>
const MAX_IMAGE_FETCHES = 6;
let imageActive = 0;
const imageWaiting = [];

function slot() {
  if (imageActive < MAX_IMAGE_FETCHES) { imageActive += 1; return Promise.resolve(); }
  return new Promise((resolve) => imageWaiting.push(resolve));
}
function release() {
  const next = imageWaiting.shift();
  if (next) next(); else imageActive -= 1;
}

/** An object URL for an authenticated image path (cached; a 302 to a signed URL is followed by fetch). */
export function imageUrl(path) {
  if (imageCache.has(path)) {
    const p = imageCache.get(path);
    imageCache.delete(path); // keep recently used ones at the end
    imageCache.set(path, p);
    return p;
  }
  const p = (async () => {
    await slot();
    try {
      const r = await authFetch(path);
      if (!r.ok) throw await toError(r);
      return URL.createObjectURL(await r.blob());
    } finally {
      release();
    }
  })();
  p.catch(() => imageCache.delete(path));
  imageCache.set(path, p);
  while (imageCache.size > IMAGE_CACHE_MAX) {
    const [oldest, op] = imageCache.entries().next().value;
    imageCache.delete(oldest);
    op.then((u) => setTimeout(() => URL.revokeObjectURL(u), 30_000), () => {});
  }
  return p;
}

export const thumbPath = (id, size = 'small') => `/api/photos/${encodeURIComponent(id)}/thumbnail?size=${size}`;

/** A photo's thumbnail URL: the versioned one the API gave (the browser caches it), else the plain path. */
export const photoThumb = (photo, size = 'small') => (photo.thumbnails && photo.thumbnails[size]) || thumbPath(photo.id, size);

/** Forget cached images of one photo (after reprocessing or deletion). */
export function forgetPhotoImages(id) {
  for (const size of ['small', 'large']) {
    const p = imageCache.get(thumbPath(id, size));
    if (p) {
      imageCache.delete(thumbPath(id, size));
      p.then((u) => URL.revokeObjectURL(u), () => {});
    }
  }
}

function forgetImages() {
  for (const p of imageCache.values()) p.then((u) => URL.revokeObjectURL(u), () => {});
  imageCache.clear();
}

/** Every item of a paginated list (bounded). */
export async function all(path, query = {}, max = 1000) {
  const items = [];
  let cursor = null;
  do {
    const page = await api('GET', path, { query: { ...query, limit: 200, cursor } });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}
