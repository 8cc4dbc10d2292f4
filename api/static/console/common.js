/* Shared helpers of the staff consoles (login, support, admin).
 * No HTML strings: every element is built with createElement and text is set with
 * textContent, so nothing typed by citizens or staff can inject markup. */
(function () {
  'use strict';

  const state = { me: null };

  /** Builds an element: el('button', {class: 'x', text: 'Hi', onclick: fn}, [children]). */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === undefined || value === null || value === false) return;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'class') node.className = value;
      else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
      else if (key === 'href') { const safe = safeUrl(value); if (safe) node.setAttribute('href', safe); }
      else if (value === true) node.setAttribute(key, '');
      else node.setAttribute(key, String(value));
    });
    (children || []).forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  /** Only http(s) and same-origin relative links are ever put in an href. */
  function safeUrl(value) {
    try {
      const url = new URL(String(value), window.location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function $(selector) {
    return document.querySelector(selector);
  }

  class ApiError extends Error {
    constructor(status, detail) {
      super(detail || ('HTTP ' + status));
      this.status = status;
    }
  }

  function loginUrl() {
    return '/login?next=' + encodeURIComponent(window.location.pathname + window.location.hash);
  }

  /** fetch() for the staff API: session cookie, CSRF header on writes, JSON both ways. */
  async function api(method, url, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && state.me && state.me.csrf_token) headers['X-CSRF-Token'] = state.me.csrf_token;
    const res = await fetch(url, {
      method: method,
      headers: headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401 && !url.startsWith('/api/auth/session')) {
      window.location.assign(loginUrl());
      throw new ApiError(401, '');
    }
    if (res.status === 204) return null;
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) throw new ApiError(res.status, data && typeof data.detail === 'string' ? data.detail : '');
    return data;
  }

  /** Loads the logged-in user (and the CSRF token) and fills the page header. */
  async function start() {
    state.me = await api('GET', '/api/auth/me');
    const who = $('[data-me]');
    if (who) who.textContent = state.me.username + ' (' + state.me.role + ')';
    document.querySelectorAll('[data-admin-only]').forEach((node) => { node.hidden = state.me.role !== 'admin'; });
    const logout = $('[data-logout]');
    if (logout) logout.addEventListener('click', async () => {
      try { await api('POST', '/api/auth/logout'); } finally { window.location.assign('/login'); }
    });
    return state.me;
  }

  /** Shows a status line (role="status") for a few seconds; errors stay until replaced. */
  function notify(message, isError) {
    const box = $('[data-notice]');
    if (!box) return;
    box.textContent = message || '';
    box.classList.toggle('notice--error', Boolean(isError));
    box.hidden = !message;
    clearTimeout(notify.timer);
    if (message && !isError) notify.timer = setTimeout(() => { box.hidden = true; }, 5000);
  }

  function errorText(err) {
    return err && err.message ? err.message : 'Có lỗi, vui lòng thử lại.';
  }

  const dateFormat = new Intl.DateTimeFormat('vi-VN', { dateStyle: 'short', timeStyle: 'short' });

  function formatDate(value) {
    if (!value) return '';
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? String(value) : dateFormat.format(date);
  }

  function formatWait(seconds) {
    const minutes = Math.floor(seconds / 60);
    if (minutes < 1) return 'dưới 1 phút';
    if (minutes < 60) return minutes + ' phút';
    return Math.floor(minutes / 60) + ' giờ ' + (minutes % 60) + ' phút';
  }

  window.TTHC = Object.freeze({ el, clear, $, api, start, notify, errorText, formatDate, formatWait, safeUrl, state, ApiError });
})();
