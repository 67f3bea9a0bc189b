// Trips (issue 16): cards of the runs of photos taken away from home (title, dates, places, cover), newest
// first; a trip's page shows its photos oldest first and makes an album of them in one click.

import { all, api, imageUrl, thumbPath } from '../api.js';
import { announce, clear, h } from '../dom.js';
import { photoGrid } from '../grid.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];

// "11 – 14 April 2013", "28 April – 2 May 2013", "30 December 2013 – 2 January 2014": the local days as taken
export function tripDates(start, end) {
  const day = (iso) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
    return m ? { y: m[1], m: MONTHS[Number(m[2]) - 1], d: String(Number(m[3])) } : null;
  };
  const a = day(start);
  const b = day(end);
  if (!a || !a.m) return '';
  if (!b || !b.m) return `${a.d} ${a.m} ${a.y}`;
  if (a.y !== b.y) return `${a.d} ${a.m} ${a.y} – ${b.d} ${b.m} ${b.y}`;
  if (a.m !== b.m) return `${a.d} ${a.m} – ${b.d} ${b.m} ${b.y}`;
  return a.d === b.d ? `${a.d} ${a.m} ${a.y}` : `${a.d} – ${b.d} ${a.m} ${a.y}`;
}

const countText = (n) => `${n ?? 0} photo${n === 1 ? '' : 's'}`;

export function tripsView(main) {
  const list = h('ul', { class: 'trip-list', 'aria-label': 'Trips' });
  const status = h('p', { class: 'grid-status', role: 'status' }, 'Loading…');
  main.append(h('div', { class: 'view-head' }, h('h1', {}, 'Trips')),
    h('p', { class: 'muted trip-intro' }, 'Photos taken more than 50 km from home, grouped into trips as they arrive.'),
    list, status);
  all('/api/trips').then((trips) => {
    clear(list);
    for (const t of trips) list.append(tripCard(t));
    status.textContent = trips.length ? '' : 'No trips yet. Photos with a place, taken away from home, make trips.';
  }, (e) => { status.textContent = `Could not load trips: ${e.message}`; });
  return null;
}

function tripCard(t) {
  const img = h('img', { alt: '', class: 'thumb' });
  const frame = h('span', { class: 'thumb-frame' }, img);
  if (t.cover_photo_id) imageUrl(thumbPath(t.cover_photo_id, 'small')).then((u) => { img.src = u; frame.classList.add('loaded'); }, () => {});
  return h('li', {}, h('a', { class: 'trip-card', href: `#/trip/${encodeURIComponent(t.id)}` },
    frame,
    h('span', { class: 'trip-title' }, t.title),
    h('span', { class: 'trip-dates' }, tripDates(t.start, t.end)),
    t.places.length ? h('span', { class: 'trip-places muted' }, t.places.join(' · ')) : '',
    h('span', { class: 'muted' }, countText(t.photo_count))));
}

export function tripView(main, { parts }) {
  const id = parts[1];
  let grid = null;
  let destroyed = false;

  api('GET', `/api/trips/${encodeURIComponent(id)}`).then((trip) => {
    if (!destroyed) render(trip);
  }, (e) => {
    if (destroyed) return;
    clear(main).append(h('div', { class: 'card' }, h('h1', {}, 'Trip not found'), h('p', {}, e.message),
      h('a', { href: '#/trips' }, 'All trips')));
  });

  function render(trip) {
    const note = h('p', { class: 'trip-album-note', role: 'status' });
    const make = h('button', { type: 'button', class: 'primary', onclick: async () => {
      make.disabled = true;
      note.textContent = 'Making the album…';
      try {
        const album = await api('POST', `/api/trips/${encodeURIComponent(id)}/album`, { json: {} });
        clear(note).append(`Album “${album.name}” made with ${countText(album.photo_count)}. `,
          h('a', { href: `#/album/${encodeURIComponent(album.id)}` }, 'Open it'));
        announce(`Album ${album.name} made.`);
      } catch (err) { note.textContent = err.message; }
      make.disabled = false;
    } }, 'Make an album');
    grid = photoGrid({
      label: `Photos of ${trip.title}`,
      load: (cursor) => api('GET', `/api/trips/${encodeURIComponent(id)}/photos`, { query: { limit: 60, cursor } }),
      empty: 'No photos in this trip any more.',
    });
    main.append(
      h('div', { class: 'view-head' }, h('a', { href: '#/trips', class: 'back' }, '← Trips'), h('h1', {}, trip.title),
        h('span', { class: 'muted' }, countText(trip.photo_count))),
      h('p', { class: 'trip-meta' }, h('span', { class: 'trip-dates' }, tripDates(trip.start, trip.end)),
        trip.places.length ? h('span', { class: 'trip-places muted' }, trip.places.join(' · ')) : ''),
      h('p', { class: 'result-links' }, make), note,
      grid.el);
  }

  return () => { destroyed = true; if (grid) grid.destroy(); };
}
