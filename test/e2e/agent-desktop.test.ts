import { expect, it, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { ENGINES, startServer, type Server } from '../support/harness.js';
import { describeBrowser } from '../support/browser.js';
import { DEMO_SMS_NUMBER } from '../../src/provisioning.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a50000000049454e44ae426082', 'hex');

/**
 * The agent desktop in Chromium, against `npm start`'s demo setup: the demo
 * SMS number reaches the demo agent through the Messaging Flow (Studio → Flex).
 */
for (const engine of ENGINES) describeBrowser(`agent desktop [${engine}]`, (b) => {
  let server: Server;
  const customer = `+1555${String(Date.now() % 10_000_000).padStart(7, '0')}`;

  beforeAll(async () => {
    server = await startServer(engine, { demoAgent: true, simulatorDeliveryMs: 200 });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function phoneReceived(): Promise<Array<{ body: string | null; status: string; media: unknown[]; direction: string }>> {
    const res = await server.http('GET', `/parley/v1/Simulator/Messages?Address=${encodeURIComponent(customer)}&PageSize=100`);
    return (res.body.messages as Array<{ body: string | null; status: string; media: unknown[]; direction: string }>).filter((m) => m.direction === 'outbound-api');
  }

  async function logIn(page: Page): Promise<void> {
    await page.getByLabel('Username').fill('demo-agent');
    await page.getByLabel('Password').fill('parley-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('combobox', { name: 'Activity' }).waitFor();
  }

  it('logs in, takes an inbound SMS, replies with Markdown and a file, and wraps up', async () => {
    const page = await b.page(`${server.origin}/agent/`);
    await b.shot(page, 'agent-login');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByLabel('Username').fill('demo-agent');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid username or password' }).waitFor();
    await logIn(page);

    await page.getByRole('combobox', { name: 'Activity' }).selectOption({ label: 'Available' });
    await page.getByText('Taking conversations', { exact: true }).waitFor();

    // A customer texts the demo number, with markup that must never run.
    const sent = await server.http('POST', '/parley/v1/Simulator/Messages', {
      From: customer,
      To: DEMO_SMS_NUMBER,
      Body: 'Hi! <img src=x onerror="window.__xss=1"><script>window.__xss=2</script> **help**',
    });
    expect(sent.status).toBe(201);
    expect(sent.body.outcome).toBe('created');

    const offer = page.getByTestId('offer');
    await offer.waitFor({ timeout: 15_000 });
    await expect(offer.getByRole('timer').textContent()).resolves.toMatch(/Expires in \d+:\d\d/);
    await b.shot(page, 'agent-offer');
    await offer.getByRole('button', { name: /^Accept/ }).click();

    const transcript = page.getByRole('log', { name: 'Messages' });
    const first = transcript.getByTestId('message').first();
    await first.waitFor();
    await expect(first.locator('.message-body strong').textContent()).resolves.toBe('help');
    expect(await transcript.locator('img:not(.attachment-image), script').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();

    // The composer is enabled once the agent is in the conversation.
    const box = page.getByRole('textbox', { name: 'Message' });
    await expect.poll(() => box.isEnabled(), { timeout: 10_000 }).toBe(true);
    await box.fill('**Thanks** for writing. Here is _the_ form:');
    await page.getByLabel('Attach files').setInputFiles({ name: 'form.png', mimeType: 'image/png', buffer: PNG });
    await page.getByRole('button', { name: 'Send' }).click();

    const reply = transcript.getByTestId('message').filter({ hasText: 'for writing' });
    await reply.waitFor();
    await expect(reply.locator('.message-body strong').textContent()).resolves.toBe('Thanks');
    await reply.locator('img.attachment-image').waitFor();
    expect(await reply.locator('img.attachment-image').evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);

    // The customer's phone gets the text as written, with the file; the desktop then shows it delivered.
    const got = await until('the reply on the phone', async () => (await phoneReceived()).find((m) => m.body?.includes('for writing')));
    expect(got.body).toBe('**Thanks** for writing. Here is _the_ form:');
    expect(got.media).toHaveLength(1);
    await reply.getByTestId('delivery').filter({ hasText: 'Delivered' }).waitFor({ timeout: 15_000 });
    await b.shot(page, 'agent-conversation');

    // The simulator page plays the same phone.
    const sim = await b.page(`${server.origin}/agent/simulator.html`);
    await sim.getByLabel('Account SID').fill(server.accountSid);
    await sim.getByLabel('Auth token').fill(server.authToken);
    await sim.getByRole('button', { name: 'Open the simulator' }).click();
    await sim.getByLabel("Customer's number").fill(customer);
    await sim.getByTestId('sim-message').filter({ hasText: 'for writing' }).waitFor();
    await sim.getByRole('textbox', { name: 'Message' }).fill('Got it, thanks');
    await sim.getByRole('button', { name: 'Send' }).click();
    await transcript.getByTestId('message').filter({ hasText: 'Got it, thanks' }).waitFor();
    await b.shot(sim, 'agent-simulator');

    // Customer context and wrap-up.
    const address = page.getByRole('complementary', { name: 'Customer' }).locator('.fact').filter({ has: page.getByRole('term').filter({ hasText: /^Address$/ }) });
    await expect(address.getByRole('definition').textContent()).resolves.toBe(customer);
    await page.getByRole('combobox', { name: 'Disposition' }).fill('Resolved');
    await page.getByRole('button', { name: 'Wrap up' }).click();
    await page.getByText('Conversation ended').waitFor();
    await b.shot(page, 'agent-wrapup');
    await page.getByRole('button', { name: 'Complete' }).click();
    await page.getByText('Waiting for the next conversation').waitFor();

    const defaults = (await server.parley.interactions.provisioning.defaults(server.accountSid))!;
    const tasks = await server.client.taskrouter.v1.workspaces(defaults.workspaceSid).tasks.list({ assignmentStatus: ['completed'] });
    const done = tasks.find((t) => JSON.parse(t.attributes).customerAddress === customer);
    expect(done).toBeDefined();
    expect(JSON.parse(done!.attributes).disposition).toBe('Resolved');
  });

  it('keyboard only: the login form and the activity switch are reachable and labelled', async () => {
    const page = await b.page(`${server.origin}/agent/`);
    // The username field has the focus on arrival.
    await page.getByLabel('Username').waitFor();
    await page.keyboard.type('demo-agent');
    await page.keyboard.press('Tab');
    await page.keyboard.type('parley-demo');
    await page.keyboard.press('Enter');
    const activity = page.getByRole('combobox', { name: 'Activity' });
    await activity.waitFor();
    await activity.focus();
    expect(await page.evaluate('document.activeElement && document.activeElement.getAttribute("aria-label")')).toBe('Activity');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });
});
