// People: the faces found in the photos, grouped into people (most photos first, infinite scroll), the
// face-grouping switch, and one person's page: rename (a name another person has merges them), their photos,
// their faces (each can be "not this person") and "Merge with…".

import { all, api } from '../api.js';
import { announce, clear, field, h } from '../dom.js';
import { faceImg, personHref, personName, photoCount } from '../faces.js';
import { photoGrid } from '../grid.js';

const PAGE = 60;

/** A labelled field whose submit button sits beside the control, the hint below both. */
function fieldWithButton(label, control, button, hint) {
  const f = field(label, control, hint);
  const row = h('div', { class: 'input-row' });
  control.replaceWith(row);
  row.append(control, button);
  return f;
}

function personCard(p) {
  const name = personName(p);
  return h('li', { class: 'person-item', dataset: { id: p.id } },
    h('a', { class: 'person-card', href: personHref(p.id), 'aria-label': `${name}, ${photoCount(p.photo_count)}` },
      faceImg(p.cover_thumbnail_url, '', 'face-thumb'),
      h('span', { class: ['person-name', p.name ? '' : 'unnamed'] }, name),
      h('span', { class: 'muted person-count' }, photoCount(p.photo_count))));
}

/** The "Group faces into people" switch; onChange(enabled) after the server agreed. */
function groupingSwitch(onChange) {
  const box = h('input', { type: 'checkbox', role: 'switch', name: 'face_grouping', disabled: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const label = h('label', { class: 'check switch' }, box, ' Group faces into people');
  api('GET', '/api/me/settings').then((s) => {
    box.checked = !!s.face_grouping;
    box.disabled = false;
    onChange(box.checked);
  }, (e) => { error.textContent = e.message; });
  box.addEventListener('change', async () => {
    error.textContent = '';
    const on = box.checked;
    if (!on && !window.confirm('Turn off face grouping? This deletes all face data at once: every face found, '
      + 'every person and the names you gave them. Your photos stay.')) {
      box.checked = true;
      return;
    }
    box.disabled = true;
    try {
      const s = await api('PATCH', '/api/me/settings', { json: { face_grouping: on } });
      box.checked = !!s.face_grouping;
      announce(box.checked ? 'Face grouping is on.' : 'Face grouping is off; face data deleted.');
      onChange(box.checked);
    } catch (e) {
      box.checked = !on;
      error.textContent = e.message;
    } finally {
      box.disabled = false;
    }
  });
  return h('div', { class: 'settings-row' }, label, error);
}

export function peopleView(main) {
  const list = h('ul', { class: 'people-grid', 'aria-label': 'People' });
  const status = h('p', { class: 'grid-status', role: 'status' });
  const sentinel = h('div', { class: 'sentinel', 'aria-hidden': 'true' });
  const off = h('p', { class: 'card notice-off', hidden: true },
    'Face grouping is off. Turn it on to find the faces in the photos you upload from now on and group them into people.');
  let cursor = null;
  let finished = true;
  let loading = false;
  let destroyed = false;
  let generation = 0;

  async function more() {
    if (loading || finished || destroyed) return;
    loading = true;
    const gen = generation;
    status.textContent = 'Loading…';
    try {
      const page = await api('GET', '/api/people', { query: { limit: PAGE, cursor } });
      if (destroyed || gen !== generation) return;
      for (const p of page.items) list.append(personCard(p));
      cursor = page.next_cursor;
      finished = !cursor;
      status.textContent = !list.children.length && finished
        ? 'No people yet. Faces are found in the photos you upload; each person gets one question: who is this?' : '';
    } catch (e) {
      status.textContent = `Could not load people: ${e.message}`;
      finished = true;
    } finally {
      loading = false;
    }
    if (!finished && !destroyed && sentinel.getBoundingClientRect().top < window.innerHeight + 600) setTimeout(more, 0);
  }

  function restart(enabled) {
    generation += 1;
    clear(list);
    cursor = null;
    loading = false;
    off.hidden = enabled;
    finished = !enabled;
    status.textContent = '';
    if (enabled) more();
  }

  const observer = new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) more(); },
    { rootMargin: '600px' });
  observer.observe(sentinel);
  main.append(
    h('div', { class: 'view-head' }, h('h1', {}, 'People'),
      h('p', { class: 'lead' }, 'The faces in your photos, grouped into people. Name someone once to find every photo of them.')),
    groupingSwitch(restart), off, list, status, sentinel);
  return () => { destroyed = true; observer.disconnect(); };
}

