// The gallery: every photo, newest taken first, with infinite scroll and live status updates.

import { api } from '../api.js';
import { h } from '../dom.js';
import { photoGrid } from '../grid.js';
import { uploadEvents } from '../uploads.js';

export function galleryView(main) {
  const grid = photoGrid({
    label: 'All photos',
    load: (cursor) => api('GET', '/api/photos', { query: { limit: 60, cursor } }),
    empty: 'No photos yet. Upload some: drop them anywhere on this page or use Upload.',
  });
  const onUploaded = (e) => grid.prepend(e.detail);
  uploadEvents.addEventListener('uploaded', onUploaded);
  main.append(
    h('div', { class: 'view-head' }, h('h1', {}, 'Photos'), h('a', { class: 'button', href: '#/upload' }, 'Upload photos')),
    grid.el,
  );
  return () => {
    uploadEvents.removeEventListener('uploaded', onUploaded);
    grid.destroy();
  };
}
