// The upload manager lives in the shell, so uploads go on while the user browses other views.
// Up to three files at a time, one XMLHttpRequest each (for upload.onprogress), one progress bar per file
// and an overall one; a refused file shows the API's error message.

import { accessToken, refresh, events as apiEvents } from './api.js';
import { announce, clear, formatBytes, h } from './dom.js';

const CONCURRENCY = 3;
export const uploadEvents = new EventTarget();

let seq = 0;
let newFailures = 0; // refusals since files were last added
let autoClear = null;
const AUTO_CLEAR_MS = 8000;
const items = []; // {id, file, albumId, state: queued|uploading|done|error, loaded, error, photo, row}
let active = 0;
let panel = null;

export function enqueue(files, albumId = '') {
  const added = [];
  for (const file of files) {
    const item = { id: ++seq, file, albumId, state: 'queued', loaded: 0, error: null, photo: null };
    items.push(item);
    added.push(item);
  }
  if (added.length) { setCollapsed(false); newFailures = 0; clearTimeout(autoClear); }
  if (added.length) announce(`${added.length} file${added.length === 1 ? '' : 's'} added to the uploads.`);
  render();
  pump();
  return added;
}

function pump() {
  while (active < CONCURRENCY) {
    const next = items.find((i) => i.state === 'queued');
    if (!next) break;
    active += 1;
    next.state = 'uploading';
    upload(next).finally(() => {
      active -= 1;
      renderOverall();
      pump();
    });
  }
}

function send(item) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/photos');
    const token = accessToken();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      item.loaded = e.lengthComputable ? Math.min(e.loaded, item.file.size) : item.loaded;
      renderItem(item);
      renderOverall();
    };
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => resolve({ status: 0, text: '' });
    xhr.onabort = () => resolve({ status: -1, text: '' });
    item.xhr = xhr;
    const form = new FormData();
    form.append('file', item.file, item.file.name);
    if (item.albumId) form.append('album_id', item.albumId);
    xhr.send(form);
  });
}

function errorMessage(res) {
  try {
    const body = JSON.parse(res.text);
    if (body && body.error && body.error.message) return body.error.message;
  } catch { /* not JSON */ }
  if (res.status === 413) return 'The file is too large.';
  if (res.status === 0) return 'The upload was interrupted (network error).';
  if (res.status === -1) return 'Cancelled.';
  return `The server answered ${res.status}.`;
}

async function upload(item) {
  renderItem(item);
  let res = await send(item);
  if (res.status === 401) {
    try {
      await refresh();
      item.loaded = 0;
      res = await send(item);
    } catch { /* fall through with the 401 */ }
  }
  item.xhr = null;
  if (res.status >= 200 && res.status < 300) {
    item.state = 'done';
    item.loaded = item.file.size;
    try { item.photo = JSON.parse(res.text); } catch { item.photo = null; }
    if (item.photo) uploadEvents.dispatchEvent(new CustomEvent('uploaded', { detail: item.photo }));
  } else {
    item.state = 'error';
    item.error = errorMessage(res);
    newFailures += 1;
    announce(`${item.file.name} was not uploaded: ${item.error}`);
  }
  renderItem(item);
  if (!items.some((i) => i.state === 'queued' || i.state === 'uploading')) {
    const done = items.filter((i) => i.state === 'done').length;
    const failed = items.filter((i) => i.state === 'error').length;
    announce(`Uploads finished: ${done} uploaded${failed ? `, ${failed} refused` : ''}.`);
    // fold the panel away so it stops covering the page: the uploaded files go soon (they are in the
    // gallery now); refusals stay, with the API's message, until the user clears them
    if (!newFailures) setCollapsed(true);
    clearTimeout(autoClear);
    autoClear = setTimeout(() => { if (!busy()) clearFinished({ keepErrors: true }); }, AUTO_CLEAR_MS);
    uploadEvents.dispatchEvent(new Event('idle'));
  }
}

export function busy() {
  return items.some((i) => i.state === 'queued' || i.state === 'uploading');
}

// --- the panel ------------------------------------------------------------------------------------------

let overallBar = null;
let overallText = null;
let list = null;
let toggle = null;
let collapsed = false;

function setCollapsed(value) {
  collapsed = value;
  if (!toggle) return;
  toggle.setAttribute('aria-expanded', String(!collapsed));
  toggle.textContent = collapsed ? 'Show' : 'Hide';
  list.hidden = collapsed;
}

