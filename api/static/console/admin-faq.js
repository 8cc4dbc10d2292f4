/* FAQ editor: searchable, paged list; create/edit with version check; delete. */
(function () {
  'use strict';
  const { el, clear, api, notify, errorText } = window.TTHC;
  const PAGE = 20;
  const view = { q: '', offset: 0 };

  function lines(text) {
    return text.split('\n').map((s) => s.trim()).filter(Boolean);
  }

  function field(label, input) {
    return el('label', {}, [label, input]);
  }

  function editor(container, faq) {
    const isNew = !faq.id;
    const form = el('form', { class: 'editor', 'data-faq-form': '' }, [
      el('h2', { text: isNew ? 'Thêm câu hỏi thường gặp' : 'Sửa câu hỏi #' + faq.id + ' (phiên bản ' + faq.version + ')' }),
      field('Câu hỏi', el('input', { name: 'question', maxlength: 500, required: true, value: faq.question || '' })),
      field('Câu trả lời (văn bản thường, có thể có đường dẫn; {office_hours}, {office_address}… lấy từ thông tin trụ sở)',
        el('textarea', { name: 'answer', rows: 8, maxlength: 5000, required: true })),
      field('Cách hỏi khác (mỗi dòng một cách)', el('textarea', { name: 'phrasings', rows: 4 })),
      el('div', { class: 'row' }, [
        field('Lĩnh vực', el('input', { name: 'field', maxlength: 255, value: faq.field || '' })),
        field('Nhãn (cách nhau bởi dấu phẩy)', el('input', { name: 'tags', value: (faq.tags || []).join(', ') })),
      ]),
      el('div', { class: 'row' }, [
        field('Người phụ trách', el('input', { name: 'owner', maxlength: 128, value: faq.owner || '' })),
        field('Ngày kiểm tra gần nhất', el('input', { name: 'last_verified', type: 'date', value: faq.last_verified || '' })),
        el('label', { class: 'check' }, [el('input', { name: 'published', type: 'checkbox', checked: faq.published !== false }), 'Đã xuất bản (trợ lý ảo dùng ngay)']),
      ]),
      el('div', { class: 'row' }, [
        el('button', { type: 'submit', class: 'primary', text: 'Lưu' }),
        el('button', { type: 'button', text: 'Quay lại danh sách', onclick: () => list(container) }),
        isNew ? null : el('button', { type: 'button', class: 'danger', text: 'Xóa', onclick: () => remove(container, faq) }),
      ]),
    ]);
    form.elements.answer.value = faq.answer || '';
    form.elements.phrasings.value = (faq.phrasings || []).join('\n');
    form.addEventListener('submit', (event) => save(event, container, faq));
    clear(container).appendChild(form);
    form.elements.question.focus();
  }

  function formBody(f) {
    return {
      question: f.question.value, answer: f.answer.value, phrasings: lines(f.phrasings.value),
      field: f.field.value, tags: f.tags.value.split(',').map((s) => s.trim()).filter(Boolean),
      owner: f.owner.value, last_verified: f.last_verified.value || null, published: f.published.checked,
    };
  }

  async function save(event, container, faq) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = formBody(form.elements);
    if (!form.dataset.overlapsChecked) {
      let items = [];
      try {
        items = (await api('POST', '/api/admin/faqs/overlaps', { question: body.question, phrasings: body.phrasings, id: faq.id || null })).items;
      } catch (err) {
        items = []; // the check helps; it never blocks saving
      }
      if (items.length) {
        showOverlaps(form, container, faq, body, items);
        return;
      }
    }
    await store(container, faq, body);
  }

  async function store(container, faq, body) {
    try {
      const saved = faq.id
        ? await api('PUT', '/api/admin/faqs/' + faq.id, Object.assign(body, { version: faq.version, slug: faq.slug || null }))
        : await api('POST', '/api/admin/faqs', body);
      notify('Đã lưu. Trợ lý ảo dùng nội dung mới trong vài giây.');
      editor(container, saved);
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  /** Existing entries that would answer the same questions: merge into one, or keep both. */
  function showOverlaps(form, container, faq, body, items) {
    const old = form.querySelector('[data-overlaps]');
    if (old) old.remove();
    const list = el('ul', { class: 'plain overlaps__list' }, items.map((item) => el('li', { 'data-overlap': item.type + ':' + item.id }, [
      el('strong', { text: Math.round(item.similarity * 100) + '% · ' }),
      (item.type === 'faq' ? 'Câu hỏi thường gặp #' + item.id + ': ' : 'Thủ tục ' + item.id + ': ') + item.title,
      el('span', { class: 'muted', text: ' — trùng với: “' + item.phrasings.join('”, “') + '”' }),
      item.type === 'faq' && String(item.id) !== String(faq.id || '')
        ? el('button', { type: 'button', 'data-merge': item.id, text: 'Gộp vào mục này', onclick: () => merge(container, faq, body, item.id) })
        : null,
    ])));
    const box = el('div', { class: 'overlaps', 'data-overlaps': '', role: 'alert' }, [
      el('p', {}, [el('strong', { text: 'Có mục đã có có thể trả lời cùng các câu hỏi này.' }),
        ' Nếu giữ cả hai, khi câu hỏi của người dân khớp cả hai, trợ lý ảo sẽ hỏi lại người dân muốn hỏi mục nào.']),
      list,
      el('div', { class: 'row' }, [
        el('button', { type: 'button', class: 'primary', 'data-keep': '', text: 'Vẫn lưu mục này', onclick: () => {
          form.dataset.overlapsChecked = '1';
          box.remove();
          store(container, faq, body);
        } }),
        el('button', { type: 'button', text: 'Sửa tiếp', onclick: () => box.remove() }),
      ]),
    ]);
    form.insertBefore(box, form.querySelector('.row:last-of-type'));
  }

  /** Adds this entry's question and phrasings to an existing entry instead of saving a second one. */
  async function merge(container, faq, body, targetId) {
    try {
      const target = await api('GET', '/api/admin/faqs/' + targetId);
      const phrasings = Array.from(new Set(target.phrasings.concat([body.question], body.phrasings)
        .map((p) => p.trim()).filter((p) => p && p !== target.question)));
      const saved = await api('PUT', '/api/admin/faqs/' + targetId, Object.assign({}, target, { phrasings: phrasings }));
      notify('Đã gộp các cách hỏi vào mục #' + targetId + '. Xem lại câu trả lời của mục đó nếu cần bổ sung.');
      editor(container, saved);
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  async function remove(container, faq) {
    if (!window.confirm('Xóa câu hỏi này? Trợ lý ảo sẽ không dùng nó nữa.')) return;
    try {
      await api('DELETE', '/api/admin/faqs/' + faq.id + '?version=' + faq.version);
      notify('Đã xóa.');
      list(container);
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  async function open(container, id) {
    try {
      editor(container, await api('GET', '/api/admin/faqs/' + id));
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  async function list(container) {
    const search = el('form', { class: 'row', role: 'search' }, [
      el('input', { name: 'q', type: 'search', placeholder: 'Tìm trong câu hỏi và câu trả lời', value: view.q }),
      el('button', { type: 'submit', text: 'Tìm' }),
      el('button', { type: 'button', class: 'primary', 'data-new-faq': '', text: 'Thêm câu hỏi', onclick: () => editor(container, {}) }),
    ]);
    search.addEventListener('submit', (event) => {
      event.preventDefault();
      view.q = search.elements.q.value.trim();
      view.offset = 0;
      list(container);
    });
    const table = el('table', { class: 'table' }, [el('thead', {}, [el('tr', {}, [
      el('th', { text: 'Câu hỏi' }), el('th', { text: 'Lĩnh vực' }), el('th', { text: 'Trạng thái' }), el('th', { text: 'Kiểm tra' }),
    ])])]);
    const body = el('tbody');
    table.appendChild(body);
    const pager = el('p', { class: 'row' });
    clear(container).append(el('h2', { text: 'Câu hỏi thường gặp' }), search, table, pager);
    try {
      const data = await api('GET', '/api/admin/faqs?limit=' + PAGE + '&offset=' + view.offset + '&q=' + encodeURIComponent(view.q));
      data.items.forEach((faq) => body.appendChild(el('tr', {}, [
        el('td', {}, [el('a', { href: '#faq', text: faq.question, onclick: (e) => { e.preventDefault(); open(container, faq.id); } })]),
        el('td', { text: faq.field }), el('td', { text: faq.published ? 'Xuất bản' : 'Nháp' }), el('td', { text: faq.last_verified || '' }),
      ])));
      pager.append(
        el('span', { text: (data.total ? (view.offset + 1) + '–' + (view.offset + data.items.length) : '0') + ' / ' + data.total }),
        el('button', { type: 'button', text: '‹ Trước', disabled: view.offset === 0, onclick: () => { view.offset = Math.max(0, view.offset - PAGE); list(container); } }),
        el('button', { type: 'button', text: 'Sau ›', disabled: view.offset + PAGE >= data.total, onclick: () => { view.offset += PAGE; list(container); } }),
      );
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  window.TTHCAdmin.register('faq', {
    title: 'Câu hỏi thường gặp',
    render: (container, params) => (params && params.create ? editor(container, params.create) : list(container)),
  });
})();
