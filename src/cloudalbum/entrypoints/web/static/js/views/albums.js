// Albums: create, rename, delete; an album's page with its photos (remove them from the album there;
// add photos from a photo's page or while uploading).

import { all, api, imageUrl, thumbPath } from '../api.js';
import { announce, clear, field, h } from '../dom.js';
import { exportButton } from '../exports.js';
import { photoGrid } from '../grid.js';
import { openShareDialog } from './sharing.js';

export function albumsView(main) {
  const list = h('ul', { class: 'album-list', 'aria-label': 'Albums' });
  const status = h('p', { class: 'grid-status', role: 'status' }, 'Loading…');
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200, autocomplete: 'off' });
  const description = h('input', { type: 'text', name: 'description', maxlength: 2000, autocomplete: 'off' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'card inline-form create-album' },
    h('h2', {}, 'New album'), field('Name', name), field('Description (optional)', description),
    h('button', { type: 'submit', class: 'primary' }, 'Create album'), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      const album = await api('POST', '/api/albums', { json: { name: name.value.trim(), ...(description.value.trim() ? { description: description.value.trim() } : {}) } });
      announce(`Album ${album.name} created.`);
      name.value = '';
      description.value = '';
      load();
    } catch (err) { error.textContent = err.message; }
  });

  async function load() {
    try {
      const albums = await all('/api/albums');
      clear(list);
      for (const a of albums) list.append(albumCard(a));
      status.textContent = albums.length ? '' : 'No albums yet.';
    } catch (e) { status.textContent = `Could not load albums: ${e.message}`; }
  }

  main.append(h('div', { class: 'view-head' }, h('h1', {}, 'Albums')), form, list, status);
  load();
  return null;
}

function albumCard(a) {
  const img = h('img', { alt: '', class: 'thumb' });
  const frame = h('span', { class: 'thumb-frame' }, img);
  if (a.cover_photo_id) imageUrl(thumbPath(a.cover_photo_id, 'small')).then((u) => { img.src = u; frame.classList.add('loaded'); }, () => {});
  const count = a.photo_count ?? 0;
  return h('li', {}, h('a', { class: 'album-card', href: `#/album/${encodeURIComponent(a.id)}` },
    frame, h('span', { class: 'album-name' }, a.name), h('span', { class: 'muted' }, `${count} photo${count === 1 ? '' : 's'}`)));
}

export function albumView(main, { parts, params }) {
  const id = parts[1];
  const shared = params.get('shared') === '1'; // someone else's album ("Shared"): read only
  let grid = null;
  let destroyed = false;

  async function load() {
    let album;
    try {
      album = await api('GET', `/api/albums/${encodeURIComponent(id)}`);
    } catch (e) {
      clear(main).append(h('div', { class: 'card' }, h('h1', {}, 'Album not found'), h('p', {}, e.message), h('a', { href: '#/albums' }, 'All albums')));
      return;
    }
    if (destroyed) return;
    render(album);
  }

  function render(album) {
    if (grid) grid.destroy();
    clear(main);
    const error = h('p', { class: 'form-error', role: 'alert' });
    const name = h('input', { type: 'text', name: 'name', value: album.name, required: true, maxlength: 200 });
    const description = h('input', { type: 'text', name: 'description', value: album.description || '', maxlength: 2000 });
    const edit = h('form', { class: 'inline-form' }, field('Name', name), field('Description', description),
      h('button', { type: 'submit' }, 'Save'));
    edit.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const fresh = await api('PATCH', `/api/albums/${encodeURIComponent(id)}`, { json: { name: name.value.trim(), description: description.value.trim() } });
        announce('Album saved.');
        render({ ...album, ...fresh });
      } catch (err) { error.textContent = err.message; }
    });
    const del = h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!window.confirm(`Delete the album “${album.name}”? Its photos stay in your library.`)) return;
      try {
        await api('DELETE', `/api/albums/${encodeURIComponent(id)}`);
        announce('Album deleted.');
        location.hash = '#/albums';
      } catch (err) { error.textContent = err.message; }
    } }, 'Delete album');
    grid = photoGrid({
      label: `Photos in ${album.name}`,
      load: (cursor) => api('GET', `/api/albums/${encodeURIComponent(id)}/photos`, { query: { limit: 60, cursor } }),
      empty: 'This album is empty. Add photos from a photo’s page, or choose this album when uploading.',
      href: (photo) => `#/photo/${encodeURIComponent(photo.id)}${shared ? '?shared=1' : ''}`,
      extras: shared ? undefined : (photo) => h('button', { type: 'button', class: 'link tile-action', 'aria-label': `Remove ${photo.title || photo.filename} from this album`, onclick: async () => {
        try {
          await api('DELETE', `/api/albums/${encodeURIComponent(id)}/photos/${encodeURIComponent(photo.id)}`);
          grid.remove(photo.id);
          announce('Removed from the album.');
        } catch (err) { error.textContent = err.message; }
      } }, 'Remove from album'),
    });
    const count = album.photo_count ?? 0;
    main.append(
      h('div', { class: 'view-head' },
        shared ? h('a', { href: '#/shared', class: 'back' }, '← Shared with me') : h('a', { href: '#/albums', class: 'back' }, '← Albums'),
        h('h1', {}, album.name),
        h('span', { class: 'muted' }, `${count} photo${count === 1 ? '' : 's'}`)),
      album.description ? h('p', { class: 'description' }, album.description) : '', // native append prints null
      shared ? '' : h('details', { class: 'edit' }, h('summary', {}, 'Rename or delete'), edit, del),
      error,
      shared ? '' : h('p', { class: 'result-links' }, h('a', { href: `#/map?album_id=${encodeURIComponent(id)}` }, 'Show on the map'),
        ' ', h('button', { type: 'button', class: 'share-button', onclick: () => openShareDialog({ album_id: id }, `the album “${album.name}”`) }, 'Share…'),
        ' ', exportButton('Export album', `/api/albums/${encodeURIComponent(id)}/export`, 'cloudalbum-album.zip', error)),
      grid.el);
  }

  load();
  return () => { destroyed = true; if (grid) grid.destroy(); };
}
