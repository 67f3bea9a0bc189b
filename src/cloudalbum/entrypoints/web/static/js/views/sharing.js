// Sharing (issue 18): the share dialog (a link for an album or photos: expiry, password, location, download;
// for an album also the accounts it is shared with), the list of one's links with revoke, and "Shared with me".

import { all, api, imageUrl, thumbPath } from '../api.js';
import { announce, clear, field, formatDate, h } from '../dom.js';

const absolute = (url) => new URL(url, location.origin).href;

function copyButton(input) {
  const button = h('button', { type: 'button' }, 'Copy link');
  button.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(input.value); } catch { input.select(); document.execCommand('copy'); }
    announce('Link copied.');
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = 'Copy link'; }, 2000);
  });
  return button;
}

/** Open the share dialog for {album_id} or {photo_ids}; label names what is shared ("the album Trip"). */
export function openShareDialog(target, label) {
  const expires = h('input', { type: 'date', name: 'expires', min: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10) });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', maxlength: 256 });
  const showLocation = h('input', { type: 'checkbox', name: 'show_location', id: 'share-location' });
  const allowDownload = h('input', { type: 'checkbox', name: 'allow_download', id: 'share-download', checked: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const result = h('div', { class: 'share-result' });
  const form = h('form', { method: 'dialog', class: 'share-form' },
    field('Expires (optional)', expires, 'The link stops working at the start of that day (UTC).'),
    field('Password (optional)', password),
    h('label', { class: 'check', for: 'share-location' }, showLocation, 'Show the place (city and country, never the exact spot)'),
    h('label', { class: 'check', for: 'share-download' }, allowDownload, 'Allow downloading the photos'),
    h('button', { type: 'submit', class: 'primary' }, 'Create link'), error, result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const body = { ...target, show_location: showLocation.checked, allow_download: allowDownload.checked };
    if (expires.value) body.expires_at = `${expires.value}T00:00:00Z`;
    if (password.value) body.password = password.value;
    try {
      const share = await api('POST', '/api/shares', { json: body });
      const link = h('input', { type: 'text', readonly: true, value: absolute(share.url), 'aria-label': 'Share link' });
      clear(result).append(h('p', {}, 'Anyone with this link can see what you shared (GPS, serial numbers and faces are never included):'),
        h('div', { class: 'share-link' }, link, copyButton(link)));
      link.select();
    } catch (err) { error.textContent = err.message; }
  });
  const members = target.album_id ? membersSection(target.album_id) : null;
  const close = h('button', { type: 'button', class: 'link' }, 'Close');
  const dialog = h('dialog', { class: 'share-dialog', 'aria-label': `Share ${label}` },
    h('h2', {}, `Share ${label}`), h('h3', {}, 'A link for anyone'), form, members, h('p', {}, close));
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

function membersSection(albumId) {
  const email = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'off' });
  const role = h('select', { name: 'role' }, h('option', { value: 'viewer' }, 'Can view'),
    h('option', { value: 'contributor' }, 'Can view and add photos'));
  const where = h('input', { type: 'checkbox', id: 'member-location' });
  const status = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'member-form' }, field('Their email', email), field('They', role),
    h('label', { class: 'check', for: 'member-location' }, where, 'Show them where the photos were taken'),
    h('button', { type: 'submit' }, 'Share with this account'), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.textContent = '';
    try {
      const m = await api('POST', `/api/albums/${encodeURIComponent(albumId)}/members`,
        { json: { email: email.value.trim(), role: role.value, show_location: where.checked } });
      status.textContent = `Shared with ${m.email}.`;
      email.value = '';
    } catch (err) { status.textContent = err.code === 'no_such_user' ? 'No account has that email.' : err.message; }
  });
  return h('section', {}, h('h3', {}, 'With someone who has an account'), form);
}

function describe(share) {
  if (share.album_id) return 'An album';
  const n = (share.photo_ids || []).length;
  return `${n} photo${n === 1 ? '' : 's'}`;
}

export function sharesView(main) {
  const list = h('ul', { class: 'share-list', 'aria-label': 'Your links' });
  const status = h('p', { class: 'grid-status', role: 'status' }, 'Loading…');
  async function load() {
    try {
      const shares = await all('/api/shares');
      clear(list);
      for (const s of shares) {
        const settings = [s.expires_at ? `until ${formatDate(s.expires_at)}` : 'no expiry',
          s.password ? 'password' : null, s.show_location ? 'shows places' : 'no places',
          s.allow_download ? 'downloads allowed' : 'no downloads'].filter(Boolean).join(' · ');
        const revoke = h('button', { type: 'button', class: 'danger', onclick: async () => {
          if (!window.confirm('Revoke this link? It stops working at once.')) return;
          try { await api('DELETE', `/api/shares/${encodeURIComponent(s.id)}`); announce('Link revoked.'); load(); } catch (e) { status.textContent = e.message; }
        } }, 'Revoke');
        list.append(h('li', {}, h('strong', {}, describe(s)), h('span', { class: 'share-url' }, absolute(s.url)),
          h('span', { class: 'muted' }, `made ${formatDate(s.created_at)} · ${settings}`), revoke));
      }
      status.textContent = shares.length ? '' : 'You have not shared anything by link.';
    } catch (e) { status.textContent = `Could not load your links: ${e.message}`; }
  }
  main.append(h('div', { class: 'view-head' }, h('h1', {}, 'Your share links')), list, status);
  load();
  return null;
}

export function sharedWithMeView(main) {
  const list = h('ul', { class: 'album-list', 'aria-label': 'Albums shared with you' });
  const status = h('p', { class: 'grid-status', role: 'status' }, 'Loading…');
  (async () => {
    try {
      const albums = await all('/api/albums', { shared_with_me: true });
      for (const a of albums) {
        const img = h('img', { alt: '', class: 'thumb' });
        const frame = h('span', { class: 'thumb-frame' }, img);
        if (a.cover_photo_id) imageUrl(thumbPath(a.cover_photo_id, 'small')).then((u) => { img.src = u; frame.classList.add('loaded'); }, () => {});
        list.append(h('li', {}, h('a', { class: 'album-card', href: `#/album/${encodeURIComponent(a.id)}?shared=1` }, frame,
          h('span', { class: 'album-name' }, a.name),
          h('span', { class: 'muted' }, `from ${a.owner.email} · ${a.role === 'contributor' ? 'you can add photos' : 'you can view'}`))));
      }
      status.textContent = albums.length ? '' : 'Nobody has shared an album with you yet.';
    } catch (e) { status.textContent = `Could not load: ${e.message}`; }
  })();
  main.append(h('div', { class: 'view-head' }, h('h1', {}, 'Shared with me')), list, status);
  return null;
}