function build() {
  panel = document.getElementById('uploads');
  clear(panel);
  overallBar = h('progress', { max: 1, value: 0, 'aria-label': 'All uploads' });
  overallText = h('span', { class: 'overall-text' });
  toggle = h('button', { type: 'button', class: 'link', 'aria-expanded': 'true', 'aria-controls': 'upload-list',
    onclick: () => setCollapsed(!collapsed) }, 'Hide');
  const clearBtn = h('button', { type: 'button', class: 'link', onclick: () => clearFinished() }, 'Clear finished');
  list = h('ol', { class: 'upload-list', id: 'upload-list' });
  panel.append(
    h('div', { class: 'uploads-head' }, h('h2', {}, 'Uploads'), overallText, toggle, clearBtn),
    overallBar,
    list,
  );
}

function clearFinished({ keepErrors = false } = {}) {
  for (let i = items.length - 1; i >= 0; i -= 1) {
    if (items[i].state === 'done' || (items[i].state === 'error' && !keepErrors)) items.splice(i, 1);
  }
  render();
}

function render() {
  if (!panel) build();
  panel.hidden = items.length === 0;
  document.body.classList.toggle('has-uploads', items.length > 0);
  clear(list);
  for (const item of items) {
    item.row = null;
    list.append(row(item));
  }
  renderOverall();
}

function row(item) {
  const bar = h('progress', { max: item.file.size || 1, value: item.loaded, 'aria-label': `Upload of ${item.file.name}` });
  const state = h('span', { class: 'upload-state' });
  const cancel = h('button', { type: 'button', class: 'link', 'aria-label': `Cancel ${item.file.name}`, onclick: () => {
    if (item.xhr) item.xhr.abort();
    else if (item.state === 'queued') { item.state = 'error'; item.error = 'Cancelled.'; renderItem(item); renderOverall(); }
  } }, 'Cancel');
  const li = h('li', { class: 'upload-item', dataset: { state: item.state } },
    h('span', { class: 'upload-name', title: item.file.name }, item.file.name),
    h('span', { class: 'upload-size' }, formatBytes(item.file.size)),
    bar, state, cancel);
  item.row = { li, bar, state, cancel };
  renderItem(item);
  return li;
}

function renderItem(item) {
  if (!item.row) return;
  const { li, bar, state, cancel } = item.row;
  li.dataset.state = item.state;
  bar.max = item.file.size || 1;
  bar.value = item.loaded;
  cancel.hidden = !(item.state === 'queued' || item.state === 'uploading');
  if (item.state === 'queued') state.textContent = 'Waiting';
  else if (item.state === 'uploading') state.textContent = `${Math.round((100 * item.loaded) / (item.file.size || 1))}%`;
  else if (item.state === 'done') {
    clear(state);
    if (item.photo && item.photo.id) state.append(h('a', { href: `#/photo/${encodeURIComponent(item.photo.id)}` }, 'Uploaded'));
    else state.textContent = 'Uploaded';
  } else state.textContent = item.error || 'Failed';
  li.classList.toggle('upload-error', item.state === 'error');
}

function renderOverall() {
  if (!overallBar) return;
  const total = items.reduce((s, i) => s + (i.file.size || 1), 0) || 1;
  const loaded = items.reduce((s, i) => s + (i.state === 'done' || i.state === 'error' ? (i.file.size || 1) : i.loaded), 0);
  overallBar.max = total;
  overallBar.value = loaded;
  overallBar.hidden = !items.some((i) => i.state === 'queued' || i.state === 'uploading');
  const done = items.filter((i) => i.state === 'done').length;
  const failed = items.filter((i) => i.state === 'error').length;
  const left = items.length - done - failed;
  overallText.textContent = !done && !left
    ? `${failed} file${failed === 1 ? '' : 's'} refused`
    : `${done} of ${items.length} uploaded${failed ? `, ${failed} refused` : ''}${left ? ` — ${Math.round((100 * loaded) / total)}%` : ''}`;
}

apiEvents.addEventListener('signedout', () => {
  for (const i of items) if (i.xhr) i.xhr.abort();
  items.length = 0;
  render();
});

window.addEventListener('beforeunload', (e) => {
  if (busy()) { e.preventDefault(); e.returnValue = ''; }
});
