// Search: free text plus filters; each result shows why it matched (match.reasons).

import { api } from '../api.js';
import { h } from '../dom.js';
import { filterForm, filterParams } from '../filters.js';
import { photoGrid } from '../grid.js';

export function searchView(main, { params }) {
  const filters = filterParams(params);
  const { form, focus } = filterForm(filters, { target: 'search' });
  main.append(h('div', { class: 'view-head' }, h('h1', {}, 'Search')), form);
  if (![...filters.keys()].length) {
    main.append(h('p', { class: 'muted' }, 'Search by object, person, place, camera, title, description or your answers, or use the filters.'));
    focus();
    return null;
  }
  const grid = photoGrid({
    label: 'Search results',
    load: (cursor) => {
      const q = new URLSearchParams(filters);
      q.set('limit', '60');
      if (cursor) q.set('cursor', cursor);
      return api('GET', '/api/search', { query: q });
    },
    empty: 'Nothing matches. Try fewer filters or another word.',
    extras: (photo) => (photo.match && photo.match.reasons && photo.match.reasons.length
      ? h('ul', { class: 'reasons', 'aria-label': 'Why it matched' }, photo.match.reasons.map((r) => h('li', {}, r)))
      : null),
  });
  main.append(
    h('p', { class: 'result-links' }, h('a', { href: `#/map?${filters}` }, 'Show these on the map')),
    grid.el);
  return () => grid.destroy();
}
