// The gallery: every photo, newest taken first, under month and day headings with a scrubber to jump to any
// month (timeline.js), with infinite scroll and live status updates; a select mode adds many photos to an album
// at once, and edits them in one batch (js/batch.js: shift time, set place, add label), with an undo toast.

import { all, api } from '../api.js';
import { batchActions, rerender, showUndoToast } from '../batch.js';
import { clear, field, h } from '../dom.js';
import { photoGrid } from '../grid.js';
import { uploadEvents } from '../uploads.js';
import { openShareDialog } from './sharing.js';
import { dayHeadings, memoriesStrip, scrubber, timelineLoader } from '../timeline.js';

export function galleryView(main) {
  let chosen = new Set();
  const count = h('span', { class: 'select-count', role: 'status' });
  const albumSelect = h('select', { name: 'album' });
  const newName = h('input', { type: 'text', name: 'new_album', placeholder: 'or a new album', autocomplete: 'off' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const addBtn = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Add to album');
  const shareBtn = h('button', { type: 'button', disabled: true, onclick: () => openShareDialog(
    { photo_ids: [...chosen] }, `${chosen.size} photo${chosen.size === 1 ? '' : 's'}`) }, 'Share…');
  const albumForm = h('form', { class: 'batch-form', 'aria-label': 'Add to album' },
    field('Album', albumSelect), field('New album', newName), addBtn);
  const bar = h('div', { class: 'select-bar', hidden: true, 'aria-label': 'Selected photos' },
    count, albumForm, shareBtn,
    h('button', { type: 'button', onclick: () => setSelecting(false) }, 'Done'), error,
    batchActions({ ids: () => [...chosen], after: () => { setSelecting(false); rerender(); } }));

  async function loadAlbums() {
    clear(albumSelect).append(h('option', { value: '' }, 'Choose an album'));
    try {
      for (const a of await all('/api/albums')) albumSelect.append(h('option', { value: a.id }, a.name));
    } catch { /* the new-album field still works */ }
  }

  const grid = photoGrid({
    label: 'All photos',
    load: timelineLoader(null),
    sections: dayHeadings(),
    empty: 'No photos yet. Upload some: drop them anywhere on this page or use Upload.',
    onSelect: (ids) => {
      chosen = ids;
      count.textContent = `${ids.size} selected`;
      addBtn.disabled = ids.size === 0;
      shareBtn.disabled = ids.size === 0;
    },
  });

  const selectBtn = h('button', { type: 'button', 'aria-pressed': 'false', onclick: () => setSelecting(bar.hidden) }, 'Select');
  function setSelecting(on) {
    bar.hidden = !on;
    selectBtn.setAttribute('aria-pressed', String(on));
    grid.setSelecting(on);
    error.textContent = '';
    if (on) { loadAlbums(); count.textContent = '0 selected'; }
  }

  albumForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!chosen.size) return;
    try {
      let albumId = albumSelect.value;
      let name = albumSelect.selectedOptions[0] ? albumSelect.selectedOptions[0].textContent : '';
      if (newName.value.trim()) {
        const created = await api('POST', '/api/albums', { json: { name: newName.value.trim() } });
        albumId = created.id;
        name = created.name;
      }
      if (!albumId) { error.textContent = 'Choose an album or name a new one.'; return; }
      const result = await api('POST', '/api/photos/batch', { json: { photo_ids: [...chosen], add_to_album: albumId } });
      showUndoToast(result, `added to ${name}`);
      newName.value = '';
      setSelecting(false);
    } catch (err) { error.textContent = err.message; }
  });

  const timeline = scrubber((month) => {
    timeline.mark(month);
    grid.reset(timelineLoader(month));
    window.scrollTo({ top: 0 });
  });

  const onUploaded = (e) => grid.prepend(e.detail);
  uploadEvents.addEventListener('uploaded', onUploaded);
  main.append(
    h('div', { class: 'view-head' }, h('h1', {}, 'Photos'),
      h('div', { class: 'head-actions' }, selectBtn, h('a', { class: 'button', href: '#/upload' }, 'Upload photos'))),
    bar,
    memoriesStrip(),
    h('div', { class: 'timeline-layout' }, grid.el, timeline.el),
  );
  return () => {
    uploadEvents.removeEventListener('uploaded', onUploaded);
    grid.destroy();
  };
}
