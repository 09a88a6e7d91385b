import { expect, it, beforeAll, afterAll } from 'vitest';
import type { Page, WebSocketRoute } from 'playwright-core';
import { ENGINES, startServer, type Server } from '../support/harness.js';
import { describeBrowser } from '../support/browser.js';
import { agent, chatToFlex, settleAll, type FlexWorkspace } from '../support/flex.js';
import { RtClient } from '../support/realtime.js';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The provisioned chat address, routed by a Studio flow to Flex in a workspace of this test. */
async function routeWebChat(server: Server): Promise<FlexWorkspace> {
  const { client } = server;
  const { t, flowSid } = await chatToFlex(server);
  const address = (await client.conversations.v1.addressConfigurations.list()).find((a) => a.address === 'parley-webchat')!;
  await client.conversations.v1.addressConfigurations(address.sid).update({ 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': flowSid });
  return t;
}

const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** The id of the focused element inside the widget's shadow root. */
const focused = (page: Page) => page.evaluate<string>("document.querySelector('#parley-webchat').shadowRoot.activeElement?.id ?? ''");

for (const engine of ENGINES) describeBrowser(`web chat widget [${engine}]`, (b) => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer(engine);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('chats with an agent: form, queue, markdown, typing, receipts, reload, lost connection', async () => {
    const s = server;
    const t = await routeWebChat(s);
    const worker = await agent(t, 'ada-agent', false);

    // The page's sockets go through a route the test can cut, as a network failure would.
    let blocked = false;
    const sockets: WebSocketRoute[] = [];
    const page = await b.page('about:blank');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.routeWebSocket(/\/v1\/realtime$/, (ws) => {
      if (blocked) return void ws.close();
      ws.connectToServer();
      sockets.push(ws);
    });
    await page.goto(`${s.origin}/webchat/`);

    // The launcher, then the form, by keyboard alone.
    const launcher = page.getByRole('button', { name: /Open chat/ });
    await launcher.focus();
    await page.keyboard.press('Enter');
    await expect(focused(page)).resolves.toBe('pc-name');
    await page.keyboard.type('Ada Lovelace');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('pc-email');
    await page.keyboard.type('ada@example.com');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('pc-question');
    await page.keyboard.type('Where is my order?');
    await b.shot(page, 'webchat-form');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');

    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('Where is my order?').waitFor();
    await page.getByText('You are number 1 in line.').waitFor();
    await b.shot(page, 'webchat-waiting');

    // An agent comes online and accepts the task; Flex puts them in the conversation.
    await t.w.workers(worker.sid).update({ activitySid: t.available });
    await settleAll(s);
    const [reservation] = await t.w.workers(worker.sid).reservations.list({ reservationStatus: 'pending' });
    const task = await t.w.tasks(reservation!.taskSid).fetch();
    const conversationSid = (JSON.parse(task.attributes) as { conversationSid: string }).conversationSid;
    await t.w.tasks(task.sid).reservations(reservation!.sid).update({ reservationStatus: 'accepted' });
    await settleAll(s);
    const conv = s.client.conversations.v1.conversations(conversationSid);
    await until('the agent to join', async () => ((await conv.participants.list()).some((p) => p.identity === 'ada-agent') ? true : undefined));
    await until('the queue line to clear', async () => ((await page.getByText('in line').count()) === 0 ? true : undefined));

    // The agent replies in Markdown; the widget renders it (and nothing unsafe).
    const reply = await conv.messages.create({ author: 'ada-agent', body: 'Hi **Ada**! It ships _today_.\n\n- tracking `ZX-1`\n- [track it](https://example.com/track)\n\n<img src=x onerror="window.pwned=1">' });
    const theirs = log.locator('.msg.them').last();
    await theirs.locator('strong', { hasText: 'Ada' }).waitFor();
    await expect(theirs.locator('em').textContent()).resolves.toBe('today');
    await expect(theirs.locator('li code').textContent()).resolves.toBe('ZX-1');
    await expect(theirs.locator('a').getAttribute('href')).resolves.toBe('https://example.com/track');
    await expect(theirs.locator('img').count()).resolves.toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();

    // The customer saw it: their read horizon moves to it.
    const guest = (await conv.participants.list()).find((p) => p.identity !== 'ada-agent')!;
    await until('the read receipt', async () => ((await conv.participants(guest.sid).fetch()).lastReadMessageIndex === reply.index ? true : undefined));

    // The agent types (over their own socket); the widget says so.
    const minted = await s.http('POST', '/parley/v1/Tokens', { Identity: 'ada-agent' });
    const rt = await RtClient.open(s.origin, { token: minted.body.token });
    rt.send({ op: 'send', action: 'typing', conversationSid });
    await page.getByText(/is typing…/).waitFor();
    await b.shot(page, 'webchat-agent-reply');

    // The customer types back: the agent's socket hears typing, then the message; the agent reads it.
    const subscribed = await rt.subscribe(`conversation:${conversationSid}`);
    expect(subscribed.op).toBe('subscribed');
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.click();
    await input.pressSequentially('Thanks!');
    await rt.next((f) => f.op === 'typing' && f.identity === guest.identity);
    await page.keyboard.press('Enter');
    const sent = await rt.next((f) => f.op === 'event' && f.data.EventType === 'onMessageAdded' && f.data.Body === 'Thanks!');
    await conv.participants('ada-agent').update({ lastReadMessageIndex: Number(sent.data.Index) });
    const receipt = log.locator('.msg.me .receipt');
    await receipt.waitFor();
    await expect(receipt.textContent()).resolves.toContain('Read');
    await expect(log.locator('.msg.me').last().locator('.receipt').count()).resolves.toBe(1);
    await b.shot(page, 'webchat-read');

    // A picture: uploaded within the limits, sent, shown inline from the guest's own media route.
    await page.locator('#parley-webchat input[type=file]').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from(PNG_1PX, 'base64') });
    const picture = log.locator('.msg.me img[alt="dot.png"]');
    await picture.waitFor();

    await until('the picture to load', async () => ((await picture.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) === 1 ? true : undefined));
    const [withMedia] = await conv.messages.list({ limit: 1, order: 'desc' });
    expect(withMedia!.media).toEqual([expect.objectContaining({ content_type: 'image/png', filename: 'dot.png' })]);

    // A reload keeps the chat: same conversation, whole history, panel still open.
    await page.reload();
    await log.getByText('Thanks!').waitFor();
    await expect(log.locator('.msg').count()).resolves.toBe(4);
    await log.locator('.msg.me img[alt="dot.png"]').waitFor();
    await log.locator('.msg.them strong', { hasText: 'Ada' }).waitFor();
    const kept = JSON.parse(await page.evaluate<string>('JSON.stringify(Object.entries(localStorage))')) as Array<[string, string]>;
    expect(kept).toHaveLength(1);
    expect(JSON.parse(kept[0]![1])).toMatchObject({ conversationSid, identity: guest.identity, resumeSecret: expect.any(String), lastSeq: expect.any(Number), open: true });
    await b.shot(page, 'webchat-reloaded');

    // The connection drops and stays down while the agent writes; the widget resumes and shows both.
    await until('the socket after the reload', async () => (sockets.length >= 2 ? true : undefined));
    blocked = true;
    for (const ws of sockets.splice(0)) await ws.close();
    await page.getByText('Reconnecting…').waitFor();
    await b.shot(page, 'webchat-reconnecting');
    await conv.messages.create({ author: 'ada-agent', body: 'Are you still there?' });
    await conv.messages.create({ author: 'ada-agent', body: 'Your refund is **done**.' });
    blocked = false;
    await log.getByText('Your refund is').waitFor({ timeout: 20_000 });
    await log.getByText('Are you still there?').waitFor();
    await expect(log.locator('.msg').count()).resolves.toBe(6);
    await until('the banner to go', async () => ((await page.getByText('Reconnecting…').isVisible()) ? undefined : true));
    await b.shot(page, 'webchat-resumed');
    rt.close();
    expect(errors).toEqual([]);
  });
});
