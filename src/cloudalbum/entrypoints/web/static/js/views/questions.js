// Follow-up questions: a queue of open questions with the photo beside each, answered with a click (choices)
// or a word, optionally applied to the similar photos the service found; or dismissed.

import { all, api, imageUrl, thumbPath } from '../api.js';
import { announce, clear, field, h } from '../dom.js';
import { faceImg } from '../faces.js';

export const questionEvents = new EventTarget();

function thumb(photoId, alt, cls = 'q-thumb') {
  const img = h('img', { alt, class: cls });
  imageUrl(thumbPath(photoId, 'small')).then((u) => { img.src = u; }, () => img.classList.add('no-thumb'));
  return img;
}

const PLACEHOLDERS = {
  location: 'A place, e.g. Dublin',
  date: 'A date, e.g. 2019-07-14',
  people: 'A name',
  event: 'e.g. Birthday',
  label_name: 'What is it?',
};

const NOT_SAME = 'not the same person';
const DONT_ASK = "don't ask again";

/** "Not the same person": the person's faces as checkboxes; send(face_ids) with the ticked ones. */
function notSamePanel(q, send, error) {
  const list = h('ul', { class: 'face-picks', 'aria-label': 'Faces of this person' });
  const status = h('p', { class: 'grid-status', role: 'status' }, 'Loading faces…');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'These are someone else');
  const cancel = h('button', { type: 'button', class: 'link' }, 'Cancel');
  const form = h('form', { class: 'not-same', hidden: true },
    h('fieldset', {}, h('legend', {}, 'Tick the faces that are someone else'), list, status),
    h('div', { class: 'q-actions' }, submit, cancel));
  let loaded = false;
  async function open() {
    form.hidden = false;
    if (loaded) { const first = list.querySelector('input'); if (first) first.focus(); return; }
    loaded = true;
    try {
      const faces = await all(`/api/people/${encodeURIComponent(q.person_id)}/faces`, {}, 200);
      faces.forEach((f, i) => {
        const box = h('input', { type: 'checkbox', name: 'face_ids', value: f.id });
        list.append(h('li', {}, h('label', { class: 'face-pick' }, box,
          faceImg(f.thumbnail_url, `Face ${i + 1}`, 'face-thumb face-small'), h('span', { class: 'sr-only' }, ` Face ${i + 1} is someone else`))));
      });
      status.textContent = faces.length ? '' : 'No faces left.';
      const first = list.querySelector('input');
      if (first) first.focus();
    } catch (e) { status.textContent = `Could not load the faces: ${e.message}`; loaded = false; }
  }
  cancel.addEventListener('click', () => { form.hidden = true; });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const ids = [...list.querySelectorAll('input:checked')].map((b) => b.value);
    if (!ids.length) { error.textContent = 'Tick the faces that are someone else.'; return; }
    send({ choice: NOT_SAME, face_ids: ids }, `${ids.length} face${ids.length === 1 ? '' : 's'} split off`);
  });
  return { form, open };
}

/** "Who is this?": the face crop, a name (Save), "Not the same person" (tick faces), "Don't ask again". */
function peopleCard(q, send, error) {
  const name = h('input', { type: 'text', name: 'answer', autocomplete: 'off', maxlength: 100, placeholder: PLACEHOLDERS.people });
  const nameForm = h('form', { class: 'answer-form' }, field('Name', name), h('button', { type: 'submit', class: 'primary' }, 'Save'));
  nameForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = name.value.trim();
    if (!text) { error.textContent = 'Type a name first, or choose another answer below.'; name.focus(); return; }
    send({ answer: text }, text);
  });
  const notSame = notSamePanel(q, send, error);
  const notSameBtn = h('button', { type: 'button', 'aria-expanded': 'false', onclick: () => {
    notSameBtn.setAttribute('aria-expanded', 'true');
    notSame.open();
  } }, 'Not the same person');
  notSame.form.querySelector('button.link').addEventListener('click', () => {
    notSameBtn.setAttribute('aria-expanded', 'false');
    notSameBtn.focus();
  });
  const dontAsk = h('button', { type: 'button', onclick: () => send({ choice: DONT_ASK }, "don't ask again") }, 'Don’t ask again');
  return h('li', { class: 'card question q-people', dataset: { id: q.id, kind: q.kind, person: q.person_id } },
    h('a', { class: 'q-face', href: `#/photo/${encodeURIComponent(q.photo_id)}`, title: 'Open the photo' },
      faceImg(q.face_thumbnail_url, 'The face this question is about', 'face-thumb q-face-img')),
    h('div', { class: 'q-body' },
      h('h2', { class: 'q-text' }, q.text || 'Who is this?'),
      q.reason ? h('p', { class: 'q-reason' }, q.reason) : null,
      nameForm,
      h('div', { class: 'q-actions q-choices' }, notSameBtn, dontAsk),
      notSame.form,
      error));
}

/** A location question's proposed place: where, why, how sure. */
function suggestionNote(s) {
  const where = [s.place && s.place.city, s.place && s.place.country].filter(Boolean).join(', ');
  return h('p', { class: 'q-suggestion' },
    h('strong', {}, where || `${s.lat.toFixed(4)}, ${s.lon.toFixed(4)}`),
    ` — ${s.reason} (${Math.round(s.confidence * 100)}% sure)`);
}

