// Sign in and sign up.

import { login, register } from '../api.js';
import { announce, field, h } from '../dom.js';

function authForm({ title, submitText, onSubmit, footer, newPassword }) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', {
    type: 'password', name: 'password', autocomplete: newPassword ? 'new-password' : 'current-password',
    required: true, minlength: newPassword ? 8 : null,
  });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, submitText);
  const form = h('form', { class: 'card auth-form', novalidate: false },
    h('h1', {}, title),
    field('Email', email),
    field('Password', password, newPassword ? 'At least 8 characters.' : null),
    error,
    button,
    footer);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    button.disabled = true;
    try {
      await onSubmit(email.value.trim(), password.value);
    } catch (e) {
      error.textContent = e.message;
      password.focus();
    } finally {
      button.disabled = false;
    }
  });
  return { form, focus: () => email.focus() };
}

export function signinView(main, { params }) {
  const { form, focus } = authForm({
    title: 'Sign in',
    submitText: 'Sign in',
    footer: h('p', {}, 'New here? ', h('a', { href: '#/signup' }, 'Create an account')),
    onSubmit: async (email, password) => {
      await login(email, password);
      announce('Signed in.');
      location.hash = params.get('next') || '#/';
    },
  });
  main.append(h('div', { class: 'auth-page' }, form));
  focus();
}

export function signupView(main) {
  const { form, focus } = authForm({
    title: 'Create an account',
    submitText: 'Sign up',
    newPassword: true,
    footer: h('p', {}, 'Already have an account? ', h('a', { href: '#/login' }, 'Sign in')),
    onSubmit: async (email, password) => {
      await register(email, password);
      await login(email, password);
      announce('Account created. You are signed in.');
      location.hash = '#/upload';
    },
  });
  main.append(h('div', { class: 'auth-page' }, form));
  focus();
}
