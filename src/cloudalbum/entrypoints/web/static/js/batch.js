// Batch edit of selected photos (issue 15.5): shift time, set place, add label and add to album, each one
// POST /api/photos/batch; after a batch an undo toast ("12 photos changed — Undo") calls
// POST /api/batches/{id}/undo. Used by the gallery and by search results (their select modes).

import { all, api } from './api.js';
import { announce, clear, field, h } from './dom.js';

const TOAST_MS = 60000;
const POINT = /^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$/;
const plural = (n) => `${n} photo${n === 1 ? '' : 's'}`;

/** Show the current view again (list order and times may have moved). */
export function rerender() {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** The body a place field asks for: {location: {lat, lon}} for "lat, lon", else {place: name}. */
export function placeBody(text) {
  const m = POINT.exec(text);
  return m ? { location: { lat: Number(m[1]), lon: Number(m[2]) } } : { place: text.trim() };
}

/**
 * batchActions({ids: () => string[], after: (result) => void, album?: boolean})
 * -> an element with the batch forms (shift time, set place, add label, and add to album when asked).
 */
export function batchActions({ ids, after, album = false }) {
  const error = h('p', { class: 'form-error', role: 'alert' });

  async function run(body, what) {
    error.textContent = '';
    const photoIds = ids();
    if (!photoIds.length) { error.textContent = 'Select some photos first.'; return; }
    try {
      const result = await api('POST', '/api/photos/batch', { json: { photo_ids: photoIds, ...body } });
      showUndoToast(result, what);
      after(result);
    } catch (err) { error.textContent = err.message; }
  }

  const sign = h('select', { name: 'shift_sign' }, h('option', { value: '1' }, 'later (+)'),
    h('option', { value: '-1' }, 'earlier (−)'));
  const hours = h('input', { type: 'number', name: 'shift_hours', min: '0', max: '876000', value: '1', inputmode: 'numeric' });
  const minutes = h('input', { type: 'number', name: 'shift_minutes', min: '0', max: '59', value: '0', inputmode: 'numeric' });
  const shift = h('form', { class: 'batch-form', 'aria-label': 'Shift time' },
    field('Move time', sign), field('Hours', hours), field('Minutes', minutes),
    h('button', { type: 'submit' }, 'Shift time'));
  shift.addEventListener('submit', (e) => {
    e.preventDefault();
    const s = Number(sign.value) * ((Number(hours.value) || 0) * 3600 + (Number(minutes.value) || 0) * 60);
    if (!s) { error.textContent = 'Give hours or minutes to move the time by.'; return; }
    run({ shift_taken_at_s: s }, 'time shifted');
  });

  const place = h('input', { type: 'text', name: 'place', placeholder: 'Dublin, or 53.35, -6.26', autocomplete: 'off' });
  const placeForm = h('form', { class: 'batch-form', 'aria-label': 'Set place' },
    field('New place', place), h('button', { type: 'submit' }, 'Set place'));
  placeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!place.value.trim()) { error.textContent = 'Name a place or give lat, lon.'; return; }
    run({ set: placeBody(place.value) }, 'place set');
  });

  const label = h('input', { type: 'text', name: 'label', placeholder: 'e.g. Rex', autocomplete: 'off', maxlength: '100' });
  const labelForm = h('form', { class: 'batch-form', 'aria-label': 'Add label' },
    field('Label to add', label), h('button', { type: 'submit' }, 'Add label'));
  labelForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!label.value.trim()) { error.textContent = 'Write a label to add.'; return; }
    run({ add_labels: [label.value.trim()] }, 'label added');
  });

  const forms = [shift, placeForm, labelForm];
  if (album) {
    const albumSelect = h('select', { name: 'batch_album' }, h('option', { value: '' }, 'Choose an album'));
    all('/api/albums').then((albums) => {
      for (const a of albums) albumSelect.append(h('option', { value: a.id }, a.name));
    }, () => {});
    const albumForm = h('form', { class: 'batch-form', 'aria-label': 'Add to album' },
      field('Album', albumSelect), h('button', { type: 'submit' }, 'Add to album'));
    albumForm.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!albumSelect.value) { error.textContent = 'Choose an album.'; return; }
      run({ add_to_album: albumSelect.value }, `added to ${albumSelect.selectedOptions[0].textContent}`);
    });
    forms.unshift(albumForm);
  }
  // On a phone the forms fold away behind their summary, so the sticky bar leaves room for the photos.
  const box = h('details', { class: 'batch-actions', open: window.matchMedia('(min-width: 700px)').matches },
    h('summary', {}, 'Edit selected: time, place, label'), h('div', { class: 'batch-forms' }, forms), error);
  return box;
}

/** The toast after a batch: "12 photos changed — Undo", for a minute or until closed or replaced. */
export function showUndoToast(result, what) {
  document.querySelectorAll('.undo-toast').forEach((t) => t.remove());
  const text = h('span', { class: 'undo-text' }, `${plural(result.updated)} changed${what ? ` (${what})` : ''}`);
  const close = () => { clearTimeout(timer); toast.remove(); };
  const undoBtn = h('button', { type: 'button', class: 'undo-button' }, 'Undo');
  const closeBtn = h('button', { type: 'button', class: 'link undo-close', 'aria-label': 'Close' }, '×');
  const toast = h('div', { class: 'undo-toast', role: 'status' }, text, result.updated ? undoBtn : null, closeBtn);
  const timer = setTimeout(close, TOAST_MS);
  closeBtn.addEventListener('click', close);
  undoBtn.addEventListener('click', async () => {
    undoBtn.disabled = true;
    try {
      const out = await api('POST', `/api/batches/${encodeURIComponent(result.batch_id)}/undo`);
      clear(toast).append(h('span', { class: 'undo-text' }, `Undone: ${plural(out.restored)} back as they were`), closeBtn);
      announce(`Undone: ${plural(out.restored)} back as they were.`);
      rerender();
    } catch (err) {
      undoBtn.disabled = false;
      text.textContent = `Could not undo: ${err.message}`;
    }
  });
  document.body.append(toast);
  announce(text.textContent);
  return toast;
}

/**
 * selectionBar({grid-like with setSelecting}) for views without their own select mode (search results):
 * {button, bar, onSelect}. Pass onSelect to photoGrid, then call attach(grid).
 */
export function selectionBar() {
  let chosen = new Set();
  let grid = null;
  const count = h('span', { class: 'select-count', role: 'status' }, '0 selected');
  const done = h('button', { type: 'button', onclick: () => setSelecting(false) }, 'Done');
  const bar = h('div', { class: 'select-bar', hidden: true, 'aria-label': 'Selected photos' }, count, done);
  const button = h('button', { type: 'button', 'aria-pressed': 'false', onclick: () => setSelecting(bar.hidden) }, 'Select');
  function setSelecting(on) {
    if (on && !bar.querySelector('.batch-actions')) {
      bar.insertBefore(batchActions({ ids: () => [...chosen], after: () => { setSelecting(false); rerender(); }, album: true }), done);
    }
    bar.hidden = !on;
    button.setAttribute('aria-pressed', String(on));
    if (grid) grid.setSelecting(on);
    if (on) count.textContent = '0 selected';
  }
  return {
    button,
    bar,
    onSelect: (ids) => { chosen = ids; count.textContent = `${ids.size} selected`; },
    attach: (g) => { grid = g; },
  };
}
