// A responsive grid of photo tiles: infinite scroll over a paginated list (next_cursor, IntersectionObserver),
// lazy authenticated thumbnails, status badges, and polling of photos that are not final yet.

import { api, imageUrl, photoThumb, forgetPhotoImages } from './api.js';
import { FINAL, altText, announce, formatDate, h, statusBadge } from './dom.js';
import { openViewer } from './viewer.js';

const POLL_MS = 2000;
const POLL_BATCH = 12;

/**
 * photoGrid({load: (cursor) => Promise<{items, next_cursor}>, extras?: (photo, tile) => Node[], empty?: string,
 *            onChange?: (photo) => void, sections?: {before(photo) -> Node[], reset()} (headings, timeline.js),
 *            viewer?: boolean (a click on a finished photo opens the full-screen viewer, viewer.js; default true)})
 * -> {el, prepend(photo), remove(id), reset(load), destroy()}
 */
export function photoGrid({ load, extras, empty = 'No photos here yet.', label = 'Photos', onSelect, sections,
  href = (photo) => `#/photo/${encodeURIComponent(photo.id)}`, viewer = true }) {
  const list = h('ul', { class: 'grid', 'aria-label': label });
  const sentinel = h('div', { class: 'sentinel', 'aria-hidden': 'true' });
  const status = h('p', { class: 'grid-status', role: 'status' });
  const el = h('section', { class: 'grid-wrap' }, list, status, sentinel);
  const tiles = new Map(); // id -> {li, photo}
  let cursor = null;
  let finished = false;
  let loading = false;
  let destroyed = false;
  let pollTimer = null;
  let pollOffset = 0;
  let pendingReset = false; // a reset came while a page was loading: that page is dropped, loading starts over
  const selected = new Set(); // ids, in select mode
  let selecting = false;

  const thumbObserver = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      thumbObserver.unobserve(e.target);
      const t = tiles.get(e.target.dataset.id);
      if (t) showThumb(t);
    }
  }, { rootMargin: '300px' });

  const moreObserver = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) more();
  }, { rootMargin: '600px' });
  moreObserver.observe(sentinel);

  async function more() {
    if (loading || finished || destroyed) return;
    loading = true;
    status.textContent = 'Loading…';
    try {
      const page = await load(cursor);
      if (destroyed) return;
      if (pendingReset) { pendingReset = false; setTimeout(more, 0); return; }
      for (const photo of page.items) add(photo, false);
      cursor = page.next_cursor;
      finished = !cursor;
      status.textContent = tiles.size === 0 && finished ? empty : '';
    } catch (e) {
      status.textContent = `Could not load photos: ${e.message}`;
      finished = true;
    } finally {
      loading = false;
    }
    // keep filling while the sentinel is still on screen
    if (!finished && !destroyed) {
      const r = sentinel.getBoundingClientRect();
      if (r.top < window.innerHeight + 600) setTimeout(more, 0);
      // observing again reports the sentinel's state afresh: one that stayed in view while the page loaded
      // (a reader who scrolled to the end meanwhile) never changed state, so it would never report again
      else { moreObserver.unobserve(sentinel); moreObserver.observe(sentinel); }
    }
    schedulePoll();
  }

  function tileNode(photo) {
    const img = h('img', { alt: altText(photo), class: 'thumb', decoding: 'async' });
    const frame = h('span', { class: 'thumb-frame' }, img);
    const badge = statusBadge(photo);
    const caption = h('span', { class: 'tile-caption' },
      h('span', { class: 'tile-title' }, photo.title || formatDate(photo.taken_at) || photo.filename || ''));
    const a = h('a', { class: 'tile', href: href(photo), dataset: { id: photo.id, status: photo.status } },
      frame, badge, caption);
    a.setAttribute('aria-label', `${altText(photo)}${photo.taken_at ? `, ${formatDate(photo.taken_at)}` : ''}${badge ? `, ${badge.textContent}` : ''}`);
    const box = h('input', { type: 'checkbox', class: 'select-box', checked: selected.has(photo.id), 'aria-label': `Select ${altText(photo)}` });
    box.addEventListener('change', () => toggle(photo.id, box.checked));
    a.addEventListener('click', (e) => {
      if (!selecting) {
        // a photo still being processed opens its page (status, progress); a finished one the viewer
        if (viewer && FINAL.has(photo.status) && !e.ctrlKey && !e.metaKey && !e.shiftKey) { e.preventDefault(); view(photo.id); }
        return;
      }
      e.preventDefault(); // in select mode a click selects instead of opening
      box.checked = !box.checked;
      toggle(photo.id, box.checked);
    });
    const li = h('li', { class: ['tile-item', selected.has(photo.id) ? 'selected' : ''], dataset: { id: photo.id } },
      box, a, extras ? extras(photo) : null);
    return { li, img, frame };
  }

  function add(photo, atStart) {
    if (tiles.has(photo.id)) { update(photo); return; }
    const node = tileNode(photo);
    const t = { photo, ...node, thumbShown: false };
    tiles.set(photo.id, t);
    if (!atStart && sections) list.append(...sections.before(photo));
    if (atStart) list.prepend(t.li); else list.append(t.li);
    status.textContent = '';
    thumbObserver.observe(t.li);
  }

  function showThumb(t) {
    if (t.thumbShown || !FINAL.has(t.photo.status)) { t.wantsThumb = true; return; }
    t.thumbShown = true;
    imageUrl(photoThumb(t.photo, 'small')).then((u) => {
      t.img.src = u;
      t.frame.classList.add('loaded');
    }, () => {
      t.frame.classList.add('no-thumb');
      t.frame.dataset.name = t.photo.filename || '';
    });
  }

  function update(photo) {
    const t = tiles.get(photo.id);
    if (!t) return;
    const wasFinal = FINAL.has(t.photo.status);
    const fresh = tileNode(photo);
    t.li.replaceWith(fresh.li);
    Object.assign(t, fresh, { photo, thumbShown: false });
    if (!wasFinal && FINAL.has(photo.status)) forgetPhotoImages(photo.id);
    thumbObserver.observe(t.li);
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    if (destroyed) return;
    const pending = [...tiles.values()].filter((t) => !FINAL.has(t.photo.status));
    if (!pending.length) return;
    // after a large upload many photos wait: ask about a few at a time, taking turns
    pollOffset = pollOffset >= pending.length ? 0 : pollOffset;
    const batch = pending.slice(pollOffset, pollOffset + POLL_BATCH);
    pollOffset += POLL_BATCH;
    pollTimer = setTimeout(() => poll(batch), POLL_MS);
  }

  async function poll(batch) {
    let changed = 0;
    await Promise.all(batch.map(async (t) => {
      try {
        const photo = await api('GET', `/api/photos/${encodeURIComponent(t.photo.id)}`);
        if (destroyed) return;
        if (photo.status !== t.photo.status) {
          changed += 1;
          update(photo);
          if (FINAL.has(photo.status)) document.dispatchEvent(new CustomEvent('photo:final', { detail: photo }));
        }
      } catch (e) {
        if (e.status === 404) remove(t.photo.id);
      }
    }));
    if (changed) announce(`${changed} photo${changed === 1 ? '' : 's'} updated.`);
    schedulePoll();
  }

  /** The photos in the order shown (a prepended upload comes first). */
  function shownPhotos() {
    return [...list.querySelectorAll('.tile-item')].map((li) => tiles.get(li.dataset.id)).filter(Boolean).map((t) => t.photo);
  }

  /** The next page, for the viewer at the end of what is loaded: true when it brought photos. */
  async function loadMore() {
    while (loading) await new Promise((resolve) => { setTimeout(resolve, 50); });
    if (finished || destroyed) return false;
    const before = tiles.size;
    await more();
    return tiles.size > before;
  }

  function view(id) {
    openViewer({
      photos: shownPhotos,
      index: shownPhotos().findIndex((p) => p.id === id),
      more: loadMore,
      href,
      onClose: (photo) => {
        const t = tiles.get(photo.id);
        if (!t) return;
        t.li.scrollIntoView({ block: 'nearest' });
        t.li.querySelector('.tile').focus({ preventScroll: true });
      },
    });
  }

  function toggle(id, on) {
    if (on) selected.add(id); else selected.delete(id);
    const t = tiles.get(id);
    if (t) t.li.classList.toggle('selected', on);
    if (onSelect) onSelect(new Set(selected));
  }

  function remove(id) {
    const t = tiles.get(id);
    if (!t) return;
    t.li.remove();
    tiles.delete(id);
    if (!tiles.size && finished) status.textContent = empty;
  }

  more();
  return {
    el,
    prepend(photo) { add(photo, true); schedulePoll(); },
    remove,
    get size() { return tiles.size; },
    /** Start again from the first page of another loader (a jump to a month). */
    reset(newLoad) {
      if (newLoad) load = newLoad;
      for (const t of tiles.values()) thumbObserver.unobserve(t.li);
      tiles.clear();
      list.replaceChildren();
      if (sections) sections.reset();
      cursor = null;
      finished = false;
      status.textContent = '';
      if (loading) { pendingReset = true; return; }
      more();
    },
    /** Select mode: checkboxes on the tiles; a click selects instead of opening. */
    setSelecting(on) {
      selecting = on;
      list.classList.toggle('selecting', on);
      if (!on) {
        selected.clear();
        for (const t of tiles.values()) {
          t.li.classList.remove('selected');
          t.li.querySelector('.select-box').checked = false;
        }
        if (onSelect) onSelect(new Set());
      }
    },
    destroy() {
      destroyed = true;
      clearTimeout(pollTimer);
      thumbObserver.disconnect();
      moreObserver.disconnect();
    },
  };
}
