// Search: a sentence plus filters; each result shows why it matched (match.reasons), and the page shows how the
// sentence was read (interpretation.parts) as chips: removing one searches again without those words.

import { api } from '../api.js';
import { selectionBar } from '../batch.js';
import { h } from '../dom.js';
import { filterForm, filterParams } from '../filters.js';
import { photoGrid } from '../grid.js';

export function searchView(main, { params }) {
  const filters = filterParams(params);
  const { form, focus } = filterForm(filters, { target: 'search' });
  main.append(h('div', { class: 'view-head' }, h('h1', {}, 'Search')), form);
  if (![...filters.keys()].length) {
    main.append(h('p', { class: 'muted' }, 'Write what you are looking for as you would say it (“horses in Iceland 2014”, “dog without people”, “last summer”), or use the filters.'));
    focus();
    return null;
  }
  const chips = h('div', { class: 'reading', hidden: true });
  const selection = selectionBar(); // select results and edit them in one batch (js/batch.js)
  const grid = photoGrid({
    label: 'Search results',
    onSelect: selection.onSelect,
    load: async (cursor) => {
      const q = new URLSearchParams(filters);
      q.set('limit', '60');
      if (cursor) q.set('cursor', cursor);
      const page = await api('GET', '/api/search', { query: q });
      if (!cursor) showReading(chips, page.interpretation, filters);
      return page;
    },
    empty: 'Nothing matches. Try fewer filters or another word.',
    extras: (photo) => (photo.match && photo.match.reasons && photo.match.reasons.length
      ? h('ul', { class: 'reasons', 'aria-label': 'Why it matched' }, photo.match.reasons.map((r) => h('li', {}, r)))
      : null),
  });
  selection.attach(grid);
  main.append(
    chips,
    h('p', { class: 'result-links' }, h('a', { href: `#/map?${filters}` }, 'Show these on the map'), ' ', selection.button),
    selection.bar,
    grid.el);
  return () => grid.destroy();
}

/** What one part of the reading means, in words ("cat", "not person", "2019-06-01 to 2019-08-31"). */
function meaning(part) {
  const v = part.value;
  const list = (names) => (Array.isArray(names) ? names.join(', ') : String(names ?? ''));
  switch (part.kind) {
    case 'labels': return `object: ${v}`;
    case 'any_labels': return `any of: ${list(v)}`;
    case 'not_labels': return `without: ${list(v)}`;
    case 'categories': return `category: ${v}`;
    case 'place': return `place: ${v}`;
    case 'people': return `person: ${v}`;
    case 'words': return `word: ${v}`;
    case 'date': {
      const [from, to] = Array.isArray(v) ? v : [];
      if (from && to) return from === to ? `on ${from}` : `${from} to ${to}`;
      return from ? `from ${from}` : `until ${to || ''}`;
    }
    default: return list(v);
  }
}

/** The chips of interpretation.parts; each one's button searches again with q less its words. */
function showReading(box, reading, filters) {
  const parts = (reading && reading.parts) || [];
  box.replaceChildren();
  box.hidden = parts.length === 0;
  if (!parts.length) return;
  const chip = (part, i) => {
    const rest = parts.filter((_, j) => j !== i).map((p) => p.phrase).join(' ');
    const next = new URLSearchParams(filters);
    if (rest) next.set('q', rest); else next.delete('q');
    const remove = h('a', { class: 'chip-remove', href: `#/search?${next}`, 'aria-label': `Remove “${part.phrase}”`, title: 'Remove' }, '×');
    return h('li', { class: ['chip', `chip-${part.kind}`], dataset: { kind: part.kind } },
      h('span', { class: 'chip-phrase' }, part.phrase),
      h('span', { class: 'chip-meaning' }, meaning(part)), remove);
  };
  box.append(h('span', { class: 'reading-title', id: 'reading-title' }, 'Read as'),
    h('ul', { class: 'chips', 'aria-labelledby': 'reading-title' }, parts.map(chip)));
}