export function personView(main, { parts }) {
  const id = parts[1];
  let grid = null;
  let destroyed = false;

  async function load(afterChange = false) {
    let person;
    try {
      person = await api('GET', `/api/people/${encodeURIComponent(id)}`);
    } catch (e) {
      if (destroyed) return;
      if (afterChange && e.status === 404) { location.replace('#/people'); return; } // no face left: gone
      clear(main).append(h('div', { class: 'card' }, h('h1', {}, 'Person not found'), h('p', {}, e.message),
        h('a', { href: '#/people' }, 'All people')));
      return;
    }
    if (!destroyed) render(person);
  }

  function render(person) {
    if (grid) grid.destroy();
    clear(main);
    const error = h('p', { class: 'form-error', role: 'alert' });
    const name = personName(person);
    grid = photoGrid({
      label: `Photos of ${name}`,
      load: (cursor) => api('GET', `/api/people/${encodeURIComponent(person.id)}/photos`, { query: { limit: PAGE, cursor } }),
      empty: 'No photos of this person any more.',
    });
    main.append(
      h('div', { class: 'view-head' },
        h('a', { href: '#/people', class: 'back' }, '← People'),
        faceImg(person.cover_thumbnail_url, '', 'face-thumb face-head'),
        h('div', { class: 'person-head' },
          h('h1', { class: ['person-title', person.name ? '' : 'unnamed'] }, name),
          h('span', { class: 'muted' }, `${photoCount(person.photo_count)} · ${person.face_count} face${person.face_count === 1 ? '' : 's'}`))),
      h('div', { class: 'person-tools' }, nameForm(person, error), mergeForm(person, error)),
      error,
      h('section', { class: 'faces-section', 'aria-labelledby': 'faces-h' },
        h('h2', { id: 'faces-h' }, 'Faces'), facesStrip(person, error)),
      h('h2', { class: 'photos-h' }, 'Photos'),
      h('p', { class: 'result-links' }, person.name
        ? h('a', { href: `#/search?person=${encodeURIComponent(person.name)}` }, `Search for ${person.name}`) : null),
      grid.el);
  }

  function nameForm(person, error) {
    const input = h('input', { type: 'text', name: 'name', value: person.name || '', maxlength: 100, autocomplete: 'off',
      placeholder: 'Who is this?' });
    const form = h('form', { class: 'card name-form' }, fieldWithButton('Name', input,
      h('button', { type: 'submit', class: 'primary' }, 'Save name'),
      'A name another person already has merges the two. Leave empty to remove the name.'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      const value = input.value.trim();
      if (value === (person.name || '')) { announce('Nothing changed.'); return; }
      try {
        const kept = await api('PATCH', `/api/people/${encodeURIComponent(person.id)}`, { json: { name: value || null } });
        if (kept.id !== person.id) {
          announce(`Merged with ${personName(kept)}.`);
          location.replace(personHref(kept.id));
          return;
        }
        announce(value ? `Named ${value}.` : 'Name removed.');
        render(kept);
      } catch (err) { error.textContent = err.message; }
    });
    return form;
  }

  function mergeForm(person, error) {
    const select = h('select', { name: 'merge_with' }, h('option', { value: '' }, 'Choose a person'));
    const form = h('form', { class: 'card merge-form' }, fieldWithButton('Merge with…', select,
      h('button', { type: 'submit' }, 'Merge'), `The same person: their faces join ${personName(person)}.`));
    all('/api/people').then((people) => {
      for (const p of people) {
        if (p.id !== person.id) select.append(h('option', { value: p.id }, `${personName(p)} (${photoCount(p.photo_count)})`));
      }
    }, () => {});
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      if (!select.value) { error.textContent = 'Choose the person to merge with.'; select.focus(); return; }
      const other = select.selectedOptions[0].textContent;
      try {
        const kept = await api('POST', `/api/people/${encodeURIComponent(person.id)}/merge`, { json: { person_ids: [select.value] } });
        announce(`Merged ${other} into ${personName(kept)}.`);
        if (kept.id !== person.id) location.replace(personHref(kept.id)); else render(kept);
      } catch (err) { error.textContent = err.message; }
    });
    return form;
  }

  function facesStrip(person, error) {
    const strip = h('ul', { class: 'face-strip', 'aria-label': `Faces of ${personName(person)}` });
    const moreBtn = h('button', { type: 'button', hidden: true }, 'More faces');
    let cursor = null;
    async function page() {
      try {
        const got = await api('GET', `/api/people/${encodeURIComponent(person.id)}/faces`, { query: { limit: PAGE, cursor } });
        if (destroyed) return;
        const before = strip.children.length;
        got.items.forEach((f, i) => strip.append(faceItem(person, f, before + i + 1, error)));
        cursor = got.next_cursor;
        moreBtn.hidden = !cursor;
      } catch (e) { error.textContent = e.message; }
    }
    moreBtn.addEventListener('click', page);
    page();
    return h('div', {}, strip, moreBtn);
  }

  function faceItem(person, face, n, error) {
    const what = `face ${n}`;
    const li = h('li', { class: 'face-item', dataset: { id: face.id } },
      h('a', { href: `#/photo/${encodeURIComponent(face.photo_id)}`, title: 'Open the photo' },
        faceImg(face.thumbnail_url, `${personName(person)}, ${what} (open the photo)`, 'face-thumb')),
      h('button', { type: 'button', class: 'link not-person', 'aria-label': `Not ${personName(person)}: ${what}`, onclick: async () => {
        error.textContent = '';
        try {
          await api('DELETE', `/api/people/${encodeURIComponent(person.id)}/faces/${encodeURIComponent(face.id)}`);
          announce(`That face is no longer ${personName(person)}.`);
          load(true);
        } catch (err) { error.textContent = err.message; }
      } }, 'Not this person'));
    return li;
  }

  main.append(h('p', { class: 'grid-status' }, 'Loading…'));
  load();
  return () => { destroyed = true; if (grid) grid.destroy(); };
}
