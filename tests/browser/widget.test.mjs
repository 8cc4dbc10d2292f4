// Headless-Chromium test of the web widget against a running app.
// Usage: TTHC_BASE_URL=http://127.0.0.1:8000 node tests/browser/widget.test.mjs
// Driven by tests/browser/test_widget_browser.py, which starts the real app first.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ARGS, BASE, CHROMIUM, assert, check, log, stepsDone } from './harness.mjs';

const REPLY_TIMEOUT = 30000;
const XSS = '<script>window.__x=1</script><img src=x onerror="window.__y=1">';

const sel = {
  launcher: '.tthc-launcher',
  panel: '.tthc-panel',
  input: '.tthc-input',
  log: '.tthc-log',
  msgs: '.tthc-log .tthc-msg',
  user: '.tthc-log .tthc-msg--user',
  bot: '.tthc-log .tthc-msg--bot:not(.tthc-msg--welcome), .tthc-log .tthc-msg--staff',
  typing: '.tthc-typing',
  error: '.tthc-error',
};

/** Messages currently in the log as {from, text}. */
async function transcript(page) {
  return page.$$eval(sel.msgs, (nodes) => nodes.map((n) => ({
    from: n.className.replace(/.*tthc-msg--(\w+).*/, '$1'),
    text: (n.querySelector('.tthc-bubble') || { textContent: '' }).textContent,
  })));
}

/** Sends text through the input and waits until the reply (or an error) is rendered. */
async function ask(page, text) {
  const before = (await page.$$(sel.msgs)).length;
  await page.fill(sel.input, text);
  await page.press(sel.input, 'Enter');
  await waitForReply(page, before + 1);
}

async function waitForReply(page, atLeast) {
  await page.waitForFunction(
    ({ msgs, typing, count }) => document.querySelector(typing).hidden &&
      document.querySelectorAll(msgs).length > count,
    { msgs: sel.msgs, typing: sel.typing, count: atLeast }, { timeout: REPLY_TIMEOUT });
}

async function lastBotTexts(page) {
  const all = await transcript(page);
  const lastUser = all.map((m) => m.from).lastIndexOf('user');
  return all.slice(lastUser + 1).map((m) => m.text).join('\n');
}

