import { expect, it, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { ENGINES, startServer, type Server } from '../support/harness.js';
import { describeBrowser } from '../support/browser.js';

const PASSWORD = 'correct horse battery';

for (const engine of ENGINES) describeBrowser(`supervisor view [${engine}]`, (b) => {
  let server: Server;
  let page: Page;
  let workspaceSid: string;
  let conversationSid: string;

  beforeAll(async () => {
    server = await startServer(engine);
    const sue = await server.http('POST', '/parley/v1/Agents', { Username: 'sue', Password: PASSWORD, FriendlyName: 'Sue Pervisor', Role: 'supervisor' });
    expect(sue.status).toBe(201);
    workspaceSid = sue.body.workspace_sid;
    const ann = await server.http('POST', '/parley/v1/Agents', { Username: 'ann', Password: PASSWORD, FriendlyName: 'Ann Agent', CreateWorker: 'true' });
    expect(ann.status).toBe(201);
    const w = server.client.taskrouter.v1.workspaces(workspaceSid);
    const available = (await w.activities.list()).find((a) => a.friendlyName === 'Available')!.sid;
    await w.workers(ann.body.worker_sid).update({ activitySid: available });
  });
  afterAll(async () => {
    await server?.close();
  });

  const stat = (id: string) => page.locator(`[data-stat="${id}"] .stat-value`);

  it('refuses an agent, then logs a supervisor in and shows every worker', async () => {
    page = await b.page(`${server.origin}/supervisor/`);
    await page.getByLabel('Username').fill('ann');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Supervisors only' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();

    await page.getByLabel('Password').fill('wrong password');
    await page.getByLabel('Username').fill('sue');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('20003');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();

    await page.getByRole('heading', { name: 'Agents' }).waitFor();
    const ann = page.locator('tr[data-worker="ann"]');
    await ann.waitFor();
    await expect(ann.textContent()).resolves.toContain('Available');
    await page.getByText('Live', { exact: true }).waitFor();
    await expect(stat('waiting').textContent()).resolves.toBe('0');
  });

  it('updates workers and queue statistics live when a task is created', async () => {
    const w = server.client.taskrouter.v1.workspaces(workspaceSid);
    const queue = await w.taskQueues.create({ friendlyName: 'Escalations', targetWorkers: 'skill == "escalations"' });
    const workflow = await w.workflows.create({ friendlyName: 'Escalate', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }) });
    const conv = await server.client.conversations.v1.conversations.create({ friendlyName: 'Carla needs help' });
    conversationSid = conv.sid;
    await server.client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'carla' });
    await server.client.conversations.v1.conversations(conv.sid).messages.create({ author: 'carla', body: 'My order is late' });

    // The queue was created after the page loaded: it shows up with the next statistics.
    const row = page.locator('tr[data-queue="Escalations"]');
    await w.tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ conversationSid: conv.sid, customerName: 'Carla', channelType: 'chat' }) });
    await row.waitFor();
    await expect.poll(() => row.locator('[data-col="waiting"]').textContent(), { timeout: 5000 }).toBe('1');
    await expect.poll(() => stat('waiting').textContent(), { timeout: 5000 }).toBe('1');
    await expect(row.locator('[data-col="available"]').textContent()).resolves.toBe('0 / 0');
    await expect.poll(() => page.getByRole('row', { name: /Carla · chat/ }).textContent(), { timeout: 5000 }).toContain('Escalations');

    // An agent going offline shows at once (worker.activity.update on the stream).
    const annSid = (await w.workers.list({ friendlyName: 'ann' }))[0]!.sid;
    const offline = (await w.activities.list()).find((a) => a.friendlyName === 'Offline')!.sid;
    await w.workers(annSid).update({ activitySid: offline });
    await expect.poll(() => page.locator('tr[data-worker="ann"]').textContent(), { timeout: 5000 }).toContain('Offline');
    await expect.poll(() => stat('available').textContent(), { timeout: 5000 }).toBe('0');
    await b.shot(page, 'supervisor-teams');
  });

  it('monitors a conversation silently: new messages and attachments appear live; a whisper goes to staff only', async () => {
    // Keyboard only: focus the task's Monitor button and press Enter.
    await page.getByRole('button', { name: 'Monitor Carla · chat' }).focus();
    await page.keyboard.press('Enter');
    const panel = page.getByRole('region', { name: 'Monitoring Carla needs help' });
    await panel.waitFor();
    const log = panel.getByRole('list', { name: 'Conversation' });
    await log.getByText('My order is late').waitFor();

    // The customer writes again, with a photo: it appears without a reload.
    const c = server.client.conversations.v1.conversations(conversationSid);
    await c.messages.create({ author: 'carla', body: 'It was due on **Monday** <img src=x onerror="window.__pwned=1">' });
    // Rendered as the agent sees it: Markdown, sanitized (no image, no handler runs).
    await log.locator('strong', { hasText: 'Monday' }).waitFor();
    expect(await log.locator('.msg-body img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const media = await fetch(`${server.origin}/mcs/v1/Services/${(await c.fetch()).chatServiceSid}/Media?Filename=parcel.png`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${server.accountSid}:${server.authToken}`).toString('base64'), 'Content-Type': 'image/png' },
      body: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'),
    });
    await c.messages.create({ author: 'carla', mediaSid: ((await media.json()) as { sid: string }).sid });
    const image = log.getByRole('img', { name: 'parcel.png' });
    await image.waitFor();
    // The image is fetched through the monitoring media route (the session cookie) and decodes.
    await expect.poll(() => image.evaluate((el: { complete: boolean; naturalWidth: number }) => (el.complete ? el.naturalWidth : 0))).toBe(1);

    // Whisper: shown as a whisper, stored, and no message, no participant.
    await panel.getByLabel('Whisper to the agent').fill('Offer free shipping');
    await page.keyboard.press('Enter');
    await log.locator('.whisper', { hasText: 'Offer free shipping' }).waitFor();
    await b.shot(page, 'supervisor-monitoring');

    const messages = await c.messages.list();
    expect(messages.map((m) => m.body)).toEqual(['My order is late', 'It was due on **Monday** <img src=x onerror="window.__pwned=1">', null]);
    expect((await c.participants.list()).map((p) => p.identity)).toEqual(['carla']);
    const rows = await server.parley.storage.db.selectFrom('sv_whispers').select(['author_identity', 'author_role']).where('conversation_sid', '=', conversationSid).execute();
    expect(rows).toEqual([{ author_identity: 'sue', author_role: 'supervisor' }]);

    await panel.getByRole('button', { name: 'Stop monitoring' }).click();
    await panel.waitFor({ state: 'detached' });
  });
});
