// The single-page shell: hash routes, the header (navigation, open-question count, account), the upload
// manager's panel and drop anywhere. Views render into <main> and return a cleanup function.

import { api, events as apiEvents, logout, signedIn } from './api.js';
import { announce, clear, h, parseHash } from './dom.js';
import { enqueue, uploadEvents } from './uploads.js';
import { accountView } from './views/account.js';
import { albumView, albumsView } from './views/albums.js';
import { wireAccountExport } from './exports.js';
import { signinView, signupView } from './views/auth.js';
import { duplicatesView } from './views/duplicates.js';
import { galleryView } from './views/gallery.js';
import { mapView } from './views/map.js';
import { peopleView, personView } from './views/people.js';
import { photoView } from './views/photo.js';
import { openQuestionCount, questionEvents, questionsView } from './views/questions.js';
import { searchView } from './views/search.js';
import { sharedWithMeView, sharesView } from './views/sharing.js';
import { trashView } from './views/trash.js';
import { tripView, tripsView } from './views/trips.js';
import { uploadView } from './views/upload.js';

const ROUTES = {
  '': { view: galleryView, nav: 'gallery', title: 'Photos' },
  photos: { view: galleryView, nav: 'gallery', title: 'Photos' },
  photo: { view: photoView, nav: 'gallery', title: 'Photo' },
  upload: { view: uploadView, nav: 'upload', title: 'Upload' },
  search: { view: searchView, nav: 'search', title: 'Search' },
  people: { view: peopleView, nav: 'people', title: 'People' },
  person: { view: personView, nav: 'people', title: 'Person' },
  albums: { view: albumsView, nav: 'albums', title: 'Albums' },
  album: { view: albumView, nav: 'albums', title: 'Album' },
  trips: { view: tripsView, nav: 'trips', title: 'Trips' },
  trip: { view: tripView, nav: 'trips', title: 'Trip' },
  questions: { view: questionsView, nav: 'questions', title: 'Questions' },
  map: { view: mapView, nav: 'map', title: 'Map' },
  account: { view: accountView, nav: 'account', title: 'Account' },
  shares: { view: sharesView, nav: 'shares', title: 'Share links' },
  shared: { view: sharedWithMeView, nav: 'shared', title: 'Shared with me' },
  trash: { view: trashView, nav: 'trash', title: 'Trash' },
  duplicates: { view: duplicatesView, nav: 'duplicates', title: 'Duplicates' },
  login: { view: signinView, public: true, title: 'Sign in' },
  signup: { view: signupView, public: true, title: 'Sign up' },
};

const main = document.getElementById('main');
let cleanup = null;
let lastPath = null;

function route() {
  const where = parseHash();
  const r = ROUTES[where.parts[0] || ''];
  if (!r) { location.replace('#/'); return; }
  if (!r.public && !signedIn()) {
    location.replace(`#/login${where.path !== '/' ? `?next=${encodeURIComponent(location.hash)}` : ''}`);
    return;
  }
  if (r.public && signedIn()) { location.replace('#/'); return; }
  if (cleanup) { try { cleanup(); } catch (e) { console.error(e); } }
  cleanup = null;
  clear(main);
  main.className = '';
  document.title = `${r.title} · cloudalbum`;
  shell();
  accountMenu.open = false;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === r.nav) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  try {
    cleanup = r.view(main, where) || null;
  } catch (e) {
    main.append(h('div', { class: 'card' }, h('h1', {}, 'Something went wrong'), h('p', {}, e.message)));
    console.error(e);
  }
  // move focus to the new content for keyboard and screen-reader users (not on the first load)
  if (lastPath !== null && lastPath !== where.path && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  if (lastPath !== where.path) window.scrollTo(0, 0);
  lastPath = where.path;
}

// --- header -------------------------------------------------------------------------------------------------

// The account menu (a <details>): closed by a route change, a click outside it, or Escape.
const accountMenu = document.getElementById('account-menu');
document.addEventListener('click', (e) => {
  if (accountMenu.open && !accountMenu.contains(e.target)) accountMenu.open = false;
});
accountMenu.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && accountMenu.open) {
    accountMenu.open = false;
    accountMenu.querySelector('summary').focus();
  }
});
for (const item of accountMenu.querySelectorAll('.menu-items button')) {
  item.addEventListener('click', () => { accountMenu.open = false; });
}

// The header's real height (it wraps to more rows on a narrow screen, and a long email or a question count can
// change it) as --header-bottom: what sticky bars, the scrubber and full-height views keep clear of.
const header = document.getElementById('top');
new ResizeObserver(() => {
  document.body.style.setProperty('--header-bottom', `${header.getBoundingClientRect().height}px`);
}).observe(header);

let me = null;
function shell() {
  const inside = signedIn();
  document.getElementById('nav').hidden = !inside;
  document.getElementById('account').hidden = !inside;
  document.body.classList.toggle('signed-in', inside);
  if (inside && !me) {
    me = api('GET', '/api/me').then((u) => {
      document.getElementById('who').textContent = u.email;
      return u;
    }, () => { me = null; });
    refreshQuestionCount();
  }
}

let countTimer = null;
async function refreshQuestionCount() {
  clearTimeout(countTimer);
  if (!signedIn()) return;
  const badge = document.getElementById('question-count');
  try {
    const { count, more } = await openQuestionCount();
    badge.textContent = `${count}${more ? '+' : ''}`;
    badge.hidden = count === 0;
    badge.setAttribute('aria-label', `${count}${more ? ' or more' : ''} open`);
  } catch { /* try later */ }
  countTimer = setTimeout(refreshQuestionCount, 20_000);
}

questionEvents.addEventListener('changed', refreshQuestionCount);
document.addEventListener('photo:final', () => { clearTimeout(countTimer); countTimer = setTimeout(refreshQuestionCount, 300); });
uploadEvents.addEventListener('idle', () => { clearTimeout(countTimer); countTimer = setTimeout(refreshQuestionCount, 3000); });

wireAccountExport();

document.getElementById('signout').addEventListener('click', async () => {
  await logout();
});

apiEvents.addEventListener('signedout', () => {
  me = null;
  document.getElementById('who').textContent = '';
  clearTimeout(countTimer);
  announce('Signed out.');
  if (location.hash.startsWith('#/login') || location.hash.startsWith('#/signup')) route();
  else location.hash = '#/login';
});
apiEvents.addEventListener('signedin', () => { me = null; });

// --- drop photos anywhere -------------------------------------------------------------------------------------

const overlay = document.getElementById('drop-overlay');
let dragDepth = 0;
const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
document.addEventListener('dragenter', (e) => {
  if (!signedIn() || !hasFiles(e)) return;
  dragDepth += 1;
  overlay.hidden = false;
});
document.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) overlay.hidden = true;
});
document.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
document.addEventListener('drop', (e) => {
  dragDepth = 0;
  overlay.hidden = true;
  if (!hasFiles(e) || e.defaultPrevented) return;
  e.preventDefault();
  if (signedIn()) enqueue([...e.dataTransfer.files]);
});

// the skip link targets #main, which is not a route: move focus without touching the hash
document.querySelector('.skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', route);
route();
