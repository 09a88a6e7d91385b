import { deflateSync } from 'node:zlib';
import { expect, it, beforeAll, afterAll, describe } from 'vitest';
import type { Page } from 'playwright-core';
import { ENGINES, startServer, type Engine, type Server } from '../support/harness.js';
import { describeBrowser } from '../support/browser.js';

const PASSWORD = 'correct horse battery';
const WHISPER = 'Offer free gift wrap';
const AGENT_WHISPER = 'Will do, thanks';

/** The browser's window, as far as this test uses it (the test compiles without the DOM library). */
interface StyleWindow {
  getComputedStyle(el: unknown): { borderStyle: string };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A solid-colour RGB PNG, big enough to see in the screenshots. */
function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

/** A loaded image's natural width (0 until it decoded). */
const naturalWidth = (img: { complete: boolean; naturalWidth: number }) => (img.complete ? img.naturalWidth : 0);

/**
 * Issue #5's headline: one chat across every surface, in Chromium, out of the
 * box — the demo page's widget (address `parley-webchat`, routed to Flex by the
 * provisioned Messaging Flow), the agent desktop, the supervisor view — on
 * each storage engine.
 */
describeBrowser('contact center, end to end', (b) => {
  for (const engine of ['sqlite', 'postgres'] as const satisfies readonly Engine[]) {
    (ENGINES.includes(engine) ? describe : describe.skip)(`[${engine}]`, () => {
      let server: Server;
      const shot = (page: Page, name: string) => b.shot(page, `cc-${engine}-${name}`);
      /** A surface whose every wait gives up after 15 s rather than hanging the test. */
      const open = async (url: string) => {
        const page = await b.page(url);
        page.setDefaultTimeout(15_000);
        return page;
      };

      beforeAll(async () => {
        server = await startServer(engine);
        const ada = await server.http('POST', '/parley/v1/Agents', { Username: 'ada', Password: PASSWORD, FriendlyName: 'Ada Lovelace', CreateWorker: 'true' });
        expect(ada.status).toBe(201);
        const sam = await server.http('POST', '/parley/v1/Agents', { Username: 'sam', Password: PASSWORD, FriendlyName: 'Sam Supervisor', Role: 'supervisor' });
        expect(sam.status).toBe(201);
      });
      afterAll(async () => {
        await server?.close();
      });

      it('a customer chats from the widget, an agent answers and wraps up, a supervisor monitors and whispers', { timeout: 60_000 }, async () => {
        // The agent signs in and goes Available.
        const agent = await open(`${server.origin}/agent/`);
        await agent.getByLabel('Username', { exact: true }).fill('ada');
        await agent.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await agent.getByRole('button', { name: 'Sign in' }).click();
        const activity = agent.getByRole('combobox', { name: 'Activity' });
        await activity.waitFor();
        await activity.selectOption({ label: 'Available' });
        await agent.getByText('Taking conversations', { exact: true }).waitFor();

        // The supervisor signs in and sees the agent available.
        const sup = await open(`${server.origin}/supervisor/`);
        await sup.getByLabel('Username', { exact: true }).fill('sam');
        await sup.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await sup.getByRole('button', { name: 'Log in' }).click();
        const adaRow = sup.locator('tr[data-worker="ada"]');
        await adaRow.filter({ hasText: 'Available' }).waitFor();

        // The customer opens the demo page's widget and starts a chat. Every frame
        // their socket receives is kept, to show no whisper ever reaches it.
        const customer = await open('about:blank');
        const received: string[] = [];
        const pageErrors: string[] = [];
        customer.on('pageerror', (e) => pageErrors.push(e.message));
        customer.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(String(f.payload))));
        await customer.goto(`${server.origin}/webchat/`);
        await customer.getByRole('button', { name: /Open chat/ }).click();
        await customer.getByLabel('Name', { exact: true }).fill('Grace Hopper');
        await customer.getByLabel('Email (optional)').fill('grace@example.com');
        await customer.getByLabel('How can we help?').fill('Where is my order **#1234**?');
        await shot(customer, 'webchat-form');
        await customer.getByRole('button', { name: 'Start chat' }).click();
        const chat = customer.getByRole('log', { name: 'Messages' });
        await chat.getByText('Where is my order').waitFor();
        const queueLine = customer.getByText(/in line\.|Waiting for an agent/);
        await queueLine.waitFor();
        await shot(customer, 'webchat-waiting');

        // The offer reaches the agent with a live countdown; the agent accepts.
        const offer = agent.getByTestId('offer');
        await offer.waitFor({ timeout: 15_000 });
        const timer = offer.getByRole('timer');
        const first = await timer.textContent();
        expect(first).toMatch(/^Expires in \d+:\d\d$/);
        await expect.poll(() => timer.textContent(), { timeout: 3000 }).not.toBe(first);
        await shot(agent, 'agent-offer');
        await offer.getByRole('button', { name: /^Accept/ }).click();

        const transcript = agent.getByRole('log', { name: 'Messages' });
        const question = transcript.getByTestId('message').filter({ hasText: 'Where is my order' });
        await question.waitFor();
        // A guest's chat identity is a UUID: the desktop names the customer instead.
        await expect(question.locator('.message-author').textContent()).resolves.toBe('Grace Hopper');
        await expect(question.locator('.message-body strong').textContent()).resolves.toBe('#1234');
        const box = agent.getByRole('textbox', { name: 'Message' });
        await expect.poll(() => box.isEnabled(), { timeout: 10_000 }).toBe(true);

        // The desktop read the question: the widget shows the agent's horizon under it.
        await chat.locator('.msg.me .receipt', { hasText: 'Read' }).waitFor();
        await expect(queueLine.count()).resolves.toBe(0);

        // The agent writes Markdown with a picture; the widget shows them typing, by the worker's full name.
        await box.fill('**Your order** ships today. Track it [here](https://example.com/track).');
        await customer.getByText('Ada Lovelace is typing…').waitFor({ timeout: 5000 });
        await shot(customer, 'webchat-agent-typing');
        await agent.getByLabel('Attach files').setInputFiles({ name: 'parcel.png', mimeType: 'image/png', buffer: solidPng(64, 40, [31, 95, 191]) });
        await agent.getByRole('button', { name: 'Send', exact: true }).click();

        const reply = chat.locator('.msg.them').filter({ hasText: 'ships today' });
        await reply.waitFor();
        await expect(reply.locator('.who').textContent()).resolves.toBe('Ada Lovelace');
        await expect(reply.locator('strong').textContent()).resolves.toBe('Your order');
        const link = reply.getByRole('link', { name: 'here' });
        await expect(link.getAttribute('href')).resolves.toBe('https://example.com/track');
        await expect(link.getAttribute('target')).resolves.toBe('_blank');
        await expect(link.getAttribute('rel')).resolves.toContain('noopener');
        const picture = reply.locator('img[alt="parcel.png"]');
        await expect.poll(() => picture.evaluate(naturalWidth), { timeout: 10_000 }).toBe(64);
        await shot(customer, 'webchat-reply');

        // The customer read it: the desktop says so under the reply.
        const sent = transcript.getByTestId('message').filter({ hasText: 'ships today' });
        await sent.locator('img.attachment-image').waitFor();
        await sent.getByTestId('delivery').filter({ hasText: 'Seen by Grace Hopper' }).waitFor();
        await shot(agent, 'agent-conversation');

        // The supervisor sees the agent holding the task and monitors the conversation.
        const monitor = adaRow.getByRole('button', { name: /^Monitor .* with ada$/ });
        await monitor.waitFor();
        await expect(adaRow.textContent()).resolves.toContain('accepted');
        await sup.getByRole('region', { name: 'Live tasks' }).getByRole('row').filter({ hasText: 'assigned' }).filter({ hasText: 'ada' }).waitFor();
        await monitor.click();
        const panel = sup.getByRole('region', { name: /^Monitoring / });
        const watched = panel.getByRole('list', { name: 'Conversation' });
        await watched.getByText('ships today').waitFor();

        // A new customer message appears live in the monitor (and on the desktop).
        const input = customer.getByRole('textbox', { name: 'Message' });
        await input.fill('Can you gift wrap it?');
        await input.press('Enter');
        await watched.getByText('Can you gift wrap it?').waitFor();
        await transcript.getByTestId('message').filter({ hasText: 'Can you gift wrap it?' }).waitFor();

        // The supervisor whispers: the agent sees it as a whisper, never as a message.
        await panel.getByLabel('Whisper to the agent').fill(WHISPER);
        await panel.getByRole('button', { name: 'Send whisper' }).click();
        const note = transcript.getByTestId('whisper').filter({ hasText: WHISPER });
        await note.waitFor();
        await expect(note.textContent()).resolves.toContain('Whisper from sam');
        await expect(note.evaluate((el) => (globalThis as unknown as StyleWindow).getComputedStyle(el).borderStyle)).resolves.toBe('dashed');
        await expect(transcript.getByTestId('message').filter({ hasText: WHISPER }).count()).resolves.toBe(0);
        await shot(sup, 'supervisor-monitoring');

        // The agent whispers back (the supervisor sees it), then answers the customer.
        await agent.getByRole('textbox', { name: 'Whisper to your supervisor' }).fill(AGENT_WHISPER);
        await agent.getByRole('button', { name: 'Whisper', exact: true }).click();
        await transcript.getByTestId('whisper').filter({ hasText: AGENT_WHISPER }).waitFor();
        await watched.locator('.whisper', { hasText: AGENT_WHISPER }).waitFor();
        await box.fill('Gift wrap is on us.');
        await box.press('Enter');
        await shot(agent, 'agent-whispers');

        // The customer gets the answer, which the stream carries after both whispers: they never did.
        await chat.getByText('Gift wrap is on us.').waitFor();
        for (const text of [WHISPER, AGENT_WHISPER]) {
          await expect(customer.getByText(text).count()).resolves.toBe(0);
          expect(received.some((f) => f.includes(text))).toBe(false);
        }
        expect(received.some((f) => f.includes('Gift wrap is on us.'))).toBe(true);
        const stored = await server.parley.storage.db.selectFrom('conv_messages').select('sid').where('account_sid', '=', server.accountSid).execute();
        expect(stored).toHaveLength(4);

        // Wrap-up with a disposition closes the chat; Complete finishes the task.
        await agent.getByRole('combobox', { name: 'Disposition' }).fill('Resolved');
        await agent.getByRole('button', { name: 'Wrap up' }).click();
        await agent.getByText('Conversation ended').waitFor();
        await customer.getByText('This chat has ended.').waitFor();
        const liveTasks = sup.getByRole('region', { name: 'Live tasks' });
        await liveTasks.getByRole('row').filter({ hasText: 'wrapping' }).filter({ hasText: 'ada' }).waitFor();
        await shot(customer, 'webchat-ended');
        await agent.getByRole('button', { name: 'Complete' }).click();
        await agent.getByText('Waiting for the next conversation').waitFor();
        await adaRow.filter({ hasText: 'None' }).waitFor();
        await liveTasks.getByText('No live tasks.').waitFor();
        await shot(agent, 'agent-done');
        await shot(sup, 'supervisor-done');

        const kept = JSON.parse(await customer.evaluate<string>('JSON.stringify(Object.values(localStorage))')) as string[];
        const { conversationSid } = JSON.parse(kept[0]!) as { conversationSid: string };
        const defaults = (await server.parley.interactions.provisioning.defaults(server.accountSid))!;
        const w = server.client.taskrouter.v1.workspaces(defaults.workspaceSid);
        const tasks = (await w.tasks.list()).filter((t) => JSON.parse(t.attributes).conversationSid === conversationSid);
        expect(tasks).toHaveLength(1);
        expect(tasks[0]!.assignmentStatus).toBe('completed');
        expect(JSON.parse(tasks[0]!.attributes)).toMatchObject({ disposition: 'Resolved', channelType: 'web' });
        expect((await w.tasks(tasks[0]!.sid).reservations.list()).map((r) => r.reservationStatus)).toEqual(['completed']);
        expect((await server.client.conversations.v1.conversations(conversationSid).fetch()).state).toBe('closed');
        expect(pageErrors).toEqual([]);
      });
    });
  }
});
