import { expect, it, beforeAll, afterAll } from 'vitest';
import { startServer, type Server } from '../support/harness.js';
import { describeBrowser } from '../support/browser.js';

describeBrowser('web surfaces are served', (b) => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer('sqlite');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves the landing page and every surface in Chromium', async () => {
    const page = await b.page(`${server.origin}/`);
    await expect(page.title()).resolves.toBe('Parley');
    for (const surface of ['agent', 'supervisor', 'console']) {
      await page.goto(`${server.origin}/${surface}`);
      expect(page.url()).toBe(`${server.origin}/${surface}/`);
      await page.waitForSelector('#root > *');
    }
    await b.shot(page, 'landing');
  });
});
