// Headless-Chromium test of the printable checklist page against a running app.
// Usage: TTHC_BASE_URL=http://127.0.0.1:8000 node tests/browser/checklist.test.mjs
// Driven by tests/browser/test_checklist_browser.py, which starts the real app first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ARGS, BASE, CHROMIUM, assert, check, log, stepsDone } from './harness.mjs';

const CODE = '1.001193';
const OFFICIAL = `https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc=${CODE}`;

/** Pages of a PDF: its page objects ("/Type /Page", not "/Pages"). */
function pdfPages(buffer) {
  return (buffer.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) || []).length;
}

async function main() {
  const profile = mkdtempSync(join(tmpdir(), 'tthc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 360, height: 740 },
    locale: 'vi-VN', isMobile: true, hasTouch: true,
  });
  const errors = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });

    await check('the checklist page renders on a phone, without horizontal scrolling', async () => {
      const response = await page.goto(`${BASE}/thu-tuc/${CODE}`);
      assert(response.status() === 200, `status ${response.status()}`);
      assert((await page.textContent('h1')).includes('khai sinh'), 'the short name is the title');
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(wide <= 360, `page is ${wide}px wide on a 360px screen`);
      const button = await page.$('[data-print]');
      const box = await button.boundingBox();
      assert(box.height >= 44, `print button ${box.height}px tall`);
    });

    await check('the QR code and the official link are on the page', async () => {
      assert(await page.$('.qr svg path'), 'no QR code');
      const link = await page.getAttribute('.official-link', 'href');
      assert(link === OFFICIAL, `official link ${link}`);
      assert(await page.$('a[href^="tel:"]'), 'the phone number is tap-to-call');
      const map = await page.getAttribute('a[href*="maps.google.com"]', 'href');
      assert(map && map.includes('phuong'), `map link searches the ward's address: ${map}`);
    });

    await check('"Xem nguyên văn" opens the official text of a document', async () => {
      const details = await page.$('.docs details');
      assert(!(await details.evaluate((d) => d.open)), 'the official text starts folded');
      await page.click('.docs details summary');
      assert(await details.evaluate((d) => d.open), 'one tap opens it');
      assert((await details.textContent()).length > 20, 'official text shown');
    });

    await check(`/thu-tuc/${CODE} prints to one A4 page, QR and official link included`, async () => {
      await page.emulateMedia({ media: 'print' });
      assert(await page.isVisible('.qr svg'), 'QR printed');
      assert(await page.isVisible('.official-link'), 'official link printed');
      assert(!(await page.isVisible('[data-print]')), 'the print button is not printed');
      const pdf = await page.pdf({ format: 'A4', printBackground: false, preferCSSPageSize: true });
      const pages = pdfPages(pdf);
      log(`PDF: ${pages} page(s), ${pdf.length} bytes`);
      assert(pages === 1, `printed on ${pages} pages`);
      await page.emulateMedia({ media: 'screen' });
    });

    assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);

    await check('an unknown code gets the Vietnamese 404 page', async () => {
      const response = await page.goto(`${BASE}/thu-tuc/9.999999`);
      assert(response.status() === 404, `status ${response.status()}`);
      assert((await page.textContent('h1')).includes('Không tìm thấy'), 'Vietnamese title');
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
