// The gallery's timeline (issue 16): photos under month and day headings (the local day of taken_at, as the
// camera gave it; undated photos last), a scrubber of years and months from GET /api/timeline (a vertical list
// on a desktop, a month picker on a phone) that jumps to any month, and the loader that pages through dated
// photos newest first (GET /api/search from=…, to=… for a jump) and then the undated ones (undated=true).

import { api, imageUrl, photoThumb } from './api.js';
import { altText, clear, h } from './dom.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const EARLIEST = '0001-01-01';
export const UNDATED = 'undated';

/** "2014-09-03" of a photo's taken_at (its local day, as stored), or null. */
export function photoDay(photo) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(photo.taken_at || '');
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** "September 2014" of "2014-09". */
export function monthLabel(month) {
  const [y, m] = month.split('-').map(Number);
  return `${MONTHS[m - 1] || month} ${y}`;
}

/** "Wednesday 3 September" of "2014-09-03" (a calendar date: no time zone can move it). */
export function dayLabel(day) {
  const [y, m, d] = day.split('-').map(Number);
  const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${weekday} ${d} ${MONTHS[m - 1]}`;
}

/** The last day of a month: "2014-09" -> "2014-09-30". */
function lastDay(month) {
  const [y, m] = month.split('-').map(Number);
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/**
 * Month and day headings between tiles, for photoGrid's `sections`: before(photo) gives the heading items to
 * put before the photo's tile when it starts a new month or day (photos come newest first, undated last).
 */
export function dayHeadings() {
  let month = null;
  let day = null;
  return {
    reset() { month = null; day = null; },
    before(photo) {
      const d = photoDay(photo);
      const out = [];
      const m = d ? d.slice(0, 7) : UNDATED;
      if (m !== month) {
        month = m;
        day = null;
        out.push(h('li', { class: 'grid-heading month-heading', id: `month-${m}`, dataset: { month: m } },
          h('h2', {}, m === UNDATED ? 'Date unknown' : monthLabel(m))));
      }
      if (d && d !== day) {
        day = d;
        out.push(h('li', { class: 'grid-heading day-heading', dataset: { day: d } }, h('h3', {}, dayLabel(d))));
      }
      return out;
    },
  };
}

/**
 * The pages of the gallery from a starting month ("2014-09": that month and older; UNDATED: the undated photos;
 * null: the newest), dated photos first, then the undated ones. Its cursor is its own: {phase, cursor}.
 */
export function timelineLoader(startMonth) {
  return async (cursor) => {
    const state = cursor ? JSON.parse(cursor) : { phase: startMonth === UNDATED ? UNDATED : 'dated', cursor: null };
    const query = { limit: 60, cursor: state.cursor };
    if (state.phase === 'dated') {
      query.from = EARLIEST;
      if (startMonth && startMonth !== UNDATED) query.to = lastDay(startMonth);
    } else {
      query.undated = 'true';
    }
    const page = await api('GET', '/api/search', { query });
    let next = null;
    if (page.next_cursor) next = JSON.stringify({ phase: state.phase, cursor: page.next_cursor });
    else if (state.phase === 'dated') next = JSON.stringify({ phase: UNDATED, cursor: null });
    return { items: page.items, next_cursor: next };
  };
}

/**
 * The scrubber: {el, refresh()}. onJump(month) is called with "YYYY-MM" or UNDATED. On a desktop a vertical
 * list of years and their months; on a phone (CSS decides) a select of months.
 */
export function scrubber(onJump) {
  const list = h('ol', { class: 'scrubber-years' });
  const picker = h('select', { class: 'month-picker', 'aria-label': 'Jump to a month' });
  const nav = h('nav', { class: 'scrubber', 'aria-label': 'Timeline' }, list);
  const el = h('div', { class: 'scrubber-wrap' }, nav, h('label', { class: 'month-picker-wrap' },
    h('span', { class: 'sr-only' }, 'Jump to a month'), picker));
  picker.addEventListener('change', () => { if (picker.value) onJump(picker.value); });

  function render(timeline) {
    clear(list);
    clear(picker).append(h('option', { value: '' }, 'Jump to…'));
    const years = new Map();
    for (const b of timeline.buckets) {
      const y = b.month.slice(0, 4);
      if (!years.has(y)) years.set(y, []);
      years.get(y).push(b);
    }
    for (const [year, months] of years) {
      const total = months.reduce((n, b) => n + b.count, 0);
      const monthItems = months.map((b) => h('li', {}, h('button', {
        type: 'button', class: 'scrub-month', dataset: { month: b.month },
        title: `${monthLabel(b.month)}: ${b.count} photo${b.count === 1 ? '' : 's'}`,
        onclick: () => onJump(b.month),
      }, MONTHS[Number(b.month.slice(5)) - 1].slice(0, 3))));
      list.append(h('li', { class: 'scrub-year' },
        h('button', { type: 'button', class: 'scrub-year-button', dataset: { month: months[0].month },
          title: `${year}: ${total} photo${total === 1 ? '' : 's'}`, onclick: () => onJump(months[0].month) }, year),
        h('ol', { class: 'scrub-months' }, monthItems)));
      picker.append(h('optgroup', { label: year }, months.map((b) => h('option', { value: b.month },
        `${monthLabel(b.month)} (${b.count})`))));
    }
    if (timeline.undated) {
      list.append(h('li', { class: 'scrub-year' }, h('button', { type: 'button', class: 'scrub-year-button',
        dataset: { month: UNDATED }, onclick: () => onJump(UNDATED) }, 'Undated')));
      picker.append(h('option', { value: UNDATED }, `Date unknown (${timeline.undated})`));
    }
    el.hidden = !timeline.buckets.length && !timeline.undated;
  }

  async function refresh() {
    try { render(await api('GET', '/api/timeline')); } catch { el.hidden = true; }
  }

  /** Mark the month shown (aria-current) in both forms. */
  function mark(month) {
    for (const b of list.querySelectorAll('button')) {
      if (b.dataset.month === month) b.setAttribute('aria-current', 'true'); else b.removeAttribute('aria-current');
    }
    picker.value = '';
  }

  el.hidden = true;
  refresh();
  return { el, refresh, mark };
}

/** The browser's today as YYYY-MM-DD (the reader's own day, not the server's). */
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const MEMORY_THUMBS = 8;

/** "On this day" (GET /api/memories): a section per earlier year with photos of this day; hidden when none. */
export function memoriesStrip() {
  const el = h('section', { class: 'memories', 'aria-label': 'On this day', hidden: true });
  (async () => {
    let body;
    try { body = await api('GET', '/api/memories', { query: { date: today() } }); } catch { return; }
    if (!body.items.length) return;
    el.append(h('h2', {}, 'On this day'));
    const years = h('ul', { class: 'memory-years' });
    for (const m of body.items) {
      const [y, mo, d] = m.date.split('-').map(Number);
      const thumbs = m.photos.slice(0, MEMORY_THUMBS).map((p) => {
        const img = h('img', { alt: altText(p), decoding: 'async' });
        imageUrl(photoThumb(p, 'small')).then((u) => { img.src = u; }, () => img.classList.add('no-thumb'));
        return h('li', {}, h('a', { href: `#/photo/${encodeURIComponent(p.id)}`, class: 'memory-photo' }, img));
      });
      years.append(h('li', { class: 'memory-year' },
        h('h3', {}, `${m.years_ago} year${m.years_ago === 1 ? '' : 's'} ago`,
          h('span', { class: 'memory-date' }, ` · ${d} ${MONTHS[mo - 1]} ${y}`)),
        h('ul', { class: 'memory-photos' }, thumbs),
        m.photos.length > MEMORY_THUMBS ? h('p', { class: 'memory-more' }, `and ${m.photos.length - MEMORY_THUMBS} more`) : null));
    }
    el.append(years);
    el.hidden = false;
  })();
  return el;
}
