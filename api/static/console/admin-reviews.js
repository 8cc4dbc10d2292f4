/* Review queue: proposals from support staff, accepted (after editing) or rejected. */
(function () {
  'use strict';
  const { el, clear, api, notify, errorText, formatDate } = window.TTHC;

  function proposalCard(container, p) {
    const isFaq = p.kind === 'faq';
    const form = el('form', { class: 'card', 'data-proposal': p.id }, [
      el('p', { class: 'muted', text: (isFaq ? 'Câu hỏi thường gặp mới' : 'Cách hỏi mới cho ' + (p.target_type === 'faq' ? 'câu hỏi thường gặp: ' : 'thủ tục: ') + (p.target_title || p.target_id))
        + ' · đề xuất bởi ' + p.proposed_by + ' · ' + formatDate(p.created_at) }),
      el('label', {}, [isFaq ? 'Câu hỏi' : 'Cách hỏi', el('input', { name: 'question', maxlength: 500, value: p.question })]),
      isFaq ? el('label', {}, ['Câu trả lời', el('textarea', { name: 'answer', rows: 6, maxlength: 5000 })]) : null,
      el('div', { class: 'row' }, [
        el('button', { type: 'submit', class: 'primary', text: 'Chấp nhận' }),
        el('button', { type: 'button', class: 'danger', text: 'Từ chối', onclick: () => decide(container, p, 'reject') }),
      ]),
    ]);
    if (isFaq) form.elements.answer.value = p.answer;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = isFaq ? { question: form.elements.question.value, answer: form.elements.answer.value }
        : { text: form.elements.question.value };
      decide(container, p, 'accept', body);
    });
    return form;
  }

  async function decide(container, proposal, action, body) {
    try {
      await api('POST', '/api/admin/reviews/' + proposal.id + '/' + action, body);
      notify(action === 'accept' ? 'Đã chấp nhận; trợ lý ảo dùng ngay trong vài giây.' : 'Đã từ chối.');
      render(container);
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  async function render(container) {
    clear(container).appendChild(el('h2', { text: 'Đề xuất chờ duyệt' }));
    try {
      const data = await api('GET', '/api/admin/reviews?status=pending');
      if (!data.items.length) container.appendChild(el('p', { class: 'muted', text: 'Không có đề xuất nào đang chờ.' }));
      data.items.forEach((p) => container.appendChild(proposalCard(container, p)));
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  window.TTHCAdmin.register('reviews', { title: 'Duyệt đề xuất', render: render });
})();
