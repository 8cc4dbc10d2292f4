/* Catalog re-import: preview the diff, confirm, and the list of flagged records. */
(function () {
  'use strict';
  const { el, clear, api, notify, errorText } = window.TTHC;

  function codes(title, items) {
    return el('details', { open: items.length > 0 && items.length <= 20 }, [
      el('summary', { text: title + ': ' + items.length }),
      el('ul', {}, items.map((p) => el('li', { text: p.code + ' · ' + p.name + (p.flags ? ' — ' + p.flags.join(', ') : '') }))),
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
    clear(container).append(el('h2', { text: 'Nhập lại danh mục thủ tục' }),
      el('p', { class: 'muted', text: 'Đọc lại danh mục từ nguồn đã cấu hình, xem trước thay đổi rồi mới xác nhận. Cách gọi do quản trị thêm không bị mất.' }),
      el('div', { class: 'row' }, [preview, confirm]), result, flagged);
    loadFlagged(flagged);
  }

  async function loadFlagged(box) {
    try {
      const data = await api('GET', '/api/admin/catalog/flagged');
      clear(box).append(el('h3', { text: 'Thủ tục bị đánh dấu (' + data.items.length + ')' }),
        el('ul', { 'data-flagged': '' }, data.items.map((p) => el('li', { text: p.code + ' · ' + p.name + ' — ' + p.flags.join(', ') }))));
    } catch (err) { notify(errorText(err), true); }
  }

  window.TTHCAdmin.register('catalog', { title: 'Danh mục thủ tục', render: render });
})();