/** One question as a card: {el}; onDone(question, result) after an answer or a dismissal. */
export function questionCard(q, { onDone, showPhoto = true } = {}) {
  const error = h('p', { class: 'form-error', role: 'alert' });
  const related = q.related_photo_ids || [];
  const applyBox = related.length ? h('input', { type: 'checkbox', checked: true, name: 'apply' }) : null;
  let busy = false;
  let card = null;

  async function send(body, what) {
    if (busy) return;
    busy = true;
    error.textContent = '';
    card.classList.add('busy');
    try {
      if (applyBox && applyBox.checked) body.apply_to = related;
      const result = await api('POST', `/api/questions/${encodeURIComponent(q.id)}/answer`, { json: body });
      announce(`Answered: ${what}.`);
      done(result);
    } catch (e) {
      error.textContent = e.message;
    } finally {
      busy = false;
      card.classList.remove('busy');
    }
  }

  function done(result) {
    card.remove();
    questionEvents.dispatchEvent(new CustomEvent('changed', { detail: { question: q, result } }));
    if (onDone) onDone(q, result);
  }

  if (q.kind === 'people' && q.person_id) {
    card = peopleCard(q, send, error);
    return { el: card };
  }

  const choices = (q.choices || []).length
    ? h('div', { class: 'choices', role: 'group', 'aria-label': 'Choices' },
      q.choices.map((c) => h('button', { type: 'button', class: 'choice', onclick: () => send({ choice: c }, c) }, c)))
    : null;
  const word = h('input', { type: 'text', name: 'answer', autocomplete: 'off', placeholder: PLACEHOLDERS[q.kind] || 'Your answer' });
  const answerForm = h('form', { class: 'answer-form' },
    field(choices ? 'Or in your own words' : 'Your answer', word),
    h('button', { type: 'submit', class: 'primary' }, 'Answer'));
  answerForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = word.value.trim();
    if (!text) { error.textContent = 'Type an answer first, or dismiss the question.'; word.focus(); return; }
    send({ answer: text }, text);
  });

  const dismiss = h('button', { type: 'button', class: 'link', onclick: async () => {
    try {
      await api('POST', `/api/questions/${encodeURIComponent(q.id)}/dismiss`);
      announce('Question dismissed.');
      done(null);
    } catch (e) { error.textContent = e.message; }
  } }, 'Dismiss');

  let applyPart = null;
  if (applyBox) {
    const strip = h('div', { class: 'related-strip' },
      related.slice(0, 8).map((id) => h('a', { href: `#/photo/${encodeURIComponent(id)}` }, thumb(id, 'Similar photo', 'mini-thumb'))),
      related.length > 8 ? h('span', { class: 'more' }, `+${related.length - 8}`) : null);
    applyPart = h('div', { class: 'apply' },
      h('label', { class: 'check' }, applyBox, related.length === 1 ? ' Apply to this similar photo too' : ` Apply to these ${related.length} similar photos`),
      strip);
  }

  card = h('li', { class: 'card question', dataset: { id: q.id, kind: q.kind } },
    showPhoto ? h('a', { class: 'q-photo', href: `#/photo/${encodeURIComponent(q.photo_id)}` }, thumb(q.photo_id, 'The photo this question is about')) : null,
    h('div', { class: 'q-body' },
      h('h2', { class: 'q-text' }, q.text),
      q.reason ? h('p', { class: 'q-reason' }, q.reason) : null,
      q.suggestion ? suggestionNote(q.suggestion) : null,
      choices,
      answerForm,
      applyPart,
      error,
      h('div', { class: 'q-actions' }, dismiss)));
  return { el: card };
}

export async function openQuestionCount() {
  const page = await api('GET', '/api/questions', { query: { limit: 200 } });
  return { count: page.items.length, more: !!page.next_cursor };
}

export function questionsView(main) {
  const list = h('ul', { class: 'questions', 'aria-label': 'Open questions' });
  const status = h('p', { class: 'grid-status', role: 'status' }, 'Loading…');
  const moreBtn = h('button', { type: 'button', hidden: true }, 'More questions');
  let cursor = null;
  let destroyed = false;

  async function load(reset) {
    if (reset) { clear(list); cursor = null; }
    status.textContent = 'Loading…';
    try {
      const page = await api('GET', '/api/questions', { query: { limit: 50, cursor } });
      if (destroyed) return;
      for (const q of page.items) list.append(questionCard(q, { onDone: afterDone }).el);
      cursor = page.next_cursor;
      moreBtn.hidden = !cursor;
      status.textContent = list.children.length ? '' : 'No open questions. Thank you!';
    } catch (e) {
      status.textContent = `Could not load questions: ${e.message}`;
    }
  }

  function afterDone(q, result) {
    // an answer applied to similar photos may have closed other questions too
    if (!list.children.length || (result && result.photos && result.photos.length > 1)) load(true);
    else {
      const next = list.querySelector('button, input');
      if (next) next.focus();
    }
  }

  moreBtn.addEventListener('click', () => load(false));
  main.append(
    h('div', { class: 'view-head' }, h('h1', {}, 'Questions'),
      h('p', { class: 'lead' }, 'A few answers make your photos easier to find.')),
    list, status, moreBtn);
  load(true);
  return () => { destroyed = true; };
}
