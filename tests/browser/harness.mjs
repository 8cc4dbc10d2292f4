// What both headless-Chromium tests share: where the app and Chromium are, and numbered steps.
export const BASE = (process.env.TTHC_BASE_URL || 'http://127.0.0.1:8000').replace(/\/$/, '');
export const CHROMIUM = process.env.TTHC_CHROMIUM || '/usr/bin/chromium';
export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];

const started = Date.now();
let step = 0;

export function log(message) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`[${seconds}s] ${message}`);
}

export async function check(name, fn) {
  step += 1;
  log(`step ${step}: ${name}`);
  await fn();
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export function stepsDone() {
  return step;
}
