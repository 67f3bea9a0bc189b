// One photo: the large thumbnail with the detected boxes drawn over it, labels, date, camera, place and a small
// map, albums, open questions, edits (PATCH), download of the original, move to the trash.

import { all, api, authFetch, forgetPhotoImages, imageUrl, photoThumb, toError } from '../api.js';
import { FINAL, altText, announce, clear, field, formatBytes, h, offsetOf, placeText, statusBadge, takenParts } from '../dom.js';
import { faceImg, personHref, personName } from '../faces.js';
import { smallMap } from '../maps.js';
import { textOverlay, textSection } from '../photo-text.js';
import { questionCard } from './questions.js';
import { openShareDialog } from './sharing.js';

// Where a place came from, when it was not the camera's GPS (an inferred place says how sure it is).
const SOURCE_NOTES = { user: ' (set by you)', track: ' (from your GPS track)', inferred: ' (estimated from your photos taken before and after)' };

const POLL_MS = 2000;
const TEXT_TRIES = 15; // about 30 s of looking for the text after the photo became final

function hue(name) {
  let x = 0;
  for (const ch of name) x = (x * 31 + ch.codePointAt(0)) % 360;
  return x;
}

function pct(v) { return `${(v * 100).toFixed(1)}%`; }

/** One box over the photo (b in upright pixels), its label kept on the picture: inside the box at the top
 * edge, right-aligned at the right edge. */
function boxNode(photo, b, cls, text, dataset) {
  const box = h('div', { class: ['box', ...[cls].flat(), b.y / photo.height < 0.06 ? 'label-inside' : '', (b.x + b.w / 2) / photo.width > 0.75 ? 'label-right' : ''], dataset },
    h('span', { class: 'box-label' }, text));
  Object.assign(box.style, {
    left: pct(b.x / photo.width), top: pct(b.y / photo.height), width: pct(b.w / photo.width), height: pct(b.h / photo.height),
  });
  return box;
}

function boxesOverlay(photo) {
  const layer = h('div', { class: 'boxes', 'aria-hidden': 'true' });
  if (!photo.width || !photo.height) return layer;
  for (const label of photo.labels || []) {
    const color = `hsl(${hue(label.name)} 85% 50%)`;
    for (const b of label.boxes || []) {
      const box = boxNode(photo, b, '', `${label.name} ${(b.confidence ?? label.confidence).toFixed(2)}`, { label: label.name });
      box.style.borderColor = color;
      box.firstChild.style.backgroundColor = color;
      layer.append(box);
    }
  }
  return layer;
}

/** Face boxes (dashed, white, labelled with the person's name): a layer of their own, shown or hidden apart. */
function facesOverlay(photo) {
  const layer = h('div', { class: 'face-boxes', 'aria-hidden': 'true' });
  if (!photo.width || !photo.height) return layer;
  for (const f of photo.faces || []) {
    layer.append(boxNode(photo, f.box, ['face-box', f.person && f.person.name ? '' : 'unnamed'],
      f.person ? personName(f.person) : 'Face', { face: f.id, person: f.person ? f.person.id : '' }));
  }
  return layer;
}

/** The people in the photo: a chip per person (face crop, name) linking to their page. */
function peopleSection(photo, showFaces) {
  const faces = photo.faces || [];
  if (!faces.length) return null;
  const people = new Map();
  for (const f of faces) if (f.person && !people.has(f.person.id)) people.set(f.person.id, f);
  const loose = faces.filter((f) => !f.person).length;
  return h('section', { class: 'people-section' }, h('h2', {}, 'People'),
    h('ul', { class: 'chips person-chips', 'aria-label': 'People in this photo' }, [...people.values()].map((f) => h('li', { class: 'chip person-chip' },
      h('a', { href: personHref(f.person.id), dataset: { person: f.person.id } },
        faceImg(f.thumbnail_url, '', 'face-thumb face-chip'), h('span', { class: f.person.name ? '' : 'unnamed' }, personName(f.person)))))),
    loose ? h('p', { class: 'muted' }, `${loose} face${loose === 1 ? '' : 's'} not grouped.`) : null,
    h('label', { class: 'check' }, showFaces, ` Show ${faces.length} face box${faces.length === 1 ? '' : 'es'}`));
}

function chips(labels) {
  if (!labels.length) return h('p', { class: 'muted' }, 'No objects found.');
  return h('ul', { class: 'chips', 'aria-label': 'Labels' }, labels.map((l) => h('li', { class: ['chip', l.source === 'user' ? 'chip-user' : ''] },
    h('a', { href: `#/search?label=${encodeURIComponent(l.name)}`, title: `Search for ${l.name}` }, l.name),
    h('span', { class: 'chip-conf' }, l.source === 'user' ? 'you' : `${Math.round(l.confidence * 100)}%`),
    l.count > 1 ? h('span', { class: 'chip-count' }, `×${l.count}`) : null)));
}

