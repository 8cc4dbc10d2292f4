/* Counter appointments for staff: the day list per slot, check-in / no-show, print;
   for admins also the booking settings and the 30-day statistics. */
(function () {
  'use strict';
  const { el, clear, $, api, start, notify, errorText } = window.TTHC;
  const STATUS = { booked: 'Đã đặt', checked_in: 'Đã đến', no_show: 'Vắng mặt' };

  function isoToday() {
    const now = new Date(Date.now() + 7 * 3600 * 1000); // the ward's time (UTC+7)
    return now.toISOString().slice(0, 10);
  }

  function time(value) {
    return String(value).slice(11, 16);
  }

  async function setStatus(code, status) {
    try {
      await api('POST', '/api/support/appointments/' + encodeURIComponent(code) + '/status', { status: status });
      await loadDay();
    } catch (err) { notify(errorText(err), true); }
  }

  function actions(booking) {
    const cell = el('td', { class: 'no-print' });
    const checkIn = el('button', { type: 'button' }, ['Đã đến']);
    checkIn.addEventListener('click', () => setStatus(booking.code, 'checked_in'));
    const noShow = el('button', { type: 'button' }, ['Vắng mặt']);
    noShow.addEventListener('click', () => setStatus(booking.code, 'no_show'));
    const undo = el('button', { type: 'button' }, ['Hoàn tác']);
    undo.addEventListener('click', () => setStatus(booking.code, 'booked'));
    cell.append(...(booking.status === 'booked' ? [checkIn, noShow] : [undo]));
    return cell;
  }

  function slotRows(slot) {
    const label = time(slot.start) + '–' + time(slot.end);
    if (!slot.bookings.length) {
      return [el('tr', { class: 'slot-empty' }, [el('td', {}, [label]), el('td', { colspan: '6' }, ['—'])])];
    }
    return slot.bookings.map((b) => el('tr', {}, [
      el('td', {}, [label]), el('td', {}, [b.code]), el('td', {}, [b.name]), el('td', {}, [b.phone]),
      el('td', {}, [b.procedure_name || b.procedure]),
      el('td', { class: 'status-' + b.status }, [STATUS[b.status] || b.status]), actions(b),
    ]));
  }

  async function loadDay() {
    const day = $('[data-day]').value || isoToday();
    try {
      const data = await api('GET', '/api/support/appointments?date=' + encodeURIComponent(day));
      $('[data-day-label]').textContent = day.split('-').reverse().join('/');
      const body = clear($('[data-slots]'));
      data.slots.forEach((slot) => body.append(...slotRows(slot)));
    } catch (err) { notify(errorText(err), true); }
  }

  async function loadSettings() {
    const settings = await api('GET', '/api/admin/appointments/settings');
    const form = $('[data-settings]');
    ['slot_minutes', 'capacity_per_slot', 'days_ahead'].forEach((k) => { form.elements[k].value = settings[k]; });
    form.elements.closed_dates.value = (settings.closed_dates || []).join('\n');
    const stats = await api('GET', '/api/admin/appointments/analytics?days=30');
    $('[data-no-show-rate]').textContent = stats.no_show_rate === null ? '—' : Math.round(stats.no_show_rate * 100) + '%';
    const body = clear($('[data-stats]'));
    stats.per_day.forEach((d) => body.append(el('tr', {}, [
      el('td', {}, [d.day]), el('td', {}, [String(d.booked)]), el('td', {}, [String(d.checked_in)]),
      el('td', {}, [String(d.no_show)]), el('td', {}, [String(d.cancelled)]),
    ])));
  }

  async function saveSettings(event) {
    event.preventDefault();
    const form = event.target;
    const body = {
      slot_minutes: Number(form.elements.slot_minutes.value),
      capacity_per_slot: Number(form.elements.capacity_per_slot.value),
      days_ahead: Number(form.elements.days_ahead.value),
      closed_dates: form.elements.closed_dates.value.split(/\s+/).filter(Boolean),
    };
    try {
      await api('PUT', '/api/admin/appointments/settings', body);
      notify('Đã lưu cài đặt đặt lịch.');
      await loadDay();
    } catch (err) { notify(errorText(err), true); }
  }

  document.addEventListener('DOMContentLoaded', async () => {
    const me = await start();
    const picker = $('[data-day]');
    picker.value = isoToday();
    picker.addEventListener('change', loadDay);
    $('[data-today]').addEventListener('click', () => { picker.value = isoToday(); loadDay(); });
    $('[data-next]').addEventListener('click', () => {
      const next = new Date(picker.value + 'T00:00:00Z');
      next.setUTCDate(next.getUTCDate() + 1);
      picker.value = next.toISOString().slice(0, 10);
      loadDay();
    });
    $('[data-print]').addEventListener('click', () => window.print());
    await loadDay();
    if (me.role === 'admin') {
      $('[data-settings]').addEventListener('submit', saveSettings);
      loadSettings().catch((err) => notify(errorText(err), true));
    }
  });
})();
