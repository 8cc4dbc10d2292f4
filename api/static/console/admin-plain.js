/* Plain-language names: a short name per procedure and per document, beside the official text. */
(function () {
  'use strict';
  const { el, clear, api, notify, errorText } = window.TTHC;

  async function editor(box, code) {
    clear(box);
    try {
      const p = await api('GET', '/api/admin/plain-names/' + encodeURIComponent(code));
      const form = el('form', { class: 'editor', 'data-plain-form': code });
      form.append(
        el('h3', { text: p.code + ' · ' + p.official_name }),
        el('label', {}, ['Tên ngắn của thủ tục (để trống: dùng tên của nhóm / tên rút gọn tự động)',
          el('input', { name: 'name', maxlength: 200, value: p.edited_name || '', placeholder: p.name })]),
      );
      p.documents.forEach((d) => {
        form.append(el('label', { class: 'plain-doc' }, [
          el('span', { class: 'muted', text: 'Nguyên văn: ' + d.official }),
          el('input', { name: 'doc:' + d.key, maxlength: 200, value: d.edited || '', placeholder: d.name }),
        ]));
      });
      form.append(el('button', { type: 'submit', class: 'primary', text: 'Lưu tên ngắn' }));
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const documents = {};
        p.documents.forEach((d) => { documents[d.key] = form.elements['doc:' + d.key].value; });
        try {
          await api('PUT', '/api/admin/plain-names/' + encodeURIComponent(code), { name: form.elements.name.value, documents: documents });
          notify('Đã lưu; câu trả lời và trang in dùng tên mới trong vài giây.');
          editor(box, code);
        } catch (err) { notify(errorText(err), true); }
      });
      box.appendChild(form);
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  function render(container) {
    const results = el('ul', { class: 'plain' });
    const box = el('div');
    const search = el('form', { class: 'row', role: 'search' }, [
      el('input', { name: 'q', type: 'search', placeholder: 'Mã hoặc tên thủ tục' }),
      el('button', { type: 'submit', text: 'Tìm' }),
    ]);
    search.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const data = await api('GET', '/api/admin/procedures?limit=30&q=' + encodeURIComponent(search.elements.q.value));
        clear(results).append(...data.items.map((p) => el('li', {}, [el('a', { href: '#plain-names', text: p.code + ' · ' + p.name,
          onclick: (e) => { e.preventDefault(); editor(box, p.code); } })])));
      } catch (err) { notify(errorText(err), true); }
    });
    clear(container).append(el('h2', { text: 'Tên dễ hiểu (tên ngắn thủ tục và giấy tờ)' }),
      el('p', { class: 'muted', text: 'Tên ngắn không được đổi nghĩa; lệ phí, thời gian và giấy tờ vẫn lấy từ danh mục. Người dân luôn xem được nguyên văn.' }),
      search, results, box);
  }

  window.TTHCAdmin.register('plain-names', { title: 'Tên dễ hiểu', render: render });
})();
