// Duplicates: groups of photos that look like copies of one another (the same pixels re-tagged; the same picture
// re-encoded, resized or lightly cropped; a burst of one camera), side by side with why, and the one proposed to
// keep. "Keep this one" keeps a photo: the others go to the trash (restorable there) and what they carried
// (albums, answers, labels you gave, title, description, a place) moves to it. "Not duplicates" forgets the group:
// these photos are never grouped together again.

import { api, forgetPhotoImages, imageUrl, photoThumb } from '../api.js';
import { altText, announce, formatBytes, formatDate, h } from '../dom.js';

const KIND = { identical_pixels: 'Same pixels', near: 'Same picture', burst: 'Burst' };

function size(photo) {
  return photo.width && photo.height ? `${photo.width} × ${photo.height}` : 'size unknown';
}

function camera(photo) {
  const c = photo.camera;
  if (!c) return '';
  // many cameras repeat the make in the model ("Canon" + "Canon EOS 5D")
  if (c.make && c.model && c.model.toLowerCase().startsWith(c.make.toLowerCase())) return c.model;
  return [c.make, c.model].filter(Boolean).join(' ');
}

export function duplicatesView(main) {
  const list = h('ol', { class: 'dup-groups', 'aria-label': 'Groups of duplicates' });
  const status = h('p', { class: 'grid-status', role: 'status' }, 'Loading…');
  const more = h('button', { type: 'button', hidden: true, onclick: () => load(cursor) }, 'Show more');
  let cursor = null;
  let shown = 0;

  function settle() {
    if (shown === 0) status.textContent = 'No duplicates. Copies of a photo (re-tagged, resized, re-encoded, lightly cropped) and bursts show up here as photos are processed.';
    else status.textContent = `${shown}${more.hidden ? '' : '+'} group${shown === 1 ? '' : 's'} of photos that look like duplicates.`;
  }

  function done(item, message) {
    item.remove();
    shown -= 1;
    settle();
    announce(message);
  }

  function card(group, photo, item, buttons) {
    const img = h('img', { alt: altText(photo), class: 'thumb', decoding: 'async' });
    const frame = h('span', { class: 'thumb-frame' }, img);
    imageUrl(photoThumb(photo, 'small')).then((u) => { img.src = u; frame.classList.add('loaded'); },
      () => { frame.classList.add('no-thumb'); frame.dataset.name = photo.filename || ''; });
    const proposed = photo.id === group.keep;
    const keep = h('button', { type: 'button', class: proposed ? 'primary' : '', onclick: async () => {
      for (const b of buttons) b.disabled = true;
      try {
        await api('POST', `/api/duplicates/${encodeURIComponent(group.id)}/resolve`, { json: { keep: photo.id } });
        for (const p of group.photos) if (p.id !== photo.id) forgetPhotoImages(p.id);
        const n = group.photos.length - 1;
        done(item, `Kept ${photo.title || photo.filename}; ${n} other${n === 1 ? '' : 's'} moved to the trash.`);
      } catch (e) { for (const b of buttons) b.disabled = false; status.textContent = e.message; }
    } }, 'Keep this one');
    buttons.push(keep);
    const facts = [size(photo), photo.content_type, formatBytes(photo.bytes || 0),
      photo.taken_at ? `taken ${formatDate(photo.taken_at)}` : 'no date', camera(photo)].filter(Boolean);
    return h('li', { class: `dup-photo${proposed ? ' proposed' : ''}`, 'data-id': photo.id },
      h('a', { href: `#/photo/${encodeURIComponent(photo.id)}`, class: 'dup-thumb' }, frame),
      h('p', { class: 'dup-name' }, photo.title || photo.filename || 'Untitled photo',
        proposed ? h('span', { class: 'dup-keep-tag' }, 'Proposed') : null),
      h('p', { class: 'muted' }, facts.join(' · ')),
      keep);
  }

  function row(group) {
    const buttons = [];
    const item = h('li', { class: 'dup-group', 'data-id': group.id });
    const dismiss = h('button', { type: 'button', onclick: async () => {
      for (const b of buttons) b.disabled = true;
      try {
        await api('POST', `/api/duplicates/${encodeURIComponent(group.id)}/dismiss`);
        done(item, 'Not duplicates: these photos will not be grouped together again.');
      } catch (e) { for (const b of buttons) b.disabled = false; status.textContent = e.message; }
    } }, 'Not duplicates');
    buttons.push(dismiss);
    const photos = h('ul', { class: 'dup-photos', 'aria-label': `${group.photos.length} photos` },
      group.photos.map((p) => card(group, p, item, buttons)));
    item.append(
      h('div', { class: 'dup-head' }, h('span', { class: `dup-kind dup-${group.kind}` }, KIND[group.kind] || group.kind),
        h('p', { class: 'dup-reason' }, group.reason), dismiss),
      photos);
    return item;
  }

  async function load(after) {
    more.disabled = true;
    try {
      const page = await api('GET', '/api/duplicates', { query: { limit: 20, cursor: after || undefined } });
      for (const g of page.items) list.append(row(g));
      shown += page.items.length;
      cursor = page.next_cursor;
      more.hidden = !cursor;
      settle();
    } catch (e) { status.textContent = `Could not load the duplicates: ${e.message}`; } finally { more.disabled = false; }
  }

  main.append(h('div', { class: 'view-head' }, h('h1', {}, 'Duplicates')), status, list, more);
  load(null);
  return null;
}
