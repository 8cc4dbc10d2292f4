/* Procedure phrasings, office information and the audit log. */
(function () {
  'use strict';
  const { el, clear, api, notify, errorText, formatDate } = window.TTHC;
  const OFFICE_LABELS = {
    office_name: 'Tên bộ phận tiếp nhận', office_address: 'Địa chỉ', office_hours: 'Giờ làm việc',
    office_phone: 'Điện thoại', office_email: 'Thư điện tử', office_map_url: 'Đường dẫn bản đồ',
    hotline: 'Đường dây nóng', national_portal_url: 'Cổng Dịch vụ công quốc gia', city_portal_url: 'Cổng dịch vụ công thành phố',
  };

  async function procedure(container, code) {
    const box = el('div', { class: 'card', 'data-procedure': code });
    container.appendChild(box);
    try {
      const p = await api('GET', '/api/admin/procedures/' + encodeURIComponent(code));
      const add = el('form', { class: 'row' }, [
        el('input', { name: 'text', maxlength: 200, placeholder: 'Cách người dân hay gọi thủ tục này', required: true }),
        el('button', { type: 'submit', class: 'primary', text: 'Thêm cách gọi' }),
      ]);
      add.addEventListener('submit', async (event) => {
        event.preventDefault();
        try {
          await api('POST', '/api/admin/procedures/' + encodeURIComponent(code) + '/aliases', { text: add.elements.text.value });
          notify('Đã thêm; tìm kiếm dùng cách gọi mới trong vài giây.');
          clear(container);
          procedure(container, code);
        } catch (err) { notify(errorText(err), true); }
      });
      box.append(
        el('h3', {}, [p.code + ' · ' + p.name + ' ', el('a', { href: p.official_url, target: '_blank', rel: 'noopener noreferrer', text: '(danh mục)' })]),
        p.flags.length ? el('p', { class: 'msg__warn', text: 'Bị đánh dấu, không dùng để trả lời: ' + p.flags.join(', ') }) : null,
        el('ul', {}, p.aliases.map((a) => el('li', {}, [
          a.text + ' ', el('span', { class: 'muted', text: '(' + a.origin + ', ' + a.created_by + ') ' }),
          el('button', { type: 'button', text: 'Xóa', onclick: async () => {
            try { await api('DELETE', '/api/admin/aliases/' + a.id); clear(container); procedure(container, code); } catch (err) { notify(errorText(err), true); }
          } }),
        ]))),
        add,
      );
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  function phrasings(container) {
    const results = el('ul', { class: 'plain' });
    const detail = el('div');
    const search = el('form', { class: 'row', role: 'search' }, [
      el('input', { name: 'q', type: 'search', placeholder: 'Mã hoặc tên thủ tục (có dấu hoặc không dấu)' }),
      el('button', { type: 'submit', text: 'Tìm' }),
    ]);
    search.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const data = await api('GET', '/api/admin/procedures?limit=30&q=' + encodeURIComponent(search.elements.q.value));
        clear(results).append(...data.items.map((p) => el('li', {}, [el('a', { href: '#phrasings', text: p.code + ' · ' + p.name + ' (' + p.aliases + ' cách gọi)',
          onclick: (e) => { e.preventDefault(); procedure(clear(detail), p.code); } })])));
      } catch (err) { notify(errorText(err), true); }
    });
    clear(container).append(el('h2', { text: 'Cách gọi thủ tục' }), search, results, detail);
  }

  async function office(container) {
    clear(container).appendChild(el('h2', { text: 'Thông tin trụ sở (dùng trong câu trả lời “ở đâu / giờ nào”)' }));
    try {
      const data = await api('GET', '/api/admin/office');
      const form = el('form', { class: 'editor', 'data-office-form': '' }, data.keys.map((key) => el('label', {}, [OFFICE_LABELS[key] || key,
        key === 'office_hours' || key === 'office_address' ? el('textarea', { name: key, rows: 3 }) : el('input', { name: key })])));
      data.keys.forEach((key) => { form.elements[key].value = data.values[key] || ''; });
      form.appendChild(el('button', { type: 'submit', class: 'primary', text: 'Lưu' }));
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const values = {};
        data.keys.forEach((key) => { values[key] = form.elements[key].value; });
        try { await api('PUT', '/api/admin/office', { values: values }); notify('Đã lưu thông tin trụ sở.'); } catch (err) { notify(errorText(err), true); }
      });
      container.appendChild(form);
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  function summary(value) {
    if (!value) return '—';
    const text = JSON.stringify(value, null, 1);
    return text.length > 400 ? text.slice(0, 400) + '…' : text;
  }

  async function audit(container) {
    clear(container).appendChild(el('h2', { text: 'Nhật ký thay đổi' }));
    try {
      const data = await api('GET', '/api/admin/audit?limit=200');
      const rows = data.items.map((a) => el('tr', {}, [
        el('td', { text: formatDate(a.at) }), el('td', { text: a.actor }), el('td', { text: a.action }),
        el('td', { text: a.entity + ' ' + a.entity_id }), el('td', {}, [el('pre', { text: summary(a.before) })]), el('td', {}, [el('pre', { text: summary(a.after) })]),
      ]));
      container.appendChild(el('table', { class: 'table' }, [el('thead', {}, [el('tr', {}, ['Lúc', 'Ai', 'Việc', 'Mục', 'Trước', 'Sau'].map((t) => el('th', { text: t })))]), el('tbody', {}, rows)]));
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  window.TTHCAdmin.register('phrasings', { title: 'Cách gọi thủ tục', render: phrasings });
  window.TTHCAdmin.register('office', { title: 'Thông tin trụ sở', render: office });
  window.TTHCAdmin.register('audit', { title: 'Nhật ký thay đổi', render: audit });
})();