function details(photo) {
  const rows = [];
  const row = (k, ...v) => rows.push(h('dt', {}, k), h('dd', {}, ...v));
  const [taken, zone] = takenParts(photo);
  row('Taken', taken || 'Unknown', zone ? h('small', { class: 'coords taken-zone' }, ` ${zone}`) : '');
  if (photo.camera && (photo.camera.make || photo.camera.model)) {
    row('Camera', [photo.camera.make, photo.camera.model].filter(Boolean).join(' '));
  }
  if (photo.location) {
    const place = placeText(photo.location);
    row('Place', place || 'Unknown place',
      h('small', { class: 'coords' }, ` ${photo.location.lat.toFixed(5)}, ${photo.location.lon.toFixed(5)}${SOURCE_NOTES[photo.location.source] || ''}`));
  } else {
    row('Place', 'No location');
  }
  row('File', `${photo.filename || ''} · ${formatBytes(photo.bytes)}${photo.width ? ` · ${photo.width}×${photo.height}` : ''}`);
  if (photo.categories && photo.categories.length) row('Categories', photo.categories.join(', '));
  if (photo.model) row('Model', `${photo.model.name} ${photo.model.version || ''}`);
  return h('dl', { class: 'details' }, rows);
}

function toLocalInput(iso) {
  if (!iso) return '';
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)/.exec(iso);
  return m ? `${m[1]}T${m[2]}` : '';
}

