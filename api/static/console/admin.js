/* Admin console shell: sections register themselves; the URL hash picks one (#faq…). */
(function () {
  'use strict';
  const { $, clear, start } = window.TTHC;
  const sections = {};
  const DEFAULT = 'faq';

  /** A section is {title, render(container, params)}; params come from openSection(). */
  function register(name, section) {
    sections[name] = section;
  }

  let pending = null;

  function openSection(name, params) {
    pending = params || null;
    if (window.location.hash === '#' + name) show();
    else window.location.hash = name;
  }

  function show() {
    const name = window.location.hash.replace('#', '') || DEFAULT;
    const section = sections[name] || sections[DEFAULT];
    document.querySelectorAll('[data-tabs] a').forEach((a) => {
      a.classList.toggle('is-active', a.getAttribute('href') === '#' + name);
    });
    const container = clear($('[data-section]'));
    const params = pending;
    pending = null;
    document.title = section.title + ' — Quản trị Trợ lý TTHC';
    section.render(container, params);
  }

  window.TTHCAdmin = Object.freeze({ register, openSection });

  document.addEventListener('DOMContentLoaded', async () => {
    try { await start(); } catch (err) { return; }
    window.addEventListener('hashchange', show);
    show();
  });
})();
