// The trash: photos deleted from the library, newest deleted first. Each can be restored (it comes back with
// its albums, answers and questions); "Empty trash" deletes them all for good. Nothing in the trash is served
// (its thumbnails answer 404 as for a missing photo), so the list shows names and dates, not pictures.

import { api } from '../api.js';
import { announce, clear, formatBytes, formatDate, h } from '../dom.js';

export function trashView(main) {
  const list = h('ul', { class: 'trash-list', 'aria-label': 'Photos in the trash' });
  const status = h('p', { class: 'grid-status', role: 'status' }, 'Loading…');
  const more = h('button', { type: 'button', hidden: true, onclick: () => load(cursor) }, 'Show more');
  const empty = h('button', { type: 'button', class: 'danger', disabled: true, onclick: emptyTrash }, 'Empty trash');
  let cursor = null;
  let shown = 0;

  function settle() {
    empty.disabled = shown === 0;
    if (shown === 0) status.textContent = 'The trash is empty. Photos you delete wait here before they are removed for good.';
    else status.textContent = `${shown}${more.hidden ? '' : '+'} photo${shown === 1 ? '' : 's'} in the trash.`;
  }

  function row(photo) {
    const restore = h('button', { type: 'button', onclick: async () => {
      restore.disabled = true;
      try {
        await api('POST', `/api/trash/${encodeURIComponent(photo.id)}/restore`);
        item.remove();
        shown -= 1;
        settle();
        announce(`${photo.title || photo.filename} is back in your library.`);
      } catch (e) { restore.disabled = false; status.textContent = e.message; }
    } }, 'Restore');
    const taken = photo.taken_at ? `taken ${formatDate(photo.taken_at)} · ` : '';
    const item = h('li', { 'data-id': photo.id },
      h('span', { class: 'trash-name' }, photo.title || photo.filename || 'Untitled photo'),
      h('span', { class: 'muted' }, `${taken}deleted ${formatDate(photo.trashed_at)} · ${formatBytes(photo.bytes || 0)}`),
      restore);
    return item;
  }

  async function load(after) {
    more.disabled = true;
    try {
      const page = await api('GET', '/api/trash', { query: { limit: 50, cursor: after || undefined } });
      for (const p of page.items) list.append(row(p));
      shown += page.items.length;
      cursor = page.next_cursor;
      more.hidden = !cursor;
      settle();
    } catch (e) { status.textContent = `Could not load the trash: ${e.message}`; } finally { more.disabled = false; }
  }

  async function emptyTrash() {
    if (!window.confirm('Empty the trash? Every photo in it is deleted for good, with its original and thumbnails. This cannot be undone.')) return;
    empty.disabled = true;
    try {
      await api('DELETE', '/api/trash');
      clear(list);
      shown = 0;
      more.hidden = true;
      settle();
      announce('The trash is empty.');
    } catch (e) { status.textContent = e.message; empty.disabled = false; }
  }

  main.append(h('div', { class: 'view-head' }, h('h1', {}, 'Trash'), h('div', { class: 'head-actions' }, empty)),
    status, list, more);
  load(null);
  return null;
}
