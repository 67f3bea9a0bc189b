// Text in photos (issue 17): the lines read in a photo beside it, and their boxes over the image. The boxes are
// hidden until asked for (a checkbox), and a line's own box shows while the pointer or the focus is on the line.

import { h } from './dom.js';

function pct(v) { return `${(v * 100).toFixed(2)}%`; }

/** The layer of text boxes over the photo (lines' boxes are pixels of the upright image, as API.md says). */
export function textOverlay(photo) {
  const layer = h('div', { class: 'text-boxes', 'aria-hidden': 'true' });
  const lines = (photo.text && photo.text.lines) || [];
  if (!photo.width || !photo.height) return layer;
  lines.forEach((line, i) => {
    const b = line.box;
    layer.append(h('div', { class: 'box text-box', dataset: { line: String(i) }, style: {
      left: pct(b.x / photo.width), top: pct(b.y / photo.height), width: pct(b.w / photo.width), height: pct(b.h / photo.height),
    } }));
  });
  return layer;
}

/** The "Text" section: each line read (hover or focus shows its box), a checkbox for every box; null when the
 * photo's text was not read (the reader is off, or its job has not run yet). */
export function textSection(photo, layer) {
  const text = photo.text;
  if (!text) return null;
  const lines = text.lines || [];
  if (!lines.length) return h('section', { class: 'text-section' }, h('h2', {}, 'Text'), h('p', { class: 'muted' }, 'No text found.'));
  const boxes = [...layer.children];
  const showAll = h('input', { type: 'checkbox' });
  const sync = () => layer.classList.toggle('show-all', showAll.checked);
  showAll.addEventListener('change', sync);
  const hot = (i, on) => { if (boxes[i]) boxes[i].classList.toggle('hot', on); };
  const items = lines.map((line, i) => h('li', {
    tabindex: '0', class: 'text-line', dataset: { line: String(i) }, title: `${Math.round(line.confidence * 100)}% sure`,
    onmouseenter: () => hot(i, true), onmouseleave: () => hot(i, false), onfocus: () => hot(i, true), onblur: () => hot(i, false),
  }, line.text));
  return h('section', { class: 'text-section' }, h('h2', {}, 'Text'),
    h('ol', { class: 'text-lines', 'aria-label': 'Text read in the photo' }, items),
    h('label', { class: 'check' }, showAll, ` Show ${lines.length} text box${lines.length === 1 ? '' : 'es'}`));
}
