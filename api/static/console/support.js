/* Support console: inbox with waiting alerts, transcript, claim/release, reply drafts,
 * proposals, and the history of every conversation (masked). */
(function () {
  'use strict';
  const { el, clear, $, api, start, notify, errorText, formatDate, formatWait } = window.TTHC;
  const INBOX_MS = 5000;
  const CONVERSATION_MS = 4000;
  const CHANNELS = { web: 'Web', zalo: 'Zalo' };
  const SPEAKERS = { citizen: 'Người dân', bot: 'Trợ lý ảo', staff: 'Cán bộ' };
  const OUTCOMES = { answered: 'Đã trả lời', clarified: 'Hỏi lại cho rõ', not_found: 'Không tìm thấy',
    handed_off: 'Chuyển cán bộ', other: 'Khác' };
  const SOUND_KEY = 'tthc.support.sound';
  const BASE_TITLE = document.title;
  const state = { openId: null, detail: null, suggestedFor: null, lastSource: null, lastSent: null, mode: null,
    waitingIds: null };

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
      const byWait = (a, b) => b.waiting_seconds - a.waiting_seconds;
      const waiting = data.items.filter((i) => i.owner === 'waiting').sort(byWait);
      const owned = data.items.filter((i) => i.owner !== 'waiting').sort(byWait);
      alertWaiting(waiting);
      clear($('[data-waiting]')).append(...(waiting.length ? waiting.map(inboxItem) : [el('li', { class: 'muted', text: 'Không có ai đang chờ.' })]));
      clear($('[data-owned]')).append(...(owned.length ? owned.map(inboxItem) : [el('li', { class: 'muted', text: 'Không có.' })]));
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  /** Title badge "(n)", plus a sound and a notification when someone new starts waiting. */
  function alertWaiting(waiting) {
    document.title = waiting.length ? '(' + waiting.length + ') ' + BASE_TITLE : BASE_TITLE;
    const ids = waiting.map((i) => i.id);
    const known = state.waitingIds;
    state.waitingIds = new Set(ids);
    if (known === null) return; // first load: nothing is "new"
    const fresh = waiting.filter((i) => !known.has(i.id));
    if (!fresh.length) return;
    if (soundOn()) beep();
    if ('Notification' in window && Notification.permission === 'granted') {
      const note = new Notification('Có người dân đang chờ cán bộ', {
        body: fresh.length + ' cuộc trò chuyện mới đang chờ. Tổng: ' + waiting.length + '.', tag: 'tthc-waiting' });
      note.onclick = () => { window.focus(); openConversation(fresh[0].id); };
    }
  }

  function soundOn() {
    try { return window.localStorage.getItem(SOUND_KEY) === '1'; } catch (e) { return false; }
  }

  function beep() {
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      const ctx = beep.ctx || (beep.ctx = new Ctx());
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.4);
      window.TTHC_BEEPS = (window.TTHC_BEEPS || 0) + 1;
    } catch (e) { /* no audio: the title still counts */ }
  }

  function setupAlerts() {
    const sound = $('[data-sound]');
    sound.checked = soundOn();
    sound.addEventListener('change', () => {
      try { window.localStorage.setItem(SOUND_KEY, sound.checked ? '1' : '0'); } catch (e) { /* private mode */ }
      if (sound.checked) beep(); // also unlocks audio after a user gesture
    });
    const ask = $('[data-notify-permission]');
    ask.hidden = !('Notification' in window) || Notification.permission !== 'default';
    ask.addEventListener('click', async () => {
      try { await Notification.requestPermission(); } finally { ask.hidden = Notification.permission !== 'default'; }
    });
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
    const key = detail.id + ':' + detail.entries.filter((e) => e.speaker === 'citizen').length;
    if (key !== state.suggestedFor) loadSuggestions(detail, key);
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

  async function loadSuggestions(detail, key) {
    state.suggestedFor = key;
    const question = detail.last_citizen_message;
    $('[data-suggest-for]').textContent = question ? '(cho: “' + question + '”)' : '';
    const list = clear($('[data-suggestions]'));
    try {
      const data = await api('GET', '/api/support/suggestions?conversation_id=' + encodeURIComponent(detail.id));
      if (state.suggestedFor !== key) return;
      if (!data.suggestions.length) list.appendChild(el('li', { class: 'muted', text: 'Không có gợi ý đủ tin cậy.' }));
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
      el('button', { type: 'button', 'data-use-suggestion': '', text: 'Dùng (sửa được trước khi gửi)', onclick: () => {
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
      state.lastSent = { text: text, question: (state.detail && state.detail.last_citizen_message) || '', source: state.lastSource };
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

  // --- history ----------------------------------------------------------------
  function historyParams(form) {
    const params = new URLSearchParams();
    ['text', 'procedure', 'channel', 'outcome', 'date_from', 'date_to'].forEach((name) => {
      const value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    });
    return params;
  }

  function historyRow(item) {
    const open = el('button', { type: 'button', class: 'linklike', 'data-history-open': item.id, text: '#' + item.id,
      onclick: () => openHistory(item.id) });
    return el('tr', { 'data-history-item': item.id }, [
      el('td', {}, [open]),
      el('td', { text: CHANNELS[item.channel] || item.channel }),
      el('td', { text: formatDate(item.last_activity) }),
      el('td', { class: 'wrap', text: item.first_question || '…' }),
      el('td', { class: 'wrap', text: item.procedures.map((code, i) => (item.procedure_names[i] || '') + ' (' + code + ')').join('; ') }),
      el('td', { text: OUTCOMES[item.outcome] || item.outcome }),
      el('td', { text: item.rating ? item.rating + '/5' : '' }),
    ]);
  }

  async function searchHistory(event) {
    if (event) event.preventDefault();
    const body = clear($('[data-history-results]'));
    try {
      const data = await api('GET', '/api/support/history?' + historyParams($('[data-history-form]')).toString());
      if (!data.items.length) body.appendChild(el('tr', {}, [el('td', { colspan: 7, class: 'muted', text: 'Không có cuộc trò chuyện nào khớp.' })]));
      data.items.forEach((item) => body.appendChild(historyRow(item)));
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  async function openHistory(id) {
    try {
      const data = await api('GET', '/api/support/history/' + id);
      const detail = data.conversation;
      $('[data-history-detail]').hidden = false;
      $('[data-history-title]').textContent = 'Cuộc trò chuyện #' + detail.id + ' (' + (CHANNELS[detail.channel] || detail.channel) + ')';
      $('[data-history-meta]').textContent = 'Kết quả: ' + (OUTCOMES[data.outcome] || data.outcome) + ' · Đánh giá: '
        + (data.ratings.length ? data.ratings.map((r) => r + '/5').join(', ') : 'chưa có');
      const list = clear($('[data-history-transcript]'));
      detail.entries.forEach((entry) => list.appendChild(transcriptEntry(entry)));
    } catch (err) {
      notify(errorText(err), true);
    }
  }

  function exportHistory() {
    const params = historyParams($('[data-history-form]'));
    if (!params.get('date_from') || !params.get('date_to')) {
      notify('Chọn “Từ ngày” và “Đến ngày” để xuất CSV.', true);
      return;
    }
    const url = '/api/support/history/export.csv?date_from=' + params.get('date_from') + '&date_to=' + params.get('date_to');
    window.location.assign(url);
  }

  function showView() {
    const view = window.location.hash === '#history' ? 'history' : 'inbox';
    document.querySelectorAll('[data-view]').forEach((node) => { node.hidden = node.getAttribute('data-view') !== view; });
    document.querySelectorAll('[data-view-link]').forEach((node) => {
      node.classList.toggle('is-active', node.getAttribute('data-view-link') === view);
    });
    if (view === 'history' && !showView.searched) { showView.searched = true; searchHistory(); }
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
    $('[data-history-form]').addEventListener('submit', searchHistory);
    $('[data-history-export]').addEventListener('click', exportHistory);
    window.addEventListener('hashchange', showView);
    setupAlerts();
    showView();
    refreshInbox();
    setInterval(refreshInbox, INBOX_MS);
    setInterval(() => { if (state.openId !== null && !document.hidden) openConversation(state.openId); }, CONVERSATION_MS);
  });
})();
