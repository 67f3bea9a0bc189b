// Building DOM safely: every piece of text goes through textContent / text nodes, never innerHTML.

const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'multiple', 'required', 'open']);

/** h('a', {href: '#/', class: 'x', onclick: fn}, 'text', child, [more]) -> HTMLElement */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'style') Object.assign(el.style, v); // CSSOM: allowed by the CSP, unlike style=""
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let liveTimer = null;
/** Announce a short message to screen readers (and show it in the status region). */
export function announce(message) {
  const live = document.getElementById('live');
  if (!live) return;
  live.textContent = '';
  clearTimeout(liveTimer);
  // a fresh text node in the next frame makes screen readers read repeated messages too
  requestAnimationFrame(() => { live.textContent = message; });
  liveTimer = setTimeout(() => { live.textContent = ''; }, 8000);
}

/** A labelled form field: <div class="field"><label for=id>Label</label><input id=id ...></div> */
let fieldSeq = 0;
export function field(label, control, hint) {
  if (!control.id) control.id = `f${++fieldSeq}`;
  const parts = [h('label', { for: control.id }, label), control];
  if (hint) {
    const hintEl = h('small', { class: 'hint', id: `${control.id}-hint` }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
    parts.push(hintEl);
  }
  return h('div', { class: 'field' }, parts);
}

export function formatDate(iso) {
  if (!iso) return '';
  // taken_at is returned as stored (camera local time, maybe without zone): show it as written.
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?/.exec(iso);
  return m ? (m[2] ? `${m[1]} ${m[2]}` : m[1]) : iso;
}

/** The UTC offset a taken_at carries ("+09:00"; "Z" is "+00:00"), or '' for a naive time. */
export function offsetOf(iso) {
  const m = /(Z|[+-]\d{2}:?\d{2})$/.exec(iso || '');
  if (!m || !/[T ]\d{2}:\d{2}/.test(iso)) return '';
  return m[1] === 'Z' ? '+00:00' : m[1].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
}

const OFFSET_SOURCES = {
  exif: 'from the camera', gps_time: 'from the GPS clock', gps_zone: 'time zone of the GPS position',
  account: 'your time zone setting',
};

/** "2008-10-22 16:28" (the photo's local wall time, never the browser's) and "UTC+02:00 · from the camera". */
export function takenParts(photo) {
  if (!photo.taken_at) return ['', ''];
  const offset = offsetOf(photo.taken_at);
  const why = OFFSET_SOURCES[photo.taken_offset_source];
  return [formatDate(photo.taken_at), offset ? `UTC${offset}${why ? ` · ${why}` : ''}` : ''];
}

export function formatBytes(n) {
  if (!Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function placeText(location) {
  const p = location && location.place;
  if (!p) return '';
  return [p.city, p.region !== p.city ? p.region : null, p.country].filter(Boolean).join(', ');
}

/** Alt text from the title, labels and place: "bus, person in Paris, France". */
export function altText(photo) {
  const labels = (photo.labels || []).map((l) => l.name);
  const place = photo.location && photo.location.place
    ? [photo.location.place.city, photo.location.place.country].filter(Boolean).join(', ') : '';
  let text = photo.title ? photo.title : (labels.length ? `Photo of ${labels.slice(0, 5).join(', ')}` : 'Photo');
  if (place) text += ` in ${place}`;
  if (!photo.title && !labels.length && !place && photo.filename) text = `Photo ${photo.filename}`;
  return text;
}

export const FINAL = new Set(['done', 'needs_input', 'failed']);

export function statusBadge(photo) {
  switch (photo.status) {
    case 'uploaded': return h('span', { class: 'badge badge-wait', title: 'Waiting to be processed' }, 'Queued');
    case 'processing': return h('span', { class: 'badge badge-wait' }, 'Processing…');
    case 'needs_input': return h('span', { class: 'badge badge-input' }, 'Needs input');
    case 'failed': return h('span', { class: 'badge badge-failed' }, `Failed: ${photo.error || 'unknown reason'}`);
    default: return null;
  }
}

export function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { path: path || '/', parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}
