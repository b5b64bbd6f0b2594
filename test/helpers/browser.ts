// Headless Chromium (Debian's package) driven by playwright-core, against a real gateway serving
// the built console. Every page records what a user would never see but a test must: console
// errors, uncaught exceptions, and the body of every response the page received.
import type { Test } from 'tap';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TestGateway } from './gateway.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Screenshots go to .tap/screenshots; with UPDATE_SCREENSHOTS=1 the README's go to docs/ (committed). */
export const SCREENSHOT_DIR = path.join(ROOT, '.tap', 'screenshots');
const DOCS_DIR = path.join(ROOT, 'docs');

export async function launchBrowser(t: Test): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}. Install Debian's package (sudo apt-get update && sudo apt-get install -y chromium); npm test does it by itself when run as root.`,
    );
  }
  if (!existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) {
    throw new Error('The console is not built (web/dist): run `npm run build:web`, or run the tests through `npm test`, which builds it.');
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
  t.teardown(() => browser.close());
  return browser;
}

export interface ConsoleSession {
  context: BrowserContext;
  page: Page;
  /** console.error/warning messages and uncaught exceptions, as text. */
  problems: string[];
  /** Every response body the page has received so far (url and text). */
  responseBodies(): Promise<{ url: string; body: string }[]>;
  /** `forDocs`: one of the README's pictures, written to docs/ too when UPDATE_SCREENSHOTS is set. */
  screenshot(name: string, opts?: { fullPage?: boolean; forDocs?: boolean }): Promise<string>;
}

export async function openConsole(
  t: Test,
  browser: Browser,
  gw: TestGateway,
  viewport = { width: 1280, height: 860 },
): Promise<ConsoleSession> {
  const context = await browser.newContext({
    viewport,
    baseURL: gw.url,
    deviceScaleFactor: 1,
    colorScheme: 'light',
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.url });
  context.setDefaultTimeout(15_000);
  t.teardown(() => context.close());
  const page = await context.newPage();
  // Registered after the context's close, so it runs first: what the page showed when a test failed.
  t.teardown(async () => {
    if (t.passing()) return;
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page
      .screenshot({ path: path.join(SCREENSHOT_DIR, `failure-${t.name.replace(/\W+/g, '-').slice(0, 60)}.png`), fullPage: true })
      .catch(() => {});
  });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  const bodies: Promise<{ url: string; body: string }>[] = [];
  page.on('response', (response) => {
    bodies.push(
      response.body().then(
        (b) => ({ url: response.url(), body: b.toString('utf8') }),
        () => ({ url: response.url(), body: '' }),
      ),
    );
  });
  return {
    context,
    page,
    problems,
    responseBodies: () => Promise.all(bodies),
    async screenshot(name, opts = {}) {
      const dir = opts.forDocs && process.env.UPDATE_SCREENSHOTS ? DOCS_DIR : SCREENSHOT_DIR;
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: opts.fullPage ?? false, animations: 'disabled', caret: 'hide' });
      if (statSync(file).size < 1000) throw new Error(`screenshot ${file} is empty`);
      return file;
    },
  };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, token: string) {
  await page.goto('/');
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
