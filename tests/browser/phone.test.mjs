// The widget on a 360×740 phone (portrait, then landscape) against a running app.
// Usage: TTHC_BASE_URL=http://127.0.0.1:8000 node tests/browser/phone.test.mjs
// Driven by tests/browser/test_checklist_browser.py, which starts the real app first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ARGS, BASE, CHROMIUM, assert, check, log, stepsDone } from './harness.mjs';

const REPLY_TIMEOUT = 30000;
const XSS = '<img src=x onerror="window.__y=1">';

async function botCount(page) {
  return (await page.$$('.tthc-log .tthc-msg--bot:not(.tthc-msg--welcome)')).length;
}

async function waitForBot(page, count) {
  await page.waitForFunction((n) => document.querySelector('.tthc-typing').hidden &&
    document.querySelectorAll('.tthc-log .tthc-msg--bot:not(.tthc-msg--welcome)').length > n,
  count, { timeout: REPLY_TIMEOUT });
}

async function main() {
  const profile = mkdtempSync(join(tmpdir(), 'tthc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 360, height: 740 },
    locale: 'vi-VN', isMobile: true, hasTouch: true,
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    await page.goto(`${BASE}/`);
    await page.click('.tthc-launcher');
    await page.waitForSelector('.tthc-panel', { state: 'visible' });

    await check('the welcome screen offers 3–4 starter questions, 44 px tall', async () => {
      await page.waitForSelector('.tthc-msg--welcome .tthc-choice:not(:disabled)', { timeout: 10000 });
      const starters = await page.$$('.tthc-msg--welcome .tthc-choice');
      assert(starters.length >= 3 && starters.length <= 4, `${starters.length} starters`);
      for (const selector of ['.tthc-msg--welcome .tthc-choice', '.tthc-chip', '.tthc-send', '.tthc-close']) {
        const box = await (await page.$(selector)).boundingBox();
        assert(box.height >= 44, `${selector} is ${box.height}px tall`);
      }
    });

    await check('a starter question is answered; links are short words, the phone is tap-to-call', async () => {
      const before = await botCount(page);
      await page.click('.tthc-msg--welcome .tthc-choice');
      await waitForBot(page, before);
      const texts = await page.$$eval('.tthc-log a.tthc-link', (as) => as.map((a) => a.textContent));
      log(`links: ${texts.join(' | ')}`);
      assert(texts.length && texts.every((t) => !/%[0-9A-F]{2}/.test(t) && t.length <= 60), 'short link texts');
      assert(await page.$('.tthc-log a[href*="/thu-tuc/"]'), 'the printable checklist is linked');
      const asked = await botCount(page);
      await page.fill('.tthc-input', 'nộp ở đâu ạ');
      await page.press('.tthc-input', 'Enter');
      await waitForBot(page, asked);
      const map = await page.$('.tthc-log a[href*="maps.google.com"]');
      assert(map && (await map.getAttribute('href')).includes('phuong'), 'the map searches the ward address');
      assert(await page.$('.tthc-log a[href^="tel:"]'), 'phone number is tap-to-call');
      const chips = await page.$$('.tthc-log .tthc-msg:not(.tthc-msg--welcome) .tthc-choice');
      for (const chip of chips) assert((await chip.boundingBox()).height >= 44, 'reply buttons are 44 px tall');
      const titles = await Promise.all(chips.map((c) => c.textContent()));
      assert(titles.includes('Giấy tờ chi tiết') && titles.includes('Các bước'), `buttons: ${titles}`);
    });

    await check('the widget keeps markup as text (XSS)', async () => {
      const before = await botCount(page);
      await page.fill('.tthc-input', XSS);
      await page.press('.tthc-input', 'Enter');
      await waitForBot(page, before);
      assert(!(await page.evaluate(() => window.__y)), 'no script ran');
      assert(!(await page.$('.tthc-log img')), 'no element injected');
    });

    await check('the khai sinh conversation of 3 turns fits in 3 screens (360×740)', async () => {
      await page.evaluate(() => window.TTHCWidget.reset());
      for (const text of ['làm giấy khai sinh cho con cần gì', 'mất mấy ngày', 'nộp ở đâu']) {
        const before = await botCount(page);
        await page.fill('.tthc-input', text);
        await page.press('.tthc-input', 'Enter');
        await waitForBot(page, before);
      }
      const height = await page.$eval('.tthc-log', (log) => log.scrollHeight);
      log(`3-turn khai sinh conversation: ${height}px = ${(height / 740).toFixed(2)} screens`);
      assert(height <= 3 * 740, `${height}px is more than 3 screens`);
    });

    await check('in landscape the chat log stays usable', async () => {
      await page.setViewportSize({ width: 740, height: 360 });
      await page.waitForTimeout(300);
      const box = await (await page.$('.tthc-log')).boundingBox();
      log(`landscape chat log: ${Math.round(box.height)}px`);
      assert(box.height >= 120, `only ${box.height}px of chat visible`);
    });
    log(`all ${stepsDone()} steps passed`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
