// Export (API.md "Move in, move out"): a zip of the originals, byte for byte, with a Takeout-style sidecar each.
// The API wants the bearer token, so the zip is fetched here and handed to the browser as a download through an
// object URL (the server streams it; the browser holds it until it is saved).

import { authFetch, toError } from './api.js';
import { announce, h } from './dom.js';

function nameFrom(disposition) {
  const m = /filename="([^"]+)"/.exec(disposition || '');
  return m ? m[1] : null;
}

export async function downloadZip(path, fallbackName) {
  const r = await authFetch(path);
  if (!r.ok) throw await toError(r);
  const url = URL.createObjectURL(await r.blob());
  const a = h('a', { href: url, download: nameFrom(r.headers.get('Content-Disposition')) || fallbackName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A button that downloads the zip at path; errors are shown in `error` (an element) as text. */
export function exportButton(label, path, fallbackName, error, extra = {}) {
  const button = h('button', { type: 'button', class: 'export', ...extra }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Preparing the zip…';
    if (error) error.textContent = '';
    try {
      await downloadZip(path, fallbackName);
      announce('Export downloaded.');
    } catch (err) {
      if (error) error.textContent = `Export failed: ${err.message}`;
      else announce(`Export failed: ${err.message}`);
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
  return button;
}

/** The account menu's "Export all": every photo, with a folder per album. */
export function wireAccountExport() {
  const button = document.getElementById('export-all');
  if (!button) return;
  const label = button.textContent;
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Preparing…';
    try {
      await downloadZip('/api/export', 'cloudalbum-export.zip');
      announce('Export downloaded.');
    } catch (err) {
      announce(`Export failed: ${err.message}`);
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
}
