/* Staff accounts: list, create (password never shown again), disable/enable. */
(function () {
  'use strict';
  const { el, clear, api, notify, errorText, formatDate } = window.TTHC;

  async function toggle(container, user) {
    try {
      await api('POST', '/api/admin/users/' + encodeURIComponent(user.username) + (user.disabled ? '/enable' : '/disable'));
      render(container);
    } catch (err) { notify(errorText(err), true); }
  }

  async function render(container) {
    const form = el('form', { class: 'row', autocomplete: 'off' }, [
      el('input', { name: 'username', placeholder: 'Tên đăng nhập', maxlength: 64, required: true }),
      el('select', { name: 'role' }, [el('option', { value: 'support', text: 'Hỗ trợ' }), el('option', { value: 'admin', text: 'Quản trị' })]),
      el('input', { name: 'password', type: 'password', placeholder: 'Mật khẩu (ít nhất 10 ký tự)', autocomplete: 'new-password', required: true }),
      el('button', { type: 'submit', class: 'primary', text: 'Tạo tài khoản' }),
    ]);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = { username: form.elements.username.value, role: form.elements.role.value, password: form.elements.password.value };
      form.elements.password.value = '';
      try { await api('POST', '/api/admin/users', body); notify('Đã tạo tài khoản.'); render(container); } catch (err) { notify(errorText(err), true); }
    });
    clear(container).append(el('h2', { text: 'Tài khoản cán bộ' }), form);
    try {
      const data = await api('GET', '/api/admin/users');
      container.appendChild(el('table', { class: 'table' }, [
        el('thead', {}, [el('tr', {}, ['Tên đăng nhập', 'Vai trò', 'Trạng thái', 'Tạo lúc', 'Đăng nhập gần nhất', ''].map((t) => el('th', { text: t })))]),
        el('tbody', {}, data.items.map((u) => el('tr', {}, [
          el('td', { text: u.username }), el('td', { text: u.role }), el('td', { text: u.disabled ? 'Đã khóa' : 'Hoạt động' }),
          el('td', { text: formatDate(u.created_at) }), el('td', { text: formatDate(u.last_login_at) }),
          el('td', {}, [el('button', { type: 'button', text: u.disabled ? 'Mở khóa' : 'Khóa', onclick: () => toggle(container, u) })]),
        ]))),
      ]));
    } catch (err) { notify(errorText(err), true); }
  }

  window.TTHCAdmin.register('users', { title: 'Tài khoản', render: render });
})();
