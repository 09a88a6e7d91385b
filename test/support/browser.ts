import fs from 'node:fs';
import path from 'node:path';
import { describe, beforeAll, afterAll } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';

import { CHROMIUM } from './chromium.js';

export { CHROMIUM };
const available = fs.existsSync(CHROMIUM);

if (process.env.CI === 'true' && !available) {
  throw new Error(`CI=true but ${CHROMIUM} is missing: the browser suites may not be skipped in CI (.ci/run installs chromium)`);
}

let warned = false;

/** Screenshots of every surface, kept by the test run. */
export const SCREENSHOTS = path.resolve('test-results/screenshots');

export interface BrowserContext {
  browser: Browser;
  /** A fresh page (own cookies and storage) at an absolute URL. */
  page(url: string): Promise<Page>;
  /** Saves a full-page screenshot under test-results/screenshots/<name>.png. */
  shot(page: Page, name: string): Promise<void>;
}

/**
 * A suite that drives real Chromium. Skipped, saying so, when Chromium is not
 * installed (never in CI). Web assets are built by the global setup.
 */
export function describeBrowser(name: string, body: (ctx: BrowserContext) => void): void {
  if (!available) {
    if (!warned) {
      warned = true;
      process.stderr.write(`\n[parley tests] ${CHROMIUM} not found: browser suites are SKIPPED (apt-get install -y chromium)\n`);
    }
    describe.skip(name, () => body({} as BrowserContext));
    return;
  }
  describe(name, () => {
    const ctx = {} as BrowserContext;
    const pages: Page[] = [];
    beforeAll(async () => {
      ctx.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
      ctx.page = async (url) => {
        const context = await ctx.browser.newContext({ viewport: { width: 1366, height: 800 } });
        const page = await context.newPage();
        pages.push(page);
        await page.goto(url);
        return page;
      };
      ctx.shot = async (page, shotName) => {
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SCREENSHOTS, `${shotName}.png`), fullPage: true });
      };
    });
    afterAll(async () => {
      await ctx.browser?.close();
    });
    body(ctx);
  });
}
