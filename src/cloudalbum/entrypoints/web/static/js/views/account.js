// The account: change the password (other sessions end), sign out everywhere, delete the account.

import { api, logout, withPassword } from '../api.js';
import { announce, field, h } from '../dom.js';

function passwordInput(name, autocomplete, minlength) {
  return h('input', { type: 'password', name, autocomplete, required: true, minlength });
}

/** A form whose submit runs action(); its error (wrong password, too weak, throttled) is shown in the form. */
function actionForm(title, controls, submit, action, { danger = false } = {}) {
  const error = h('p', { class: 'form-error', role: 'alert' });
  const done = h('p', { class: 'form-done', role: 'status' });
  const button = h('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, submit);
  const form = h('form', { class: 'card account-form' }, h('h2', {}, title), ...controls, error, done, button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    done.textContent = '';
    button.disabled = true;
    try {
      done.textContent = (await action()) || '';
      form.reset();
    } catch (e) {
      error.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export function accountView(main) {
  main.className = 'account-page';
  const current = passwordInput('current_password', 'current-password');
  const next = passwordInput('new_password', 'new-password', 8);
  const change = actionForm('Change password', [field('Current password', current), field('New password', next, 'At least 8 characters.')],
    'Change password', async () => {
      await withPassword('POST', '/api/me/password', { current_password: current.value, new_password: next.value });
      announce('Password changed.');
      return 'Password changed. Every other device was signed out.';
    });

  const everywhere = actionForm('Sign out everywhere', [h('p', {}, 'End every session of this account, this one included.')],
    'Sign out everywhere', async () => {
      await api('POST', '/api/auth/logout-all');
      await logout();
      return '';
    });

  const password = passwordInput('password', 'current-password');
  const confirm = h('input', { type: 'checkbox', name: 'confirm', required: true });
  const remove = actionForm('Delete account', [
    h('p', {}, 'Your photos, albums, people and questions are deleted for good, at once. This cannot be undone.'),
    field('Password', password),
    h('label', { class: 'check' }, confirm, ' I understand: delete everything'),
  ], 'Delete my account', async () => {
    await withPassword('DELETE', '/api/me', { password: password.value });
    announce('Your account is deleted.');
    await logout();
    return '';
  }, { danger: true });

  main.append(h('h1', {}, 'Account'), change, everywhere, remove);
}
