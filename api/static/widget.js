/*
 * Trợ lý TTHC — embeddable web chat widget.
 *
 * Embed with one tag:  <script src="https://<app host>/widget.js" defer></script>
 * Optional attributes on that tag: data-title="…" (panel title), data-open="true" (open on load).
 *
 * Design notes (why, not what):
 * - Every text from the server is put on the page with text nodes / DOM APIs, never innerHTML,
 *   so a message containing markup is shown as text.
 * - The API base is derived from this script's own URL, so the widget works on another origin.
 * - The only global is window.TTHCWidget; all CSS classes start with "tthc-".
 * - All JS lives in this file (the app's CSP forbids inline script); styles live in widget.css.
 */
(function () {
  'use strict';

  if (window.TTHCWidget) return;

  /** Vietnamese UI labels, kept in one place. Answers themselves come from the server. */
  const STRINGS = {
    title: 'Trợ lý thủ tục hành chính',
    subtitle: 'Hỏi về giấy tờ, lệ phí, thời hạn, nơi nộp hồ sơ',
    launcher: 'Hỏi đáp thủ tục',
    open: 'Mở trợ lý thủ tục hành chính',
    close: 'Thu nhỏ cửa sổ trò chuyện',
    panel: 'Trò chuyện với trợ lý thủ tục hành chính',
    log: 'Nội dung cuộc trò chuyện',
    inputLabel: 'Câu hỏi của bạn',
    placeholder: 'Nhập câu hỏi, ví dụ: đăng ký khai sinh cần giấy tờ gì?',
    send: 'Gửi',
    reset: 'Cuộc trò chuyện mới',
    clear: 'Xoá lịch sử',
    human: 'Gặp cán bộ',
    humanText: 'Tôi muốn gặp cán bộ',
    welcome: 'Xin chào! Tôi là trợ lý thủ tục hành chính của phường. ' +
      'Bạn có thể hỏi về giấy tờ cần chuẩn bị, lệ phí, thời hạn giải quyết, ' +
      'nơi nộp hồ sơ hoặc cách nộp trực tuyến.',
    typing: 'Trợ lý đang trả lời…',
    networkError: 'Xin lỗi, hiện chưa kết nối được tới hệ thống. ' +
      'Vui lòng kiểm tra mạng rồi bấm Gửi lại; câu hỏi của bạn vẫn còn trong ô nhập.',
    serverError: 'Xin lỗi, hệ thống đang bận. Vui lòng thử lại sau ít phút.',
    tooLong: (max) => 'Câu hỏi dài quá ' + max + ' ký tự. Bạn vui lòng rút gọn giúp nhé.',
    handoffBanner: 'Đã chuyển tới cán bộ. Vui lòng chờ, cán bộ sẽ trả lời bạn ngay tại đây.',
    staffBanner: 'Cán bộ đang trực tiếp hỗ trợ bạn.',
    speakerBot: 'Trợ lý',
    speakerStaff: 'Cán bộ',
    speakerUser: 'Bạn',
    ratingPrompt: 'Bạn đánh giá câu trả lời thế nào?',
    ratingStar: (n) => n + ' trên 5 sao',
    ratingSent: (n) => 'Đánh giá: ' + '★'.repeat(n) + ' (' + n + '/5)',
    newTab: ' (mở trong thẻ mới)',
    mapLink: 'Xem bản đồ',
    checklistLink: 'Mở danh sách để in / lưu',
    portalLink: 'Mở trang Dịch vụ công',
    officialLink: 'Trang chính thức của thủ tục',
    startersLabel: 'Câu hỏi gợi ý',
  };

  /** English labels, used while the conversation is in English (the server says so). */
  const STRINGS_EN = {
    subtitle: 'Ask about documents, fees, time and where to file',
    inputLabel: 'Your question',
    placeholder: 'Type your question, e.g. how do I register a marriage?',
    send: 'Send',
    reset: 'New conversation',
    human: 'Talk to an officer',
    humanText: 'I want to talk to an officer',
    typing: 'The assistant is typing…',
    speakerBot: 'Assistant',
    speakerStaff: 'Officer',
    speakerUser: 'You',
  };
  const STRINGS_VI = Object.fromEntries(Object.keys(STRINGS_EN).map((k) => [k, STRINGS[k]]));

  const MAX_TEXT = 2000;
  const MAX_HISTORY = 80;
  const REQUEST_TIMEOUT_MS = 30000;
  const POLL_MS = 5000;
  const KEY = 'tthc-widget:';
  const RATE_PAYLOAD = /^\/rate\s*(\{.*\})?\s*$/;
  const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  const TRAILING = /[.,;:!?)\]}»"'’”]+$/;
  // Vietnamese phone numbers as written in answers ("024 0000 0000", "0912.345.678"):
  // 9–11 digits starting 0 or +84, in groups; longer runs (ID numbers) are left alone.
  const PHONE_RE = /(?:\+84|0)\d{1,3}(?:[ .]\d{2,4}){1,3}|(?:\+84|0)\d{8,10}(?!\d)/g;
  const LINK_TEXT_MAX = 40;

  const script = document.currentScript ||
    Array.from(document.querySelectorAll('script[src]')).filter((s) => /widget\.js(\?|$)/.test(s.src)).pop();
  const scriptUrl = new URL(script ? script.src : 'widget.js', document.baseURI);
  const base = new URL('.', scriptUrl);
  const api = {
    chat: new URL('api/chat', base).href,
    updates: new URL('api/chat/updates', base).href,
    css: new URL('widget.css' + scriptUrl.search, base).href,
    starters: new URL('api/chat/starters', base).href,
  };
  const options = {
    title: (script && script.dataset.title) || STRINGS.title,
    openOnLoad: !!script && script.dataset.open === 'true',
  };

  /* ---------- storage (falls back to memory when localStorage is unavailable) ---------- */
  const memory = {};
  const store = {
    get(name, fallback) {
      try {
        const raw = window.localStorage.getItem(KEY + name);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (e) {
        return name in memory ? memory[name] : fallback;
      }
    },
    set(name, value) {
      memory[name] = value;
      try {
        window.localStorage.setItem(KEY + name, JSON.stringify(value));
      } catch (e) { /* quota or disabled storage: memory copy is enough for this page */ }
    },
  };

  /* History expires TTHC_WIDGET_HISTORY_DAYS (sent by the server) after the last reply,
   * and "Xoá lịch sử" removes it at once: a shared computer keeps no ID numbers for long. */
  const STORED = ['sender', 'history', 'mode', 'cursor', 'active', 'historyDays'];
  function wipeStored() {
    STORED.forEach((name) => {
      delete memory[name];
      try { window.localStorage.removeItem(KEY + name); } catch (e) { /* storage disabled */ }
    });
  }
  const lastActive = Number(store.get('active', 0));
  if (lastActive && Date.now() - lastActive > Number(store.get('historyDays', 30)) * 86400000) {
    wipeStored();
  }

  function newSenderId() {
    const c = window.crypto;
    if (c && typeof c.randomUUID === 'function') return 'w-' + c.randomUUID();
    const bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return 'w-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  const state = {
    senderId: store.get('sender', null),
    history: store.get('history', []),
    mode: store.get('mode', 'bot'), // bot | waiting | staff
    cursor: store.get('cursor', null),
    busy: false,
    pollTimer: null,
    pollingSupported: true,
  };
  if (typeof state.senderId !== 'string' || !state.senderId) {
    state.senderId = newSenderId();
    store.set('sender', state.senderId);
  }
  if (!Array.isArray(state.history)) state.history = [];

  function saveHistory() {
    if (state.history.length > MAX_HISTORY) state.history = state.history.slice(-MAX_HISTORY);
    store.set('history', state.history);
  }

  /* ---------- DOM helpers ---------- */
  function el(tag, className, props) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (props) {
      Object.keys(props).forEach((k) => {
        if (k === 'text') node.textContent = props[k];
        else if (k.startsWith('aria-') || k === 'role') node.setAttribute(k, props[k]);
        else node[k] = props[k];
      });
    }
    return node;
  }

  /** Appends text, turning http(s) URLs into safe links. Newlines are kept by CSS (pre-wrap). */
  function appendRichText(parent, text) {
    let last = 0;
    String(text).replace(URL_RE, (match, offset) => {
      const trail = (match.match(TRAILING) || [''])[0];
      const href = match.slice(0, match.length - trail.length);
      appendWithPhones(parent, text.slice(last, offset));
      let url = null;
      try { url = new URL(href); } catch (e) { url = null; }
      if (url && (url.protocol === 'https:' || url.protocol === 'http:')) {
        const a = el('a', 'tthc-link', { href: url.href, target: '_blank', rel: 'noopener noreferrer', title: href });
        a.textContent = linkText(url);
        a.appendChild(el('span', 'tthc-sr', { text: STRINGS.newTab }));
        parent.appendChild(a);
      } else {
        parent.appendChild(document.createTextNode(href));
      }
      parent.appendChild(document.createTextNode(trail));
      last = offset + match.length;
      return match;
    });
    appendWithPhones(parent, text.slice(last));
  }

  /** Short words for a link instead of a long (often percent-encoded) URL; the URL stays in title. */
  function linkText(url) {
    const host = url.hostname.replace(/^www\./, '');
    if (/(^|\.)maps\.google\.|^google\.[a-z.]+$/.test(host) && /maps|[?&]q=/.test(url.href)) return STRINGS.mapLink;
    if (url.pathname.indexOf('/thu-tuc/') === 0) return STRINGS.checklistLink;
    if (/dvc-chi-tiet-thu-tuc/.test(url.pathname)) return STRINGS.officialLink;
    if (/dichvucong/.test(host)) return STRINGS.portalLink + ' (' + host + ')';
    const shown = host + (url.pathname.length > 1 ? url.pathname : '');
    return shown.length > LINK_TEXT_MAX ? shown.slice(0, LINK_TEXT_MAX - 1) + '…' : shown;
  }

  /** Appends plain text with phone numbers as tap-to-call links (text nodes only). */
  function appendWithPhones(parent, text) {
    let last = 0;
    String(text).replace(PHONE_RE, (match, offset) => {
      const digits = match.replace(/[^\d+]/g, '');
      const count = digits.replace('+84', '0').length;
      if (count < 9 || count > 11) return match;
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      parent.appendChild(el('a', 'tthc-link tthc-tel', { href: 'tel:' + digits, text: match }));
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /* ---------- starter questions (data: GET api/chat/starters) ---------- */
  let starters = [];
  async function loadStarters() {
    try {
      const res = await fetch(api.starters, { credentials: 'omit', headers: { Accept: 'application/json' } });
      if (!res.ok) return;
      const data = await res.json();
      starters = (Array.isArray(data.questions) ? data.questions : [])
        .filter((q) => typeof q === 'string' && q.trim()).slice(0, 4);
      if (ui.log && !state.history.length) renderAll();
    } catch (e) {
      starters = [];
    }
  }

  function rateScore(payload) {
    const m = RATE_PAYLOAD.exec(String(payload || ''));
    if (!m) return null;
    try {
      const slots = m[1] ? JSON.parse(m[1]) : {};
      const score = Number('rating' in slots ? slots.rating : slots.score);
      return score >= 1 && score <= 5 ? Math.round(score) : null;
    } catch (e) {
      return null;
    }
  }

  /* ---------- UI ---------- */
  const ui = {};

  /** A speech-bubble icon built with DOM APIs (no emoji font needed, no innerHTML). */
  function chatIcon() {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'tthc-launcher-icon');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS(ns, 'path');
    const dot = (x) => 'M' + x + ' 9a1.5 1.5 0 1 0 0 3a1.5 1.5 0 1 0 0-3z';
    path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z' +
      dot(7) + dot(12) + dot(17));
    path.setAttribute('fill-rule', 'evenodd');
    svg.appendChild(path);
    return svg;
  }

  function build() {
    const link = el('link', null, { rel: 'stylesheet', href: api.css });
    const root = el('div', 'tthc-root');
    root.hidden = true;
    link.addEventListener('load', () => { root.hidden = false; });
    link.addEventListener('error', () => { root.hidden = false; });
    document.head.appendChild(link);

    ui.launcher = el('button', 'tthc-launcher', {
      type: 'button', 'aria-label': STRINGS.open, 'aria-expanded': 'false', 'aria-controls': 'tthc-panel',
    });
    ui.launcher.appendChild(chatIcon());
    ui.launcher.appendChild(el('span', 'tthc-launcher-label', { text: STRINGS.launcher }));

    ui.panel = el('section', 'tthc-panel', { id: 'tthc-panel', role: 'dialog', 'aria-labelledby': 'tthc-title' });
    ui.panel.hidden = true;

    const header = el('header', 'tthc-header');
    const heading = el('div', 'tthc-heading');
    heading.appendChild(el('h2', 'tthc-title', { id: 'tthc-title', text: options.title }));
    heading.appendChild(el('p', 'tthc-subtitle', { text: STRINGS.subtitle }));
    ui.reset = el('button', 'tthc-icon-btn tthc-reset', { type: 'button', 'aria-label': STRINGS.reset, title: STRINGS.reset });
    ui.reset.appendChild(el('span', null, { 'aria-hidden': 'true', text: '↻' }));
    ui.close = el('button', 'tthc-icon-btn tthc-close', { type: 'button', 'aria-label': STRINGS.close, title: STRINGS.close });
    ui.close.appendChild(el('span', null, { 'aria-hidden': 'true', text: '✕' }));
    header.append(heading, ui.reset, ui.close);

    ui.banner = el('div', 'tthc-banner', { role: 'status' });
    ui.banner.hidden = true;
    ui.log = el('div', 'tthc-log', { role: 'log', 'aria-live': 'polite', 'aria-label': STRINGS.log, tabIndex: 0 });
    ui.typing = el('div', 'tthc-typing', { role: 'status', 'aria-label': STRINGS.typing });
    ui.typing.append(el('span'), el('span'), el('span'));
    ui.typing.hidden = true;

    ui.error = el('div', 'tthc-error', { role: 'alert' });
    ui.error.hidden = true;

    const quick = el('div', 'tthc-quick');
    ui.human = el('button', 'tthc-chip tthc-human', { type: 'button', text: STRINGS.human });
    ui.newChat = el('button', 'tthc-chip tthc-new', { type: 'button', text: STRINGS.reset });
    ui.clear = el('button', 'tthc-chip tthc-clear', { type: 'button', text: STRINGS.clear });
    quick.append(ui.human, ui.newChat, ui.clear);

    ui.form = el('form', 'tthc-form', { noValidate: true });
    const label = el('label', 'tthc-sr', { htmlFor: 'tthc-input', text: STRINGS.inputLabel });
    ui.input = el('textarea', 'tthc-input', {
      id: 'tthc-input', rows: 1, maxLength: MAX_TEXT, placeholder: STRINGS.placeholder, autocomplete: 'off',
    });
    ui.send = el('button', 'tthc-send', { type: 'submit', text: STRINGS.send });
    ui.form.append(label, ui.input, ui.send);

    ui.panel.append(header, ui.banner, ui.log, ui.error, quick, ui.form);
    root.append(ui.panel, ui.launcher);
    document.body.appendChild(root);
    wire();
    if (store.get('language', 'vi') === 'en') setLanguage('en');
    renderAll();
    loadStarters();
    renderMode();
    if (options.openOnLoad || store.get('open', false)) setOpen(true, false);
  }

  function wire() {
    ui.launcher.addEventListener('click', () => setOpen(true, true));
    ui.close.addEventListener('click', () => setOpen(false, true));
    ui.reset.addEventListener('click', resetConversation);
    ui.newChat.addEventListener('click', resetConversation);
    ui.clear.addEventListener('click', () => { wipeStored(); resetConversation(); });
    ui.human.addEventListener('click', () => send(STRINGS.humanText, null));
    ui.form.addEventListener('submit', (event) => {
      event.preventDefault();
      sendFromInput();
    });
    ui.input.addEventListener('keydown', (event) => {
      // isComposing: Vietnamese IMEs (Telex/VNI) use Enter while composing.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendFromInput();
      }
    });
    ui.input.addEventListener('input', autoGrow);
    ui.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') setOpen(false, true);
    });
  }

  function autoGrow() {
    ui.input.style.height = 'auto';
    ui.input.style.height = Math.min(ui.input.scrollHeight, 120) + 'px';
  }

  function setOpen(open, moveFocus) {
    ui.panel.hidden = !open;
    ui.launcher.hidden = open;
    ui.launcher.setAttribute('aria-expanded', String(open));
    document.documentElement.classList.toggle('tthc-open', open);
    store.set('open', open);
    syncPolling();
    if (open) {
      scrollToEnd();
      if (moveFocus) ui.input.focus();
    } else if (moveFocus) {
      ui.launcher.focus();
    }
  }

  function renderAll() {
    ui.log.textContent = '';
    const offer = state.history.length ? [] : starters.map((q) => ({ title: q, payload: q }));
    ui.log.appendChild(renderEntry({ from: 'bot', text: STRINGS.welcome, welcome: true, buttons: offer },
      offer.length > 0));
    const lastUser = findLastUserIndex();
    state.history.forEach((entry, i) => {
      ui.log.appendChild(renderEntry(entry, i > lastUser));
    });
    ui.log.appendChild(ui.typing);
    scrollToEnd();
  }

  function findLastUserIndex() {
    for (let i = state.history.length - 1; i >= 0; i--) if (state.history[i].from === 'user') return i;
    return -1;
  }

  /** One message bubble; `active` means its buttons may still be clicked. */
  function renderEntry(entry, active) {
    const from = entry.from === 'user' || entry.from === 'staff' ? entry.from : 'bot';
    const item = el('div', 'tthc-msg tthc-msg--' + from + (entry.welcome ? ' tthc-msg--welcome' : ''));
    const speaker = { user: STRINGS.speakerUser, staff: STRINGS.speakerStaff, bot: STRINGS.speakerBot }[from];
    item.appendChild(el('span', from === 'staff' ? 'tthc-speaker' : 'tthc-speaker tthc-sr', { text: speaker + ': ' }));
    if (entry.text) {
      const bubble = el('div', 'tthc-bubble');
      appendRichText(bubble, entry.text);
      item.appendChild(bubble);
    }
    const buttons = Array.isArray(entry.buttons) ? entry.buttons : [];
    const choices = buttons.filter((b) => b && rateScore(b.payload) === null);
    const ratings = buttons.filter((b) => b && rateScore(b.payload) !== null);
    if (choices.length) item.appendChild(renderChoices(choices, active));
    if (ratings.length || entry.askRating) item.appendChild(renderStars(ratings, active));
    return item;
  }

  function renderChoices(buttons, active) {
    const group = el('div', 'tthc-choices', { role: 'group' });
    buttons.forEach((b) => {
      const title = String(b.title || b.payload || '');
      const btn = el('button', 'tthc-choice', { type: 'button', text: title, disabled: !active });
      btn.addEventListener('click', () => send(String(b.payload || title), title));
      group.appendChild(btn);
    });
    return group;
  }

  function renderStars(buttons, active) {
    const byScore = {};
    buttons.forEach((b) => { byScore[rateScore(b.payload)] = b; });
    const group = el('div', 'tthc-stars', { role: 'group', 'aria-label': STRINGS.ratingPrompt });
    if (!buttons.length) group.appendChild(el('p', 'tthc-stars-prompt', { text: STRINGS.ratingPrompt }));
    const row = el('div', 'tthc-stars-row');
    for (let n = 1; n <= 5; n++) {
      const given = byScore[n];
      const payload = given ? String(given.payload) : '/rate{"rating":"' + n + '"}';
      const btn = el('button', 'tthc-star', {
        type: 'button', text: '★', disabled: !active, 'aria-label': STRINGS.ratingStar(n), title: STRINGS.ratingStar(n),
      });
      btn.dataset.score = String(n);
      btn.addEventListener('click', () => send(payload, STRINGS.ratingSent(n)));
      row.appendChild(btn);
    }
    group.appendChild(row);
    return group;
  }

  function appendEntries(entries) {
    const lastUser = findLastUserIndex();
    state.history.push(...entries);
    saveHistory();
    if (entries.some((e) => e.from === 'user') || lastUser < 0) {
      renderAll();
      return;
    }
    const nodes = entries.map((entry) => ui.log.insertBefore(renderEntry(entry, true), ui.typing));
    revealReply(nodes[0]);
  }

  /** Long answers arrive as several messages: show the question and the start of the answer. */
  function revealReply(first) {
    const anchor = first.previousElementSibling || first;
    const offset = anchor.getBoundingClientRect().top - ui.log.getBoundingClientRect().top;
    ui.log.scrollTop += Math.max(0, offset - 8);
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function showError(text) {
    ui.error.textContent = text || '';
    ui.error.hidden = !text;
  }

  function setBusy(busy) {
    state.busy = busy;
    ui.typing.hidden = !busy;
    ui.send.disabled = busy;
    ui.log.setAttribute('aria-busy', String(busy));
    if (busy) scrollToEnd();
  }

  /* ---------- conversation ---------- */
  function sendFromInput() {
    const text = ui.input.value.trim();
    if (!text || state.busy) return;
    if (text.length > MAX_TEXT) {
      showError(STRINGS.tooLong(MAX_TEXT));
      return;
    }
    ui.input.value = '';
    autoGrow();
    send(text, null).then((ok) => {
      if (!ok && !ui.input.value) {
        ui.input.value = text;
        autoGrow();
      }
    });
  }

  /** Posts `text`; shows `display` (a button title) as the user's bubble when given. */
  async function send(text, display) {
    text = String(text).trim();
    if (!text || state.busy) return false;
    if (text.length > MAX_TEXT) {
      showError(STRINGS.tooLong(MAX_TEXT));
      return false;
    }
    showError('');
    const entry = { from: 'user', text: display || text, t: Date.now() };
    appendEntries([entry]);
    setBusy(true);
    try {
      const data = await postJson(api.chat, { sender_id: state.senderId, text: text });
      handleReply(data);
      return true;
    } catch (err) {
      const index = state.history.lastIndexOf(entry);
      if (index >= 0) state.history.splice(index, 1);
      saveHistory();
      renderAll();
      showError(err && err.userMessage ? err.userMessage : STRINGS.networkError);
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function postJson(url, body) {
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    const timer = controller ? setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS) : null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
        signal: controller ? controller.signal : undefined,
      });
      if (!res.ok) throw await httpError(res);
      return await res.json();
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async function httpError(res) {
    const err = new Error('HTTP ' + res.status);
    err.userMessage = STRINGS.serverError;
    if (res.status === 413) err.userMessage = STRINGS.tooLong(MAX_TEXT);
    if (res.status === 422 || res.status === 400 || res.status === 429) {
      try {
        const body = await res.json();
        if (body && typeof body.detail === 'string') err.userMessage = body.detail;
      } catch (e) { /* keep the generic message */ }
    }
    return err;
  }

  /** Switches the labels between Vietnamese and English (kept across reloads). */
  function setLanguage(language) {
    if (state.language === language && ui.send.textContent === STRINGS.send) return;
    state.language = language;
    store.set('language', language);
    Object.assign(STRINGS, language === 'en' ? STRINGS_EN : STRINGS_VI);
    ui.send.textContent = STRINGS.send;
    ui.input.placeholder = STRINGS.placeholder;
    ui.human.textContent = STRINGS.human;
    ui.newChat.textContent = STRINGS.reset;
    ui.typing.setAttribute('aria-label', STRINGS.typing);
    const subtitle = ui.panel.querySelector('.tthc-subtitle');
    if (subtitle) subtitle.textContent = STRINGS.subtitle;
    const label = ui.form.querySelector('label');
    if (label) label.textContent = STRINGS.inputLabel;
  }

  /** Renders a /api/chat (or updates) response; unknown fields are ignored. */
  function handleReply(data) {
    data = data && typeof data === 'object' ? data : {};
    const messages = Array.isArray(data.messages) ? data.messages : [];
    const staffReply = data.staff === true || messages.some((m) => m && m.staff === true);
    const entries = messages.filter((m) => m && typeof m === 'object').map((m) => ({
      from: m.staff === true || data.staff === true ? 'staff' : 'bot',
      text: typeof m.text === 'string' ? m.text : '',
      buttons: Array.isArray(m.buttons) ? m.buttons.filter((b) => b && typeof b === 'object')
        .map((b) => ({ title: String(b.title || ''), payload: String(b.payload || '') })) : [],
      t: Date.now(),
    })).filter((e) => e.text || e.buttons.length);
    if (data.ask_rating === true && !entries.some((e) => e.buttons.some((b) => rateScore(b.payload) !== null))) {
      entries.push({ from: 'bot', text: '', buttons: [], askRating: true, t: Date.now() });
    }
    // the server issues sender ids: an id it did not issue was replaced by a new one
    if (typeof data.sender_id === 'string' && /^[A-Za-z0-9_.:@-]{1,128}$/.test(data.sender_id) &&
        data.sender_id !== state.senderId) {
      state.senderId = data.sender_id;
      store.set('sender', state.senderId);
    }
    if (typeof data.history_days === 'number') store.set('historyDays', data.history_days);
    store.set('active', Date.now());
    if (data.cursor !== undefined && data.cursor !== null) {
      state.cursor = data.cursor;
      store.set('cursor', state.cursor);
    }
    if (data.language === 'en' || data.language === 'vi') setLanguage(data.language);
    if (entries.length) appendEntries(entries);
    const owner = typeof data.owner === 'string' ? data.owner : ''; // bot | waiting | staff[:name]
    if (staffReply || owner.indexOf('staff') === 0) setMode('staff');
    else if (data.handoff === true || owner === 'waiting') setMode('waiting');
    else if (owner === 'bot') setMode('bot');
  }

  function setMode(mode) {
    state.mode = mode;
    store.set('mode', mode);
    renderMode();
  }

  function renderMode() {
    const text = { staff: STRINGS.staffBanner, waiting: STRINGS.handoffBanner }[state.mode];
    ui.banner.textContent = text || '';
    ui.banner.hidden = !text;
    ui.banner.classList.toggle('tthc-banner--staff', state.mode === 'staff');
    syncPolling();
  }

  /* While an officer is (about to be) answering, replies arrive without a citizen message:
   * poll GET api/chat/updates?sender_id=…&after=<cursor>. Stops for good on 404/405. */
  function syncPolling() {
    const want = state.pollingSupported && state.mode !== 'bot' && ui.panel && !ui.panel.hidden;
    if (want && !state.pollTimer) state.pollTimer = setInterval(poll, POLL_MS);
    if (!want && state.pollTimer) {
      clearInterval(state.pollTimer);
      state.pollTimer = null;
    }
  }

  async function poll() {
    if (state.busy || document.hidden) return;
    const url = new URL(api.updates);
    url.searchParams.set('sender_id', state.senderId);
    if (state.cursor !== null) url.searchParams.set('after', String(state.cursor));
    try {
      const res = await fetch(url.href, { credentials: 'omit', headers: { Accept: 'application/json' } });
      if (res.status === 404 || res.status === 405) {
        state.pollingSupported = false;
        syncPolling();
        return;
      }
      if (res.ok) handleReply(await res.json());
    } catch (e) { /* offline: try again next tick */ }
  }

  function resetConversation() {
    state.senderId = newSenderId();
    state.history = [];
    state.cursor = null;
    store.set('sender', state.senderId);
    store.set('cursor', null);
    saveHistory();
    showError('');
    setMode('bot');
    renderAll();
    ui.input.focus();
  }

  window.TTHCWidget = Object.freeze({
    open: () => setOpen(true, true),
    close: () => setOpen(false, true),
    reset: resetConversation,
    senderId: () => state.senderId,
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', build);
  else build();
})();
