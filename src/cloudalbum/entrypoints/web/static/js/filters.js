// The search filters (free text, label, person, place, date range, album), shared by the search and map views.
// They travel in the hash (#/search?q=…&label=…) so a search can be bookmarked and opened on the map.

import { all } from './api.js';
import { field, h } from './dom.js';

export const FILTER_KEYS = ['q', 'label', 'person', 'place', 'from', 'to', 'album_id', 'category', 'camera'];

/** Only the known, non-empty filter parameters. */
export function filterParams(params) {
  const out = new URLSearchParams();
  for (const k of FILTER_KEYS) for (const v of params.getAll(k)) if (v.trim()) out.append(k, v.trim());
  return out;
}

export function filterForm(params, { target, submitText = 'Search', compact = false }) {
  const q = h('input', { type: 'search', name: 'q', value: params.get('q') || '', placeholder: 'e.g. kittens in Paris last summer, dog without people', autocomplete: 'off' });
  const label = h('input', { type: 'text', name: 'label', value: params.get('label') || '', placeholder: 'e.g. dog', autocomplete: 'off' });
  const people = h('datalist', { id: `people-names-${target}` });
  const person = h('input', { type: 'text', name: 'person', value: params.get('person') || '', placeholder: 'A name you gave', autocomplete: 'off', list: people.id });
  all('/api/people').then((found) => {
    for (const p of found) if (p.name) people.append(h('option', { value: p.name }));
  }, () => {});
  const place = h('input', { type: 'text', name: 'place', value: params.get('place') || '', placeholder: 'City, region or country' });
  const from = h('input', { type: 'date', name: 'from', value: params.get('from') || '' });
  const to = h('input', { type: 'date', name: 'to', value: params.get('to') || '' });
  const album = h('select', { name: 'album_id' }, h('option', { value: '' }, 'Any album'));
  all('/api/albums').then((albums) => {
    for (const a of albums) album.append(h('option', { value: a.id, selected: a.id === params.get('album_id') }, a.name));
  }, () => {});
  const more = h('div', { class: 'filters' }, field('Label', label), field('Person', person), people, field('Place', place), field('From', from), field('To', to), field('Album', album));
  const reset = h('a', { href: `#/${target}`, class: 'link' }, 'Clear');
  const form = h('form', { class: ['search-form', compact ? 'compact' : ''], role: 'search' },
    h('div', { class: 'search-main' }, field('Search', q), h('button', { type: 'submit', class: 'primary' }, submitText), reset),
    more);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = filterParams(new URLSearchParams(new FormData(form)));
    for (const k of ['category', 'camera']) for (const v of params.getAll(k)) p.append(k, v);
    location.hash = `#/${target}${p.toString() ? `?${p}` : ''}`;
  });
  return { form, focus: () => q.focus() };
}