async function main() {
  const profile = mkdtempSync(join(tmpdir(), 'tthc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 800 },
    locale: 'vi-VN',
  });
  const pageErrors = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('console', (msg) => { if (msg.type() === 'error') log(`console error: ${msg.text()}`); });

    await check('demo page loads and embeds the widget with one script tag', async () => {
      const res = await page.goto(`${BASE}/`);
      assert(res.ok(), `GET / status ${res.status()}`);
      const scripts = await page.$$eval('script', (s) => s.map((x) => x.getAttribute('src')));
      assert(scripts.length === 1 && scripts[0] === '/widget.js', `one script tag, got ${scripts}`);
      await page.waitForSelector(sel.launcher, { state: 'visible' });
      const label = await page.getAttribute(sel.launcher, 'aria-label');
      assert(label && label.length > 3, 'launcher has an aria-label');
      const globals = await page.evaluate(() => Object.keys(window).filter((k) => /tthc/i.test(k)));
      assert(globals.join() === 'TTHCWidget', `only one global, got ${globals}`);
    });

    await check('launcher opens an accessible panel with the input focused', async () => {
      await page.click(sel.launcher);
      await page.waitForSelector(sel.panel, { state: 'visible' });
      assert(await page.getAttribute(sel.log, 'role') === 'log', 'log has role=log');
      assert(await page.evaluate(() => document.activeElement.classList.contains('tthc-input')), 'input focused');
      const labelled = await page.$eval(sel.input, (i) => !!(i.labels && i.labels.length));
      assert(labelled, 'input has a label');
      assert(await page.isVisible('text=Gặp cán bộ'), '"Gặp cán bộ" quick action visible');
    });

    await check('asks about birth registration and sees documents and the official link', async () => {
      await ask(page, 'đăng ký khai sinh cần giấy tờ gì');
      const reply = (await lastBotTexts(page)).toLowerCase();
      log(`reply: ${reply.slice(0, 300).replace(/\n/g, ' | ')}`);
      assert(reply.includes('khai sinh'), 'reply is about khai sinh');
      assert(/tờ khai|giấy/.test(reply), 'reply lists documents');
      const link = await page.$(`${sel.log} a[href*="dichvucong.gov.vn"]`);
      assert(link, 'a link to dichvucong.gov.vn is rendered');
      assert(await link.getAttribute('target') === '_blank', 'link opens a new tab');
      assert((await link.getAttribute('rel')).includes('noopener'), 'link has rel=noopener');
    });

    await check('a reply button can be clicked and posts its payload', async () => {
      await ask(page, 'kết hôn');
      let choice = await page.$('.tthc-choice:not(:disabled)');
      if (!choice) {
        log('no buttons after "kết hôn"; trying the quick action');
      }
      if (choice) {
        const title = (await choice.textContent()).trim();
        const before = (await page.$$(sel.msgs)).length;
        await choice.click();
        await waitForReply(page, before + 1);
        const all = await transcript(page);
        const users = all.filter((m) => m.from === 'user');
        assert(users[users.length - 1].text === title, `user bubble shows the button title "${title}"`);
        log(`clicked "${title}" → ${(await lastBotTexts(page)).slice(0, 160).replace(/\n/g, ' | ')}`);
      }
      const before = (await page.$$(sel.msgs)).length;
      await page.click('.tthc-human');
      await waitForReply(page, before + 1);
      const all = await transcript(page);
      const users = all.filter((m) => m.from === 'user');
      assert(users[users.length - 1].text === 'Tôi muốn gặp cán bộ', 'quick action posts "Tôi muốn gặp cán bộ"');
      await page.waitForSelector('.tthc-banner:not([hidden])', { timeout: 5000 });
      log(`handoff banner: ${await page.textContent('.tthc-banner')}`);
    });

    await check('thanks leads to a 1–5 star rating prompt when the bot asks for one', async () => {
      await ask(page, 'cảm ơn nhé');
      const stars = await page.$$('.tthc-star:not(:disabled)');
      if (!stars.length) {
        log('no rating prompt in this mode (bot not asking); skipping the click');
        return;
      }
      assert(stars.length === 5, `five stars, got ${stars.length}`);
      assert(/5/.test(await stars[4].getAttribute('aria-label')), 'stars are labelled');
      const before = (await page.$$(sel.msgs)).length;
      await stars[4].click();
      await waitForReply(page, before + 1);
      const users = (await transcript(page)).filter((m) => m.from === 'user');
      assert(users[users.length - 1].text.includes('5/5'), 'the rating shows as the user bubble');
      log(`rated → ${(await lastBotTexts(page)).slice(0, 120)}`);
    });

    let beforeReload;
    let senderBefore;
    await check('history and sender id survive a reload', async () => {
      beforeReload = await transcript(page);
      senderBefore = await page.evaluate(() => window.TTHCWidget.senderId());
      await page.reload();
      await page.waitForSelector(sel.panel, { state: 'visible' });
      const after = await transcript(page);
      assert(JSON.stringify(after) === JSON.stringify(beforeReload),
        `same ${beforeReload.length} messages after reload, got ${after.length}`);
      assert(await page.evaluate(() => window.TTHCWidget.senderId()) === senderBefore, 'same sender id');
      assert(await page.$(`${sel.log} a[href*="dichvucong.gov.vn"]`), 'links re-rendered from history');
    });

    await check('markup in a message is shown as text and nothing executes', async () => {
      await ask(page, XSS);
      await page.waitForTimeout(500);
      const users = (await transcript(page)).filter((m) => m.from === 'user');
      assert(users[users.length - 1].text === XSS, 'user bubble shows the markup verbatim');
      const injected = await page.$$eval(`${sel.log} script, ${sel.log} img`, (n) => n.length);
      assert(injected === 0, 'no script/img element inside the log');
      const flags = await page.evaluate(() => [window.__x, window.__y]);
      assert(flags[0] === undefined && flags[1] === undefined, `nothing executed, got ${flags}`);
      await page.reload();
      await page.waitForSelector(sel.panel, { state: 'visible' });
      await page.waitForTimeout(300);
      const again = await page.evaluate(() => [window.__x, window.__y]);
      assert(again[0] === undefined && again[1] === undefined, 'nothing executed when history is re-rendered');
    });

    await check('a network failure shows a polite error and keeps the unsent text', async () => {
      await page.route('**/api/chat', (route) => route.abort('internetdisconnected'));
      const text = 'lệ phí bao nhiêu';
      const count = (await page.$$(sel.msgs)).length;
      await page.fill(sel.input, text);
      await page.press(sel.input, 'Enter');
      await page.waitForSelector(`${sel.error}:not([hidden])`, { timeout: 10000 });
      const message = await page.textContent(sel.error);
      assert(/kết nối|thử lại/i.test(message), `Vietnamese error shown: ${message}`);
      assert(await page.inputValue(sel.input) === text, 'unsent text kept in the input');
      assert((await page.$$(sel.msgs)).length === count, 'undelivered message not left in the log');
      await page.unroute('**/api/chat');
      await page.press(sel.input, 'Enter');
      await waitForReply(page, count + 1);
      assert(await page.isHidden(sel.error), 'error cleared after a successful retry');
    });

    await check('layout fits a 360×740 phone screen with no horizontal scroll', async () => {
      await page.setViewportSize({ width: 360, height: 740 });
      await page.waitForTimeout(200);
      const box = await page.$eval(sel.panel, (p) => p.getBoundingClientRect().toJSON());
      assert(box.x >= 0 && box.y >= 0 && box.right <= 360 && box.bottom <= 740, `panel inside screen ${JSON.stringify(box)}`);
      assert(box.width >= 350, `panel is full-width on a phone (${box.width}px)`);
      const overflow = await page.evaluate((s) => ({
        doc: document.documentElement.scrollWidth,
        log: document.querySelector(s).scrollWidth - document.querySelector(s).clientWidth,
      }), sel.log);
      assert(overflow.doc <= 360, `no horizontal page scroll (scrollWidth ${overflow.doc})`);
      assert(overflow.log <= 0, `no horizontal scroll in the log (${overflow.log}px)`);
      for (const s of [sel.input, '.tthc-send', '.tthc-human', '.tthc-close']) {
        const b = await page.$eval(s, (n) => n.getBoundingClientRect().toJSON());
        assert(b.x >= 0 && b.right <= 360 && b.bottom <= 740 && b.width > 0, `${s} visible on the phone`);
      }
      await page.click('.tthc-close');
      const launcher = await page.$eval(sel.launcher, (n) => n.getBoundingClientRect().toJSON());
      assert(launcher.right <= 360 && launcher.bottom <= 740, 'launcher on screen after closing');
      await page.click(sel.launcher);
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    await check('"Cuộc trò chuyện mới" starts over with a new sender id', async () => {
      await page.click('.tthc-new');
      const after = await transcript(page);
      assert(after.length === 1, `only the welcome message left, got ${after.length}`);
      assert(await page.evaluate(() => window.TTHCWidget.senderId()) !== senderBefore, 'new sender id');
    });

    await check('the server issues the sender id; "Xoá lịch sử" and expiry clear the browser copy', async () => {
      await ask(page, 'xin chào');
      const issued = await page.evaluate(() => window.TTHCWidget.senderId());
      assert(issued.startsWith('s1.'), `a server-issued sender id, got ${issued}`);
      await page.click('.tthc-clear');
      assert((await transcript(page)).length === 1, 'only the welcome message left');
      const kept = await page.evaluate(() => window.localStorage.getItem('tthc-widget:history'));
      assert(!kept || JSON.parse(kept).length === 0, 'no history left in localStorage');
      await ask(page, 'xin chào');
      await page.evaluate(() => window.localStorage.setItem('tthc-widget:active', '1'));
      await page.reload();
      await page.waitForSelector(sel.panel, { state: 'visible' });
      assert((await transcript(page)).length === 1, 'a history past its days is gone after a reload');
    });

    await check('the widget on another origin calls the API of its own script', async () => {
      const seen = [];
      // A real host page on another loopback origin (Chromium blocks public pages from
      // loading loopback resources, so the host must be served locally too).
      const host = createServer((req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html lang="vi"><body><h1>Phường</h1><script src="${BASE}/widget.js"></script></body></html>`);
      });
      await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
      const embedPage = await context.newPage();
      embedPage.on('pageerror', (err) => pageErrors.push(String(err)));
      embedPage.on('request', (r) => seen.push(r.url()));
      await embedPage.goto(`http://localhost:${host.address().port}/`);
      await embedPage.waitForSelector(sel.launcher, { state: 'visible' });
      const position = await embedPage.$eval(sel.launcher, (n) => getComputedStyle(n).position);
      assert(position === 'fixed', 'widget.css loaded from the script origin');
      await embedPage.click(sel.launcher);
      await embedPage.fill(sel.input, 'xin chào');
      await embedPage.press(sel.input, 'Enter');
      await embedPage.waitForFunction((t) => document.querySelector(t).hidden, sel.typing, { timeout: REPLY_TIMEOUT });
      assert(seen.includes(`${BASE}/api/chat`), `POST went to ${BASE}/api/chat`);
      await embedPage.close();
      host.close();
    });

    assert(pageErrors.length === 0, `no uncaught page errors: ${pageErrors.join('; ')}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  log(`all ${stepsDone()} steps passed`);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
