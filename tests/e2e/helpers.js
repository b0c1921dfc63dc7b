// Shared helpers of the browser tests: one Chromium, axe-core on every page,
// screenshots at desktop and phone width. scripts/test.sh starts the server
// and passes its address and the admin's credentials in the environment.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');
const { chromium } = require('playwright-core');

const BASE = process.env.VESOC_E2E_BASE || 'http://127.0.0.1:3000';
const ADMIN_EMAIL = process.env.VESOC_E2E_ADMIN_EMAIL || 'beheer@serv.be';
const ADMIN_PASSWORD = process.env.VESOC_E2E_ADMIN_PASSWORD || '';
const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, 'target', 'screenshots');
const CHROMIUM = process.env.VESOC_E2E_CHROMIUM || '/usr/bin/chromium';

// axe-core is injected with page.evaluate(source) rather than
// page.addScriptTag + bypassCSP: evaluate runs through the DevTools
// protocol, which the page's Content-Security-Policy does not govern, so the
// app's real CSP stays in force for everything else the test does (a page
// that needed an inline script or style would break here as it would for
// users), and no context needs its CSP switched off.
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Every page audited: url, number of violations. Written at the end. */
const audits = [];

let browser;
async function launch() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  fs.mkdirSync(SHOTS, { recursive: true });
  return browser;
}

async function close() {
  fs.writeFileSync(path.join(SHOTS, 'axe-results.json'), JSON.stringify(audits, null, 2));
  if (browser) await browser.close();
}

/** A fresh visitor: own cookies, desktop width, Dutch. */
async function visitor() {
  const context = await browser.newContext({
    baseURL: BASE,
    viewport: { width: 1280, height: 900 },
    locale: 'nl-BE',
    timezoneId: 'Europe/Brussels',
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const csp = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  page.cspErrors = csp;
  return page;
}

/** Elements that stick out of a phone's screen, outside boxes that scroll. */
async function overflowAt390(page) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const wide = overflow <= 0 ? [] : await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1
      && !el.closest('.table-wrap, .visually-hidden'))
    .slice(0, 8)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} right=${Math.round(el.getBoundingClientRect().right)}`));
  await page.setViewportSize(size);
  return { overflow, wide };
}

/** axe-core, WCAG 2.1 A and AA: no violations allowed; and no wider than 390 px. */
async function audit(page, label = '') {
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    AXE_TAGS,
  );
  const url = new URL(page.url()).pathname + new URL(page.url()).search;
  audits.push({ url, label, violations: result.violations.length, passes: result.passes.length });
  const detail = result.violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join('\n    ')}`)
    .join('\n');
  assert.equal(result.violations.length, 0, `axe on ${url} ${label}:\n${detail}`);
  assert.deepEqual(page.cspErrors, [], `CSP errors on ${url}`);
  // Every audited page must also fit a phone's screen.
  const { overflow, wide } = await overflowAt390(page);
  assert.ok(overflow <= 0, `${url} ${label} is ${overflow}px wider than a phone screen:\n  ${wide.join('\n  ')}`);
}

/** Go to a page, check it answered, audit it. */
async function visit(page, url, { status = 200, label } = {}) {
  const res = await page.goto(url);
  assert.equal(res.status(), status, `GET ${url}`);
  await audit(page, label);
  return res;
}

/** Screenshots at desktop (1280 px) and phone (390 px) width, audited at both. */
async function shoot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}-desktop.png`), fullPage: true });
  const { overflow, wide } = await overflowAt390(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await audit(page, `${name} at 390 px`);
  await page.screenshot({ path: path.join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than a phone screen:\n  ${wide.join('\n  ')}`);
}

async function signIn(page, email, password) {
  await visit(page, '/aanmelden');
  await page.getByLabel('E-mailadres', { exact: true }).fill(email);
  await page.getByLabel('Wachtwoord', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.waitForLoadState();
  assert.ok(!page.url().endsWith('/aanmelden'), `sign-in of ${email} failed`);
  await audit(page, 'after sign-in');
}

/** The hidden field carrying the CSRF token of a form, forged. */
async function forgeCsrf(form) {
  await form.locator('input[name="_csrf"]').evaluate((el) => { el.value = 'vervalst-token'; });
}

/** Let the server, not the browser, judge a form (as a script or old browser would). */
async function noBrowserValidation(form) {
  await form.evaluate((f) => {
    f.noValidate = true;
    for (const el of f.querySelectorAll('[maxlength]')) el.removeAttribute('maxlength');
  });
}

/** A date in Brussels, `days` from today, as JJJJ-MM-DD. */
function brusselsDate(days = 0) {
  const d = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels' }).format(d);
}

module.exports = {
  BASE, ADMIN_EMAIL, ADMIN_PASSWORD, SHOTS, launch, close, visitor, audit, visit, shoot, signIn,
  forgeCsrf, noBrowserValidation, brusselsDate, audits,
};
