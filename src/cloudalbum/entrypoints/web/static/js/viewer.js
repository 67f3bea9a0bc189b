// The full-screen viewer of a photo grid: the large image, previous and next (buttons, arrow keys, a swipe on a
// phone), zoom (button, double click or double tap, + and -; drag or scroll to look around), and the photo's details
// (i): date, place, camera, what was seen and who, with a link to the photo's own page. Escape, the close button and
// the browser's Back (a phone's back gesture) close it; the grid scrolls to the photo last shown.

import { imageUrl, photoThumb } from './api.js';
import { altText, formatDate, h, placeText, takenParts } from './dom.js';

const SWIPE_PX = 50; // a horizontal move at least this long, and longer than it is tall, turns the page
const ZOOM = 2.5;

/**
 * openViewer({photos: () => photo[] (the grid's order, read afresh on every move), index, more: () =>
 * Promise<boolean> (load the grid's next page; false when there is none), href: (photo) => the photo page's
 * address as the grid links it (a shared album's adds ?shared=1), onClose?: (photo) => void})
 */
export function openViewer({ photos, index, more, href, onClose }) {
  let i = index;
  let zoomed = false;
  let detailsOpen = window.matchMedia('(min-width: 900px)').matches;
  let shown = null;
  const img = h('img', { class: 'viewer-image', alt: '', draggable: 'false' });
  const stage = h('div', { class: 'viewer-stage' }, img);
  const counter = h('p', { class: 'viewer-caption', role: 'status' });
  const details = h('aside', { class: 'viewer-details', 'aria-label': 'Photo details' });
  const button = (cls, label, text, onclick) => h('button', { type: 'button', class: cls, 'aria-label': label, title: label, onclick }, text);
  const prev = button('viewer-prev', 'Previous photo', '‹', () => go(-1));
  const next = button('viewer-next', 'Next photo', '›', () => go(1));
  const zoom = button('viewer-zoom', 'Zoom in', '+', () => setZoom(!zoomed));
  const info = button('viewer-info', 'Details', 'i', () => setDetails(!detailsOpen));
  const close = button('viewer-close', 'Close', '×', () => history.back());
  const box = h('div', { class: 'viewer app-viewer', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Photo viewer', tabindex: '-1' },
    stage, prev, next, h('div', { class: 'viewer-tools' }, zoom, info, close), details, h('div', { class: 'viewer-bar' }, counter));

  function current() { return photos()[i]; }

  async function go(step) {
    const list = photos();
    if (step > 0 && i + 1 >= list.length && !(await more())) return;
    const target = i + step;
    if (target < 0 || target >= photos().length) return;
    i = target;
    show();
  }

  function show() {
    const list = photos();
    const photo = list[i];
    if (!photo) { end(); return; }
    shown = photo;
    setZoom(false);
    img.alt = altText(photo);
    counter.textContent = `${i + 1} of ${list.length}${photo.taken_at ? ` · ${formatDate(photo.taken_at)}` : ''}`;
    prev.disabled = i === 0;
    next.disabled = false; // the grid may have another page; go() finds out
    img.removeAttribute('src');
    imageUrl(photoThumb(photo, 'large')).then((u) => { if (shown === photo) img.src = u; }, () => {});
    fillDetails(photo);
  }

  function fillDetails(photo) {
    const rows = [];
    const row = (term, value) => { if (value) rows.push(h('dt', {}, term), h('dd', {}, value)); };
    const [taken, zone] = takenParts(photo);
    row('Taken', taken ? `${taken}${zone ? ` (${zone.split(' · ')[0]})` : ''}` : 'No date');
    row('Place', placeText(photo.location));
    row('Camera', photo.camera ? [photo.camera.make, photo.camera.model].filter(Boolean).join(' ') : '');
    row('Seen', [...new Set((photo.labels || []).map((l) => l.name))].join(', '));
    row('People', [...new Set((photo.faces || []).map((f) => f.person && f.person.name).filter(Boolean))].join(', '));
    row('Size', photo.width && photo.height ? `${photo.width} × ${photo.height}` : '');
    details.replaceChildren(
      h('h2', {}, photo.title || photo.filename || 'Photo'),
      photo.description ? h('p', {}, photo.description) : '',
      h('dl', {}, ...rows),
      h('a', { class: 'button viewer-open', href: href(photo), onclick: openPage }, 'Open photo page'));
  }

  // the photo page takes the viewer's place in the history: Back from it returns to the grid
  function openPage(e) {
    e.preventDefault();
    const target = e.currentTarget.getAttribute('href');
    end();
    location.replace(target);
  }

  function setZoom(on) {
    zoomed = on;
    box.classList.toggle('zoomed', on);
    zoom.textContent = on ? '−' : '+';
    zoom.setAttribute('aria-label', on ? 'Zoom out' : 'Zoom in');
    zoom.title = zoom.getAttribute('aria-label');
    img.style.width = on ? `${Math.round(stage.clientWidth * ZOOM)}px` : '';
    if (on) { // keep the middle in the middle
      stage.scrollLeft = (stage.scrollWidth - stage.clientWidth) / 2;
      stage.scrollTop = (stage.scrollHeight - stage.clientHeight) / 2;
    }
  }

  function setDetails(on) {
    detailsOpen = on;
    box.classList.toggle('with-details', on);
    info.setAttribute('aria-pressed', String(on));
  }

  // Tab stays inside the viewer (it is modal): from the last control to the first and back
  function trapTab(e) {
    const controls = [...box.querySelectorAll('button, a[href]')].filter((c) => !c.disabled && c.offsetParent !== null);
    if (!controls.length) return;
    const first = controls[0];
    const last = controls[controls.length - 1];
    const at = document.activeElement;
    if (e.shiftKey && (at === first || !box.contains(at))) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (at === last || !box.contains(at))) { e.preventDefault(); first.focus(); }
  }

  function keys(e) {
    if (e.key === 'Tab') trapTab(e);
    else if (e.key === 'ArrowLeft') { e.preventDefault(); go(-1); }
    else if (e.key === 'ArrowRight') { e.preventDefault(); go(1); }
    else if (e.key === 'Escape') history.back();
    else if (e.key === '+' || e.key === '=') setZoom(true);
    else if (e.key === '-') setZoom(false);
    else if (e.key === 'i') setDetails(!detailsOpen);
  }

  // a swipe turns the page when not zoomed (zoomed, the finger pans); a double tap zooms
  let touch = null;
  let lastTap = 0;
  stage.addEventListener('touchstart', (e) => {
    if (e.touches.length === 1) touch = { x: e.touches[0].clientX, y: e.touches[0].clientY };
  }, { passive: true });
  stage.addEventListener('touchend', (e) => {
    if (!touch || !e.changedTouches.length) return;
    const dx = e.changedTouches[0].clientX - touch.x;
    const dy = e.changedTouches[0].clientY - touch.y;
    touch = null;
    if (!zoomed && Math.abs(dx) >= SWIPE_PX && Math.abs(dx) > Math.abs(dy)) { go(dx < 0 ? 1 : -1); return; }
    if (Math.abs(dx) < 10 && Math.abs(dy) < 10) {
      const now = Date.now();
      if (now - lastTap < 300) { setZoom(!zoomed); lastTap = 0; } else lastTap = now;
    }
  });
  img.addEventListener('dblclick', () => setZoom(!zoomed));

  // drag to pan when zoomed with a mouse
  let drag = null;
  stage.addEventListener('mousedown', (e) => {
    if (!zoomed) return;
    drag = { x: e.clientX, y: e.clientY, left: stage.scrollLeft, top: stage.scrollTop };
    e.preventDefault();
  });
  window.addEventListener('mousemove', pan);
  window.addEventListener('mouseup', stopPan);
  function pan(e) {
    if (!drag) return;
    stage.scrollLeft = drag.left - (e.clientX - drag.x);
    stage.scrollTop = drag.top - (e.clientY - drag.y);
  }
  function stopPan() { drag = null; }

  // Back closes the viewer: it stands on a history entry of its own
  function popped() { end(); }
  function end() {
    window.removeEventListener('popstate', popped);
    window.removeEventListener('hashchange', popped);
    document.removeEventListener('keydown', keys);
    window.removeEventListener('mousemove', pan);
    window.removeEventListener('mouseup', stopPan);
    box.remove();
    document.body.classList.remove('viewer-open');
    if (onClose && shown) onClose(shown);
  }
  history.pushState({ viewer: true }, '');
  window.addEventListener('popstate', popped);
  window.addEventListener('hashchange', popped); // a link that leaves for another view
  document.addEventListener('keydown', keys);
  document.body.append(box);
  document.body.classList.add('viewer-open');
  setDetails(detailsOpen);
  box.focus();
  show();
}
