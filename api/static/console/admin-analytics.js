/* Analytics with Chart.js (served locally): questions per day, outcomes, CSAT, top lists. */
(function () {
  'use strict';
  const { el, clear, api, notify, errorText, formatDate } = window.TTHC;
  const OUTCOMES = { answered: 'Trả lời được', clarified: 'Hỏi lại cho rõ', not_found: 'Không tìm thấy', handed_off: 'Chuyển cán bộ', other: 'Khác' };
  const COLORS = ['#1b6e3c', '#d9a400', '#c0392b', '#2c5aa0', '#8a8a8a'];
  const charts = [];

  function chart(canvas, config) {
    if (typeof window.Chart !== 'function') return null; // tables below still show the numbers
    const options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    const made = new window.Chart(canvas, Object.assign({}, config, { options: options }));
    charts.push(made);
    return made;
  }

  function figure(title, name) {
    const canvas = el('canvas', { 'data-chart': name, role: 'img', 'aria-label': title });
    return { canvas, node: el('figure', { class: 'card chart' }, [el('figcaption', { text: title }), el('div', { class: 'chart__box' }, [canvas])]) };
  }

  function table(headers, rows) {
    return el('table', { class: 'table' }, [el('thead', {}, [el('tr', {}, headers.map((h) => el('th', { text: h })))]),
      el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) => (c instanceof Node ? el('td', {}, [c]) : el('td', { text: c }))))))]);
  }

  function procedureLabel(p) {
    const name = (p.name || '').replace(/^Thủ tục\s+/i, '');
    if (!name) return p.code;
    return name.length > 40 ? name.slice(0, 39).replace(/\s+\S*$/, '') + '…' : name;
  }

  function percent(value) {
    return value === null || value === undefined ? '—' : Math.round(value * 100) + '%';
  }

  async function render(container) {
    charts.splice(0).forEach((c) => c.destroy());
    const days = el('select', { name: 'days' }, [7, 30, 90].map((d) => el('option', { value: d, text: d + ' ngày', selected: d === 30 })));
    clear(container).append(el('h2', { text: 'Thống kê' }), el('label', { class: 'row' }, ['Khoảng thời gian ', days]));
    const body = el('div', { class: 'analytics' });
    container.appendChild(body);
    days.addEventListener('change', () => load(body, days.value));
    load(body, days.value);
  }

  async function load(body, days) {
    charts.splice(0).forEach((c) => c.destroy());
    let r;
    try { r = await api('GET', '/api/admin/analytics?days=' + days); } catch (err) { notify(errorText(err), true); return; }
    const perDay = figure('Số câu hỏi mỗi ngày (tổng ' + r.questions_total + ')', 'per-day');
    const outcomes = figure('Kết quả trả lời', 'outcomes');
    const csat = figure('Mức hài lòng: ' + r.satisfaction.count + ' đánh giá, điểm TB ' + (r.satisfaction.average ?? '—') + ', CSAT ' + percent(r.satisfaction.csat), 'csat');
    const top = figure('Thủ tục được hỏi nhiều nhất', 'top-procedures');
    clear(body).append(perDay.node, outcomes.node, csat.node, top.node);
    chart(perDay.canvas, { type: 'line', data: { labels: r.per_day.map((d) => d.date.slice(5)), datasets: [{ label: 'Câu hỏi', data: r.per_day.map((d) => d.count), borderColor: COLORS[3], backgroundColor: COLORS[3], tension: 0.2 }] }, options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
    const keys = Object.keys(OUTCOMES);
    chart(outcomes.canvas, { type: 'doughnut', data: { labels: keys.map((k) => OUTCOMES[k] + ' ' + percent(r.outcomes[k].share)), datasets: [{ data: keys.map((k) => r.outcomes[k].count), backgroundColor: COLORS }] } });
    chart(csat.canvas, { type: 'bar', data: { labels: ['1★', '2★', '3★', '4★', '5★'], datasets: [{ label: 'Số đánh giá', data: [1, 2, 3, 4, 5].map((s) => r.satisfaction.distribution[String(s)]), backgroundColor: COLORS[0] }] }, options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
    // bars named by the procedure (shortened to fit); the tooltip adds the full name and the code
    chart(top.canvas, { type: 'bar', data: { labels: r.top_procedures.map(procedureLabel), datasets: [{ label: 'Lượt hỏi', data: r.top_procedures.map((p) => p.count), backgroundColor: COLORS[1] }] },
      options: { indexAxis: 'y', plugins: { tooltip: { callbacks: { title: (items) => {
        const p = r.top_procedures[items[0].dataIndex];
        return (p.name || p.code) + ' (' + p.code + ')';
      } } } } } });
    body.append(
      el('h3', { text: 'Kết quả trả lời' }),
      table(['Kết quả', 'Số câu', 'Tỉ lệ'], keys.map((k) => [OUTCOMES[k], String(r.outcomes[k].count), percent(r.outcomes[k].share)])),
      el('h3', { text: 'Thủ tục được hỏi nhiều nhất' }),
      table(['Tên thủ tục', 'Mã', 'Lượt hỏi'], r.top_procedures.map((p) => [p.name || '—', p.code, String(p.count)])),
      el('h3', { text: 'Câu hỏi chưa trả lời được (gộp theo nội dung)' }),
      table(['Câu hỏi', 'Số lần', 'Gần nhất', ''], r.unanswered.map((q) => [q.text, String(q.count), formatDate(q.last_at),
        el('button', { type: 'button', 'data-create-faq': '', text: 'Tạo câu hỏi thường gặp từ câu này',
          onclick: () => window.TTHCAdmin.openSection('faq', { create: { question: q.text } }) })])),
    );
  }

  window.TTHCAdmin.register('analytics', { title: 'Thống kê', render: render });
})();
