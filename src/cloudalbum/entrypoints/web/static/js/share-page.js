// The public page of a share link (/s/<token>): a gallery and a full-screen viewer, for anyone with the link,
// no account. It talks only to /api/s/<token>/... on this host and loads nothing from anywhere else. A
// password-protected share asks for the password once; the share session stays in this tab (sessionStorage).

import { clear, formatDate, h } from './dom.js';

const token = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
const base = `/api/s/${encodeURIComponent(token)}`;
const SESSION_KEY = `cloudalbum.share.${token}`;
const main = document.getElementById('main');
const urls = new Map();

const session = () => sessionStorage.getItem(SESSION_KEY);
const headers = () => (session() ? { 'X-Share-Session': session() } : {});

async function get(path) {
  const r = await fetch(base + path, { headers: headers() });
  if (!r.ok) {
    let code = `http_${r.status}`;
    let message = `${r.status}`;
    try { const body = await r.json(); code = body.error.code; message = body.error.message; } catch { /* not JSON */ }
    const err = new Error(message);
    err.code = code;
    err.status = r.status;
    throw err;
  }
  return r;
}

async function image(path) {
  if (urls.has(path)) return urls.get(path);
  const r = await get(path);
  const url = URL.createObjectURL(await r.blob());
  urls.set(path, url);
  return url;
}

const thumb = (id, size) => image(`/photos/${encodeURIComponent(id)}/thumbnail?size=${size}`);

function placeText(place) {
  if (!place) return '';
  return [place.city, place.region !== place.city ? place.region : null, place.country].filter(Boolean).join(', ');
}

function caption(photo) {
  return [formatDate(photo.taken_at), placeText(photo.place)].filter(Boolean).join(' · ');
}

function message(title, text) {
  clear(main).append(h('div', { class: 'card share-message' }, h('h1', {}, title), h('p', {}, text)));
}

function passwordForm() {
  const input = h('input', { type: 'password', id: 'share-password', autocomplete: 'off', required: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'card share-message' },
    h('h1', {}, 'This share is protected'),
    h('p', {}, 'Enter the password you were given with the link.'),
    h('div', { class: 'field' }, h('label', { for: 'share-password' }, 'Password'), input),
    h('button', { type: 'submit', class: 'primary' }, 'Open'), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const r = await fetch(`${base}/unlock`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password: input.value }),
    });
    if (r.ok) {
      sessionStorage.setItem(SESSION_KEY, (await r.json()).share_session);
      load();
    } else {
      error.textContent = r.status === 429 ? 'Too many tries: wait a few minutes.' : 'That password is not right.';
    }
  });
  clear(main).append(form);
  input.focus();
}

function viewer(share, index) {
  let i = index;
  const img = h('img', { class: 'viewer-image', alt: '' });
  const text = h('p', { class: 'viewer-caption' });
  const download = h('a', { class: 'button viewer-download', href: '#', hidden: !share.allow_download }, 'Download');
  const close = h('button', { type: 'button', class: 'viewer-close', 'aria-label': 'Close' }, '×');
  const prev = h('button', { type: 'button', class: 'viewer-prev', 'aria-label': 'Previous photo' }, '‹');
  const next = h('button', { type: 'button', class: 'viewer-next', 'aria-label': 'Next photo' }, '›');
  const box = h('div', { class: 'viewer', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Photo viewer', tabindex: '-1' },
    img, prev, next, close, h('div', { class: 'viewer-bar' }, text, download));

  function show() {
    const photo = share.photos[i];
    img.alt = `Photo ${i + 1} of ${share.photos.length}`;
    text.textContent = [`${i + 1} / ${share.photos.length}`, caption(photo)].filter(Boolean).join(' · ');
    prev.disabled = i === 0;
    next.disabled = i === share.photos.length - 1;
    thumb(photo.id, 'large').then((u) => { if (share.photos[i] === photo) img.src = u; }, () => { img.removeAttribute('src'); });
  }
  function end() { box.remove(); document.removeEventListener('keydown', keys); }
  function keys(e) {
    if (e.key === 'Escape') end();
    if (e.key === 'ArrowLeft' && i > 0) { i -= 1; show(); }
    if (e.key === 'ArrowRight' && i < share.photos.length - 1) { i += 1; show(); }
  }
  prev.addEventListener('click', () => { if (i > 0) { i -= 1; show(); } });
  next.addEventListener('click', () => { if (i < share.photos.length - 1) { i += 1; show(); } });
  close.addEventListener('click', end);
  download.addEventListener('click', async (e) => {
    e.preventDefault();
    try {
      const url = await image(`/photos/${encodeURIComponent(share.photos[i].id)}/original`);
      const a = h('a', { href: url, download: `photo-${i + 1}` });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) { text.textContent = err.message; }
  });
  document.addEventListener('keydown', keys);
  document.body.append(box);
  box.focus();
  show();
}

function gallery(share) {
  document.title = `${share.title} · cloudalbum`;
  const list = h('ul', { class: 'share-grid', 'aria-label': 'Photos' });
  share.photos.forEach((photo, index) => {
    const img = h('img', { alt: caption(photo) || `Photo ${index + 1}`, loading: 'lazy' });
    thumb(photo.id, 'small').then((u) => { img.src = u; }, () => { img.alt = 'Not ready yet'; });
    list.append(h('li', {}, h('button', { type: 'button', class: 'share-tile', onclick: () => viewer(share, index) }, img)));
  });
  const count = share.photos.length;
  clear(main).append(
    h('div', { class: 'view-head' }, h('h1', {}, share.title),
      share.title === `${count} photos` ? '' : h('span', { class: 'muted' }, `${count} photo${count === 1 ? '' : 's'}`)),
    count ? list : h('p', { class: 'grid-status' }, 'There are no photos in this share any more.'));
}

async function load() {
  main.append(h('p', { class: 'grid-status' }, 'Loading…'));
  try {
    gallery(await (await get('')).json());
  } catch (e) {
    if (e.code === 'share_password_required') { sessionStorage.removeItem(SESSION_KEY); passwordForm(); return; }
    if (e.status === 429) { message('Please wait', 'Too many requests from your network: try again in a minute.'); return; }
    message('This link does not work', 'It may have been revoked or have expired. Ask the person who shared it for a new one.');
  }
}

load();
