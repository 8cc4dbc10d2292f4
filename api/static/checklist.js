/* Checklist page: the "In / lưu PDF" button opens the browser's print dialog (no inline script: CSP). */
(function () {
  'use strict';
  const button = document.querySelector('[data-print]');
  if (button) button.addEventListener('click', () => window.print());
})();
