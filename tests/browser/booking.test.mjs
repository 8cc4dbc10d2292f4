// Headless-Chromium test: booking a counter appointment through the widget, then English labels.
// Usage: TTHC_BASE_URL=http://127.0.0.1:8000 node tests/browser/booking.test.mjs
// Driven by tests/browser/test_booking_browser.py, which starts the real app first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ARGS, BASE, CHROMIUM, assert, check, log, stepsDone } from './harness.mjs';

const REPLY_TIMEOUT = 30000;
const MSGS = '.tthc-log .tthc-msg';
const ACTIVE = '.tthc-choice:not(:disabled)';

async function waitForReply(page, count) {
  await page.waitForFunction(
    ({ msgs, n }) => document.querySelector('.tthc-typing').hidden &&
      document.querySelectorAll(msgs).length > n,
    { msgs: MSGS, n: count }, { timeout: REPLY_TIMEOUT });
}

async function ask(page, text) {
  const before = (await page.$$(MSGS)).length;
  await page.fill('.tthc-input', text);
  await page.press('.tthc-input', 'Enter');
  await waitForReply(page, before + 1);
}

async function click(page, button) {
  const before = (await page.$$(MSGS)).length;
  await button.click();
  await waitForReply(page, before + 1);
}

async function lastBotText(page) {
  return page.$$eval(MSGS, (nodes) => {
    const texts = nodes.map((n) => ({ user: n.className.includes('tthc-msg--user'),
      text: (n.querySelector('.tthc-bubble') || { textContent: '' }).textContent }));
    const last = texts.map((t) => t.user).lastIndexOf(true);
    return texts.slice(last + 1).map((t) => t.text).join('\n');
  });
}

async function main() {
  const profile = mkdtempSync(join(tmpdir(), 'tthc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 390, height: 844 },
    locale: 'vi-VN',
  });
  const errors = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(`${BASE}/`);
    await page.click('.tthc-launcher');
    await page.waitForSelector('.tthc-panel', { state: 'visible' });

    let dayTitle = '';
    await check('a procedure answer offers "Đặt lịch hẹn nộp hồ sơ"', async () => {
      await ask(page, 'đăng ký khai sinh cần giấy tờ gì');
      const offer = await page.$(`${ACTIVE}:has-text("Đặt lịch hẹn nộp hồ sơ")`);
      assert(offer, 'booking button under the answer');
      await click(page, offer);
      const days = await page.$$(ACTIVE);
      assert(days.length >= 2, `working days offered, got ${days.length}`);
      dayTitle = (await days[days.length - 1].textContent()).trim();
      await click(page, days[days.length - 1]);
    });

    await check('a slot with free places, then name and phone give a booking code', async () => {
      const slots = await page.$$(ACTIVE);
      assert(slots.length > 0, 'slots offered');
      const slotTitle = (await slots[0].textContent()).trim();
      assert(/còn \d+ chỗ/.test(slotTitle), `slot shows free places: ${slotTitle}`);
      await click(page, slots[0]);
      assert((await lastBotText(page)).includes('số điện thoại'), 'asks for name and phone');
      await ask(page, 'Nguyễn Văn An 0912 345 678');
      const receipt = await lastBotText(page);
      log(`receipt: ${receipt.replace(/\n/g, ' | ')}`);
      assert(/LH-[A-Z2-9]{4}-[A-Z2-9]{4}/.test(receipt), 'booking code shown');
      assert(receipt.includes(dayTitle.split(' ').pop()), `the chosen day ${dayTitle} is shown`);
      assert(receipt.includes('09******78') && !receipt.includes('0912 345 678'), 'phone masked');
      const link = await page.$('.tthc-log a[href*="/thu-tuc/1.001193"]');
      assert(link, 'checklist link rendered as a link');
    });

    await check('an English question switches the widget labels to English', async () => {
      await ask(page, 'How do I register my marriage with a foreigner?');
      const reply = await lastBotText(page);
      assert(reply.includes('Marriage registration with a foreign element'), 'English summary');
      assert((await page.textContent('.tthc-send')).trim() === 'Send', 'send button in English');
      assert((await page.getAttribute('.tthc-input', 'placeholder')).startsWith('Type your'),
        'placeholder in English');
      assert((await page.textContent('.tthc-human')).trim() === 'Talk to an officer', 'officer chip');
      await ask(page, 'cho hỏi lệ phí bao nhiêu');
      assert((await page.textContent('.tthc-send')).trim() === 'Gửi', 'back to Vietnamese labels');
    });
    assert(errors.length === 0, `no page errors: ${errors.join('; ')}`);
    log(`all ${stepsDone()} steps passed`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
