/* Catalog: browse and search procedures (parsed record, first reply preview), re-import
 * with a previewed diff, and flagged records explained in plain words. */
(function () {
  'use strict';
  const { el, clear, api, notify, errorText } = window.TTHC;

  function codes(title, items) {
    return el('details', { open: items.length > 0 && items.length <= 20 }, [
      el('summary', { text: title + ': ' + items.length }),
      el('ul', {}, items.map((p) => el('li', { text: p.code + ' · ' + p.name + (p.reasons && p.reasons.length ? ' — ' + p.reasons.join(' ') : '') }))),
    ]);
  }

  function showDiff(box, diff) {
    clear(box).append(
      el('p', { text: 'Nguồn: ' + diff.source + ' · đọc được ' + diff.read + ' thủ tục · không đổi: ' + diff.unchanged }),
      codes('Thêm mới', diff.added), codes('Thay đổi', diff.changed), codes('Bị gỡ khỏi danh mục', diff.removed),
      codes('Bị đánh dấu (không dùng để trả lời)', diff.flagged),
      diff.errors.length ? el('details', {}, [el('summary', { text: 'Tệp lỗi: ' + diff.errors.length }), el('ul', {}, diff.errors.map((e) => el('li', { text: e })))]) : null,
    );
  }

  async function render(container) {
    const result = el('div', { 'data-catalog-diff': '' });
    const confirm = el('button', { type: 'button', class: 'primary', hidden: true, 'data-catalog-apply': '', text: 'Xác nhận nhập danh mục' });
    const preview = el('button', { type: 'button', 'data-catalog-preview': '', text: 'Xem trước thay đổi' });
    const flagged = el('div');
    let token = null;
    preview.addEventListener('click', async () => {
      preview.disabled = true;
      try {
        const diff = await api('POST', '/api/admin/catalog/preview');
        token = diff.token;
        showDiff(result, diff);
        const empty = !diff.added.length && !diff.changed.length && !diff.removed.length;
        confirm.hidden = empty;
        if (empty) result.appendChild(el('p', { class: 'muted', text: 'Danh mục không có gì thay đổi.' }));
      } catch (err) { notify(errorText(err), true); } finally { preview.disabled = false; }
    });
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        const done = await api('POST', '/api/admin/catalog/apply', { token: token });
        showDiff(result, done);
        confirm.hidden = true;
        notify('Đã nhập danh mục. Chỉ mục tìm kiếm cập nhật trong vài giây.');
        loadFlagged(flagged);
      } catch (err) { notify(errorText(err), true); } finally { confirm.disabled = false; }
    });
    const browser = el('section', { class: 'card', 'data-catalog-browser': '' });
    clear(container).append(browser, el('h2', { text: 'Nhập lại danh mục thủ tục' }),
      el('p', { class: 'muted', text: 'Đọc lại danh mục từ nguồn đã cấu hình, xem trước thay đổi rồi mới xác nhận. Cách gọi do quản trị thêm không bị mất.' }),
      el('div', { class: 'row' }, [preview, confirm]), result, flagged);
    loadFlagged(flagged);
    renderBrowser(browser);
  }

  // --- browsing ----------------------------------------------------------------
  const PAGE = 20;
  const view = { q: '', status: 'all', field: '', offset: 0 };

  function renderBrowser(box) {
    const form = el('form', { class: 'row', role: 'search', 'data-catalog-search': '' }, [
      el('label', {}, ['Tìm theo tên hoặc mã', el('input', { type: 'search', name: 'q', value: view.q, placeholder: 'vd. khai sinh, 1.001193' })]),
      el('label', {}, ['Trạng thái', el('select', { name: 'status' }, [
        el('option', { value: 'all', text: 'Tất cả', selected: view.status === 'all' }),
        el('option', { value: 'answerable', text: 'Dùng để trả lời', selected: view.status === 'answerable' }),
        el('option', { value: 'flagged', text: 'Bị đánh dấu', selected: view.status === 'flagged' })])]),
      el('label', {}, ['Lĩnh vực', el('select', { name: 'field' }, [el('option', { value: '', text: 'Tất cả' })])]),
      el('button', { type: 'submit', class: 'primary', text: 'Tìm' }),
    ]);
    const results = el('div', { 'data-catalog-results': '' });
    const detail = el('div', { 'data-catalog-detail': '' });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      view.q = form.elements.q.value.trim();
      view.status = form.elements.status.value;
      view.field = form.elements.field.value;
      view.offset = 0;
      loadProcedures(form, results, detail);
    });
    clear(box).append(el('h2', { text: 'Tra cứu thủ tục' }), form, results, detail);
    loadProcedures(form, results, detail);
  }

  async function loadProcedures(form, results, detail) {
    const params = new URLSearchParams({ q: view.q, status: view.status, field: view.field, offset: view.offset, limit: PAGE });
    try {
      const data = await api('GET', '/api/admin/catalog/procedures?' + params.toString());
      const select = form.elements.field;
      if (select.options.length === 1) {
        data.fields.forEach((f) => select.appendChild(el('option', { value: f, text: f, selected: f === view.field })));
      }
      const rows = data.items.map((p) => el('tr', { 'data-procedure': p.code }, [
        el('td', { text: p.code }),
        el('td', { class: 'wrap' }, [el('a', { href: '#catalog', text: p.name, onclick: (e) => { e.preventDefault(); openProcedure(detail, p.code); } })]),
        el('td', { class: 'wrap', text: p.field }),
        el('td', { text: p.answerable ? 'Dùng để trả lời' : 'Bị đánh dấu' }),
      ]));
      const pager = el('p', { class: 'row' }, [
        el('span', { text: (data.total ? (view.offset + 1) + '–' + (view.offset + data.items.length) : '0') + ' / ' + data.total }),
        el('button', { type: 'button', text: '‹ Trước', disabled: view.offset === 0, onclick: () => { view.offset = Math.max(0, view.offset - PAGE); loadProcedures(form, results, detail); } }),
        el('button', { type: 'button', text: 'Sau ›', disabled: view.offset + PAGE >= data.total, onclick: () => { view.offset += PAGE; loadProcedures(form, results, detail); } }),
      ]);
      clear(results).append(el('table', { class: 'table' }, [
        el('thead', {}, [el('tr', {}, ['Mã', 'Tên thủ tục', 'Lĩnh vực', 'Trạng thái'].map((h) => el('th', { text: h })))]),
        el('tbody', {}, rows.length ? rows : [el('tr', {}, [el('td', { colspan: 4, class: 'muted', text: 'Không có thủ tục nào khớp.' })])]),
      ]), pager);
    } catch (err) { notify(errorText(err), true); }
  }

  async function openProcedure(box, code) {
    try {
      const p = await api('GET', '/api/admin/catalog/procedures/' + encodeURIComponent(code));
      const preview = el('ol', { class: 'preview', 'data-catalog-preview-reply': '' }, p.preview.map((m) => el('li', { class: 'preview__msg' }, [
        el('p', { class: 'msg__text', text: m.text }),
        m.buttons.length ? el('p', { class: 'msg__buttons', text: '[' + m.buttons.join('] [') + ']' }) : null,
      ])));
      clear(box).append(
        el('h3', { text: p.code + ' · ' + p.name }),
        p.reasons.length ? el('div', { class: 'notice notice--error', 'data-catalog-reasons': '' }, p.reasons.map((r) => el('p', { text: r }))) : null,
        el('h4', { text: 'Người dân hỏi chung về thủ tục này sẽ nhận được:' }),
        preview,
        el('details', {}, [el('summary', { text: 'Hồ sơ đã phân tích (dữ liệu kỹ thuật)' }),
          el('pre', { class: 'record', text: JSON.stringify(p.record, null, 2) })]),
      );
      box.scrollIntoView({ block: 'nearest' });
    } catch (err) { notify(errorText(err), true); }
  }

  async function loadFlagged(box) {
    try {
      const data = await api('GET', '/api/admin/catalog/flagged');
      clear(box).append(el('h3', { text: 'Thủ tục bị đánh dấu (' + data.items.length + ')' }),
        el('ul', { 'data-flagged': '' }, data.items.map((p) => el('li', {}, [
          el('strong', { text: p.code + ' · ' + p.name }), el('br'),
          el('span', { text: (p.reasons || []).join(' ') }),
          el('span', { class: 'muted', text: ' (' + p.flags.join(', ') + ')' }),
        ]))));
    } catch (err) { notify(errorText(err), true); }
  }

  window.TTHCAdmin.register('catalog', { title: 'Danh mục thủ tục', render: render });
})();
