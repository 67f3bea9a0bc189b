// Upload: a drop zone and a file picker for many files, an optional album. Progress shows in the shell's
// upload panel, which stays while the user browses.

import { all } from '../api.js';
import { field, h } from '../dom.js';
import { enqueue } from '../uploads.js';

export const ACCEPT = 'image/jpeg,image/png,image/webp,image/heic,image/heif,image/tiff,image/gif,.jpg,.jpeg,.png,.webp,.heic,.heif,.tif,.tiff,.gif,.mpo';

export function uploadView(main) {
  const album = h('select', { name: 'album' }, h('option', { value: '' }, 'No album'));
  all('/api/albums').then((albums) => {
    for (const a of albums) album.append(h('option', { value: a.id }, a.name));
  }, () => {});
  const input = h('input', { type: 'file', multiple: true, accept: ACCEPT, class: 'file-input', id: 'file-input' });
  input.addEventListener('change', () => {
    enqueue([...input.files], album.value);
    input.value = '';
  });
  const zone = h('div', { class: 'dropzone', tabindex: '-1' },
    h('p', { class: 'dropzone-big' }, 'Drop photos here'),
    h('p', {}, 'or'),
    input,
    h('label', { for: 'file-input', class: 'button primary' }, 'Choose photos…'),
    h('p', { class: 'hint' }, 'JPEG, PNG, WebP, HEIC/HEIF, TIFF or GIF. You can keep browsing while they upload.'));
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault(); // the shell's drop-anywhere handler sees defaultPrevented and leaves it to us
    zone.classList.remove('over');
    enqueue([...e.dataTransfer.files], album.value);
  });
  main.append(
    h('div', { class: 'view-head' }, h('h1', {}, 'Upload photos')),
    h('div', { class: 'card upload-card' }, field('Add to album (optional)', album), zone),
  );
}
