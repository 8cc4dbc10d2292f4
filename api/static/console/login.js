/* Staff login: opens a console session (HttpOnly cookie) and goes to the right console. */
(function () {
  'use strict';
  const { $, api, errorText } = window.TTHC;

  function nextPage(role) {
    const next = new URLSearchParams(window.location.search).get('next') || '';
    // only local paths: never "//host" or "https://…" (no open redirect)
    if (/^\/(?!\/)[\w\-/#.?=&]*$/.test(next)) return next;
    return role === 'admin' ? '/admin' : '/support';
  }

  async function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const error = $('[data-login-error]');
    error.hidden = true;
    form.querySelector('button').disabled = true;
    try {
      const me = await api('POST', '/api/auth/session', {
        username: form.elements.username.value.trim(),
        password: form.elements.password.value,
      });
      window.location.assign(nextPage(me.role));
    } catch (err) {
      error.textContent = errorText(err);
      error.hidden = false;
      form.elements.password.value = '';
      form.elements.password.focus();
    } finally {
      form.querySelector('button').disabled = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('[data-login-form]').addEventListener('submit', submit);
  });
})();
