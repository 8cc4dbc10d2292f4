/* Support console: inbox, transcript, claim/release, suggested answers, reply, proposals. */
(function () {
  'use strict';
  const { el, clear, $, api, start, notify, errorText, formatDate, formatWait } = window.TTHC;
  const INBOX_MS = 5000;
  const CONVERSATION_MS = 4000;
  const CHANNELS = { web: 'Web', zalo: 'Zalo' };
  const SPEAKERS = { citizen: 'Người dân', bot: 'Trợ lý ảo', staff: 'Cán bộ' };
  const state = { openId: null, detail: null, suggestedFor: null, lastSource: null, lastSent: null, mode: null };

  function ownerLabel(owner) {
    if (owner === 'waiting') return 'Đang chờ cán bộ';
    if (owner === 'bot') return 'Trợ lý ảo đang trả lời';
    return 'Cán bộ ' + owner.slice('staff:'.length) + ' đang hỗ trợ';
  }

  function inboxItem(item) {
    const button = el('button', { type: 'button', class: 'inbox__item', 'data-id': item.id,
      onclick: () => openConversation(item.id) }, [
      el('span', { class: 'badge', text: CHANNELS[item.channel] || item.channel }),
      el('span', { class: 'inbox__wait', text: item.owner === 'waiting' ? 'chờ ' + formatWait(item.waiting_seconds) : ownerLabel(item.owner) }),
      el('span', { class: 'inbox__text', text: item.last_message || '…' }),
    ]);
    if (item.id === state.openId) button.classList.add('is-open');
    return el('li', {}, [button]);
  }

  async function refreshInbox() {
    try {
      const data = await api('GET', '/api/support/inbox');
      const waiting = data.items.filter((i) => i.owner === 'waiting');
      const owned = data.items.filter((i) => i.owner !== 'waiting');
      clear($('[data-waiting]')).append(...(waiting.length ? waiting.map(inboxItem) : [el('li', { class: 'muted', text: 'Không có ai đang chờ.' })]));
      clear($('[data-owned]')).append(...(owned.length ? owned.map(inboxItem) : [el('li', { class: 'muted', text: 'Không có.' })]));
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  function transcriptEntry(entry) {
    const meta = SPEAKERS[entry.speaker] + (entry.author ? ' ' + entry.author : '') + ' · ' + formatDate(entry.at);
    return el('li', { class: 'msg msg--' + entry.speaker }, [
      el('span', { class: 'msg__meta', text: meta }),
      el('p', { class: 'msg__text', text: entry.text }),
      entry.personal_data ? el('span', { class: 'msg__pii muted', 'data-pii': '',
        text: 'Có thông tin cá nhân: chỉ cán bộ được xem, không sao chép ra ngoài.' }) : null,
      entry.buttons && entry.buttons.length ? el('p', { class: 'msg__buttons', text: '[' + entry.buttons.join('] [') + ']' }) : null,
      entry.delivery && entry.delivery !== 'web' && entry.delivery !== 'sent'
        ? el('span', { class: 'msg__warn', text: 'Chưa gửi được qua kênh này' }) : null,
    ]);
  }

  function renderConversation(detail) {
    const mine = detail.owner === 'staff:' + window.TTHC.state.me.username;
    $('[data-conv-title]').textContent = 'Cuộc trò chuyện #' + detail.id + ' (' + (CHANNELS[detail.channel] || detail.channel) + ')';
    $('[data-conv-owner]').textContent = ownerLabel(detail.owner);
    $('[data-claim]').hidden = detail.owner !== 'waiting';
    $('[data-release]').hidden = !(mine || (detail.owner.startsWith('staff:') && window.TTHC.state.me.role === 'admin'));
    $('[data-send]').disabled = !mine;
    $('[data-reply-hint]').textContent = mine ? '' : 'Nhận hỗ trợ trước khi trả lời.';
    const list = clear($('[data-transcript]'));
    detail.entries.forEach((entry) => list.appendChild(transcriptEntry(entry)));
    if (detail.personal_data_unreadable) {
      list.appendChild(el('li', { class: 'msg__warn', text: 'Không giải mã được ' + detail.personal_data_unreadable
        + ' tin nhắn có thông tin cá nhân (khóa đã đổi); đang hiển thị bản đã che.' }));
    }
    list.scrollTop = list.scrollHeight;
    if (detail.last_citizen_message !== state.suggestedFor) loadSuggestions(detail.last_citizen_message);
  }

  async function openConversation(id) {
    if (state.openId !== id) {
      state.suggestedFor = null;
      state.lastSent = null;
      $('[data-propose]').hidden = true;
      $('[data-reply-form]').elements.text.value = '';
    }
    state.openId = id;
    try {
      state.detail = await api('GET', '/api/support/conversations/' + id);
      $('[data-conversation]').hidden = false;
      $('[data-empty]').hidden = true;
      renderConversation(state.detail);
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  async function loadSuggestions(question) {
    state.suggestedFor = question;
    $('[data-suggest-for]').textContent = question ? '(cho: “' + question + '”)' : '';
    const list = clear($('[data-suggestions]'));
    if (!question) return;
    try {
      const data = await api('GET', '/api/support/suggestions?q=' + encodeURIComponent(question));
      if (!data.suggestions.length) list.appendChild(el('li', { class: 'muted', text: 'Không có gợi ý phù hợp.' }));
      data.suggestions.forEach((s) => list.appendChild(suggestionItem(s)));
    } catch (err) {
      list.appendChild(el('li', { class: 'muted', text: errorText(err) }));
    }
  }

  function suggestionItem(suggestion) {
    const source = suggestion.source;
    const label = (source.type === 'faq' ? 'Câu hỏi thường gặp: ' : 'Thủ tục ' + source.id + ': ') + (source.title || '');
    return el('li', { class: 'suggestion' }, [
      el('p', { class: 'suggestion__source' }, [
        source.url ? el('a', { href: source.url, target: '_blank', rel: 'noopener noreferrer', text: label }) : label,
        el('span', { class: 'muted', text: ' · độ tin cậy ' + Math.round(suggestion.confidence * 100) + '%' }),
      ]),
      el('p', { class: 'suggestion__text', text: suggestion.text }),
      el('button', { type: 'button', 'data-use-suggestion': '', text: 'Dùng gợi ý này', onclick: () => {
        const box = $('[data-reply-form]').elements.text;
        box.value = suggestion.text;
        state.lastSource = source;
        box.focus();
      } }),
    ]);
  }

  async function act(path, message) {
    try {
      state.detail = await api('POST', '/api/support/conversations/' + state.openId + '/' + path);
      renderConversation(state.detail);
      notify(message);
      refreshInbox();
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  async function sendReply(event) {
    event.preventDefault();
    const box = event.currentTarget.elements.text;
    const text = box.value.trim();
    if (!text) return;
    try {
      const data = await api('POST', '/api/support/conversations/' + state.openId + '/reply', { text: text });
      state.lastSent = { text: text, question: state.suggestedFor || '', source: state.lastSource };
      state.lastSource = null;
      box.value = '';
      $('[data-propose]').hidden = false;
      notify(data.message.delivery === 'failed' || data.message.delivery === 'stored'
        ? 'Đã lưu nhưng chưa gửi được qua kênh của người dân.' : 'Đã gửi.', data.message.delivery === 'failed');
      openConversation(state.openId);
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  function showProposal(mode) {
    const form = $('[data-propose-form]');
    const sent = state.lastSent || {};
    state.mode = mode;
    form.hidden = false;
    form.elements.question.value = sent.question || '';
    form.elements.answer.value = sent.text || '';
    $('[data-answer-field]').hidden = mode !== 'faq';
    const target = sent.source;
    $('[data-target-label]').textContent = mode === 'phrasing'
      ? (target ? 'Cách hỏi mới cho: ' + (target.title || target.id) : 'Hãy dùng một gợi ý trả lời trước để chọn thủ tục/câu hỏi đích.')
      : '';
  }

  async function submitProposal(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const sent = state.lastSent || {};
    const body = state.mode === 'faq'
      ? { kind: 'faq', question: form.elements.question.value, answer: form.elements.answer.value, conversation_id: state.openId }
      : { kind: 'phrasing', text: form.elements.question.value, target_type: sent.source ? sent.source.type : null,
          target_id: sent.source ? sent.source.id : null, conversation_id: state.openId };
    try {
      await api('POST', '/api/support/proposals', body);
      form.hidden = true;
      notify('Đã gửi đề xuất cho quản trị duyệt.');
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  document.addEventListener('DOMContentLoaded', async () => {
    try { await start(); } catch (err) { return; }
    $('[data-claim]').addEventListener('click', () => act('claim', 'Bạn đã nhận hỗ trợ cuộc trò chuyện này.'));
    $('[data-release]').addEventListener('click', () => act('release', 'Đã trả lại cho trợ lý ảo.'));
    $('[data-reply-form]').addEventListener('submit', sendReply);
    $('[data-propose-faq]').addEventListener('click', () => showProposal('faq'));
    $('[data-propose-phrasing]').addEventListener('click', () => showProposal('phrasing'));
    $('[data-propose-form]').addEventListener('submit', submitProposal);
    $('[data-propose-cancel]').addEventListener('click', () => { $('[data-propose-form]').hidden = true; });
    refreshInbox();
    setInterval(refreshInbox, INBOX_MS);
    setInterval(() => { if (state.openId !== null && !document.hidden) openConversation(state.openId); }, CONVERSATION_MS);
  });
})();