export function photoView(main, { parts, params }) {
  const id = parts[1];
  const shared = params.get('shared') === '1'; // a photo of someone else's album: read only
  let destroyed = false;
  let pollTimer = null;
  let sawProcessing = false; // the photo became final while shown: its text may follow (pollText)
  let textTries = 0;
  let map = null;
  let albums = [];

  function dispose() {
    clearTimeout(pollTimer);
    if (map) { map.remove(); map = null; }
  }

  async function load() {
    try {
      const [photo, albumList] = await Promise.all([
        api('GET', `/api/photos/${encodeURIComponent(id)}`),
        all('/api/albums').catch(() => []),
      ]);
      albums = albumList;
      if (!destroyed) render(photo);
    } catch (e) {
      if (destroyed) return;
      clear(main).append(h('div', { class: 'card' }, h('h1', {}, 'Photo not found'), h('p', {}, e.message), h('a', { href: '#/' }, 'Back to photos')));
    }
  }

  function render(photo) {
    dispose();
    const y = window.scrollY;
    clear(main);
    const title = photo.title || photo.filename || 'Photo';
    const img = h('img', { class: 'large', alt: altText(photo) });
    const showBoxes = h('input', { type: 'checkbox', checked: true });
    const overlay = boxesOverlay(photo);
    const showFaces = h('input', { type: 'checkbox', checked: true });
    const faceLayer = facesOverlay(photo);
    const textLayer = textOverlay(photo);
    const frame = h('div', { class: 'photo-frame' }, img, overlay, faceLayer, textLayer);
    showBoxes.addEventListener('change', () => { overlay.hidden = !showBoxes.checked; });
    showFaces.addEventListener('change', () => { faceLayer.hidden = !showFaces.checked; });
    if (FINAL.has(photo.status)) {
      frame.classList.add('loading');
      imageUrl(photoThumb(photo, 'large')).then((u) => { img.src = u; frame.classList.remove('loading'); },
        () => { frame.classList.remove('loading'); frame.classList.add('no-thumb'); });
    } else {
      frame.classList.add('pending');
    }

    const labels = photo.labels || [];
    const boxCount = labels.reduce((n, l) => n + (l.boxes || []).length, 0);
    const side = h('div', { class: 'photo-side' });
    side.append(
      h('section', {}, h('h2', {}, 'Objects'), chips(labels),
        boxCount ? h('label', { class: 'check' }, showBoxes, ` Show ${boxCount} box${boxCount === 1 ? '' : 'es'}`) : null),
      peopleSection(photo, showFaces) || '', // native append would print null
      textSection(photo, textLayer) || '',
      h('section', {}, h('h2', {}, 'Details'), details(photo)),
    );
    if (photo.description) side.prepend(h('p', { class: 'description' }, photo.description));
    if (photo.location) {
      const mapEl = h('div', { class: 'small-map', role: 'region', 'aria-label': 'Map of where the photo was taken' });
      side.append(h('section', {}, h('h2', {}, 'Map'), mapEl));
      requestAnimationFrame(() => {
        if (destroyed || !mapEl.isConnected) return;
        try { map = smallMap(mapEl, photo.location.lat, photo.location.lon, placeText(photo.location)); } catch (e) { mapEl.textContent = e.message; }
      });
    }
    if (photo.answers && photo.answers.length) {
      side.append(h('section', {}, h('h2', {}, 'What you told us'),
        h('ul', { class: 'answers' }, photo.answers.map((a) => h('li', {}, h('span', { class: 'muted' }, a.question), ' ', h('strong', {}, a.answer))))));
    }
    if (shared) side.append(actionsSection(photo));
    else side.append(albumSection(photo), questionsSection(photo), editSection(photo), actionsSection(photo));

    main.append(
      h('div', { class: 'view-head photo-head' },
        h('a', { href: '#/', class: 'back', onclick: (e) => { if (history.length > 1) { e.preventDefault(); history.back(); } } }, '← Photos'),
        h('h1', { class: 'photo-title' }, title),
        statusBadge(photo)),
      h('div', { class: 'photo-layout' }, h('div', { class: 'photo-main' }, frame), side),
    );
    window.scrollTo(0, y);
    if (!FINAL.has(photo.status)) { sawProcessing = true; poll(photo.status); }
    else if (sawProcessing && photo.text === null && photo.status !== 'failed' && textTries < TEXT_TRIES) pollText();
  }

  /** The text is read by a job of its own once the photo is final: look for it a little while longer. */
  function pollText() {
    pollTimer = setTimeout(async () => {
      textTries += 1;
      try {
        const fresh = await api('GET', `/api/photos/${encodeURIComponent(id)}`);
        if (destroyed) return;
        if (fresh.text !== null || textTries >= TEXT_TRIES) { render(fresh); return; }
      } catch { /* keep what we have */ }
      if (!destroyed) pollText();
    }, POLL_MS);
  }

  function poll(status) {
    pollTimer = setTimeout(async () => {
      try {
        const fresh = await api('GET', `/api/photos/${encodeURIComponent(id)}`);
        if (destroyed) return;
        if (fresh.status !== status) {
          forgetPhotoImages(id);
          announce(`Photo status: ${fresh.status.replace('_', ' ')}.`);
          render(fresh);
          return;
        }
      } catch { /* keep what we have */ }
      if (!destroyed) poll(status);
    }, POLL_MS);
  }

  function albumSection(photo) {
    const byId = new Map(albums.map((a) => [a.id, a]));
    const mine = (photo.albums || []).filter((a) => byId.has(a));
    const error = h('p', { class: 'form-error', role: 'alert' });
    const list = h('ul', { class: 'chips', 'aria-label': 'Albums of this photo' }, mine.map((aid) => h('li', { class: 'chip' },
      h('a', { href: `#/album/${encodeURIComponent(aid)}` }, byId.get(aid).name),
      h('button', { type: 'button', class: 'chip-x', 'aria-label': `Remove from album ${byId.get(aid).name}`, title: 'Remove from album', onclick: async () => {
        try {
          await api('DELETE', `/api/albums/${encodeURIComponent(aid)}/photos/${encodeURIComponent(photo.id)}`);
          announce(`Removed from ${byId.get(aid).name}.`);
          reload();
        } catch (e) { error.textContent = e.message; }
      } }, '×'))));
    const others = albums.filter((a) => !mine.includes(a.id));
    const select = h('select', { name: 'album' }, others.map((a) => h('option', { value: a.id }, a.name)));
    const form = h('form', { class: 'inline-form' }, field('Add to album', select), h('button', { type: 'submit' }, 'Add'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!select.value) return;
      try {
        await api('POST', `/api/albums/${encodeURIComponent(select.value)}/photos`, { json: { photo_ids: [photo.id] } });
        announce(`Added to ${select.selectedOptions[0].textContent}.`);
        reload();
      } catch (err) { error.textContent = err.message; }
    });
    return h('section', {}, h('h2', {}, 'Albums'),
      mine.length ? list : h('p', { class: 'muted' }, 'In no album.'),
      others.length ? form : h('p', { class: 'muted' }, h('a', { href: '#/albums' }, 'Create an album')),
      error);
  }

  function questionsSection(photo) {
    const sec = h('section', { hidden: true }, h('h2', {}, 'Questions'));
    const list = h('ul', { class: 'questions compact' });
    sec.append(list);
    if (photo.status === 'needs_input' || FINAL.has(photo.status)) {
      api('GET', '/api/questions', { query: { photo_id: photo.id, limit: 20 } }).then((page) => {
        if (destroyed) return;
        for (const q of page.items.filter((x) => x.photo_id === photo.id)) {
          list.append(questionCard(q, { showPhoto: false, onDone: () => reload() }).el);
        }
        sec.hidden = !list.children.length;
      }, () => {});
    }
    return sec;
  }

  function editSection(photo) {
    const titleIn = h('input', { type: 'text', name: 'title', value: photo.title || '', maxlength: 500 });
    const desc = h('textarea', { name: 'description', rows: 3 });
    desc.value = photo.description || '';
    const taken = h('input', { type: 'datetime-local', name: 'taken_at', step: 1, value: toLocalInput(photo.taken_at) });
    const lat = h('input', { type: 'number', name: 'lat', step: 'any', min: -90, max: 90, value: photo.location ? photo.location.lat : '' });
    const lon = h('input', { type: 'number', name: 'lon', step: 'any', min: -180, max: 180, value: photo.location ? photo.location.lon : '' });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const form = h('form', { class: 'edit-form' },
      field('Title', titleIn), field('Description', desc), field('Taken at', taken),
      h('div', { class: 'row2' }, field('Latitude', lat), field('Longitude', lon)),
      error, h('button', { type: 'submit', class: 'primary' }, 'Save changes'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      const body = {};
      if (titleIn.value !== (photo.title || '')) body.title = titleIn.value;
      if (desc.value !== (photo.description || '')) body.description = desc.value;
      // the photo's local time is edited: its offset stays (a naive time stays naive)
      if (taken.value && taken.value !== toLocalInput(photo.taken_at)) body.taken_at = (taken.value.length === 16 ? `${taken.value}:00` : taken.value) + offsetOf(photo.taken_at);
      const la = lat.value.trim();
      const lo = lon.value.trim();
      if (la || lo) {
        if (!la || !lo) { error.textContent = 'Give both latitude and longitude.'; return; }
        if (!photo.location || Number(la) !== photo.location.lat || Number(lo) !== photo.location.lon) body.location = { lat: Number(la), lon: Number(lo) };
      }
      if (!Object.keys(body).length) { announce('Nothing changed.'); return; }
      try {
        const fresh = await api('PATCH', `/api/photos/${encodeURIComponent(photo.id)}`, { json: body });
        announce('Saved.');
        render(fresh);
      } catch (err) { error.textContent = err.message; }
    });
    return h('details', { class: 'edit' }, h('summary', {}, 'Edit title, description, date, location'), form);
  }

  function actionsSection(photo) {
    const error = h('p', { class: 'form-error', role: 'alert' });
    const download = h('button', { type: 'button', onclick: async () => {
      error.textContent = '';
      download.disabled = true;
      try {
        const r = await authFetch(`/api/photos/${encodeURIComponent(photo.id)}/original`);
        if (!r.ok) throw await toError(r);
        const url = URL.createObjectURL(await r.blob());
        const a = h('a', { href: url, download: photo.filename || 'photo', class: 'sr-only' });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      } catch (e) { error.textContent = e.message; } finally { download.disabled = false; }
    } }, 'Download original');
    const reprocess = h('button', { type: 'button', onclick: async () => {
      try {
        await api('POST', `/api/photos/${encodeURIComponent(photo.id)}/reprocess`);
        announce('Reprocessing.');
        forgetPhotoImages(photo.id);
        reload();
      } catch (e) { error.textContent = e.message; }
    } }, 'Reprocess');
    const del = h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!window.confirm(`Move “${photo.title || photo.filename}” to the trash? You can restore it from the Trash until it is emptied or purged.`)) return;
      try {
        await api('DELETE', `/api/photos/${encodeURIComponent(photo.id)}`);
        forgetPhotoImages(photo.id);
        announce('Photo moved to the trash.');
        location.hash = '#/';
      } catch (e) { error.textContent = e.message; }
    } }, 'Move to trash');
    const share = h('button', { type: 'button', class: 'share-button', onclick: () => openShareDialog({ photo_ids: [photo.id] }, 'this photo') }, 'Share…');
    if (shared) return h('section', { class: 'actions' }, h('h2', { class: 'sr-only' }, 'Actions'), download, error);
    return h('section', { class: 'actions' }, h('h2', { class: 'sr-only' }, 'Actions'), share, download, reprocess, del, error);
  }

  async function reload() {
    try {
      const [photo, albumList] = await Promise.all([api('GET', `/api/photos/${encodeURIComponent(id)}`), all('/api/albums').catch(() => albums)]);
      albums = albumList;
      if (!destroyed) render(photo);
    } catch { /* gone */ }
  }

  main.append(h('p', { class: 'grid-status' }, 'Loading…'));
  load();
  return () => { destroyed = true; dispose(); };
}
