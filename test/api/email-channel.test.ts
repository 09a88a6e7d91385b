import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { ConfigError, parseConfig } from '../../src/platform/config.js';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { describeEngines, type Server } from '../support/harness.js';
import { flexWorkspace, settleAll } from '../support/flex.js';
import { agentHttp, agentSession } from '../support/agents.js';

interface Captured {
  from: string;
  to: string[];
  raw: string;
  header(name: string): string | undefined;
}

/** A local SMTP relay that keeps what it is given and refuses recipients named refuse@…. */
async function smtpRelay(): Promise<{ url: string; mails: Captured[]; close(): Promise<void> }> {
  const mails: Captured[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('refuse')) return cb(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          header: (name) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1]?.trim(),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const SUPPORT = 'support@parley.test';

/** What SendGrid Inbound Parse posts: a multipart form. */
async function postInbound(url: string, mail: { from: string; to: string; subject: string; text: string; headers: string; attachment?: { name: string; type: string; data: Buffer } }) {
  const form = new FormData();
  form.append('from', mail.from);
  form.append('to', mail.to);
  form.append('subject', mail.subject);
  form.append('text', mail.text);
  form.append('html', `<p>${mail.text}</p>`);
  form.append('headers', mail.headers);
  form.append('envelope', JSON.stringify({ to: [mail.to.replace(/.*<|>.*/g, '')], from: mail.from.replace(/.*<|>.*/g, '') }));
  form.append('charsets', JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8', text: 'UTF-8' }));
  form.append('SPF', 'pass');
  if (mail.attachment) {
    form.append('attachments', '1');
    form.append('attachment-info', JSON.stringify({ attachment1: { filename: mail.attachment.name, name: mail.attachment.name, type: mail.attachment.type } }));
    form.append('attachment1', new Blob([mail.attachment.data], { type: mail.attachment.type }), mail.attachment.name);
  } else form.append('attachments', '0');
  const res = await fetch(url, { method: 'POST', body: form });
  return { status: res.status, text: await res.text() };
}

describeEngines('email channel', (ctx) => {
  let relay: Awaited<ReturnType<typeof smtpRelay>>;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${Math.random().toString(36).slice(2, 6)}`;

  beforeAll(async () => {
    relay = await smtpRelay();
  });
  afterAll(async () => {
    await relay.close();
  });

  async function configure(s: Server, smtpUrl = relay.url): Promise<string> {
    const res = await s.http('POST', '/parley/v1/Channels/Email', { SmtpUrl: smtpUrl });
    expect(res.status).toBe(200);
    if (!(await s.parley.conversations.addresses.findByAddress(s.accountSid, 'email', SUPPORT))) {
      await s.client.conversations.v1.addressConfigurations.create({ type: 'email', address: SUPPORT, friendlyName: 'support', 'autoCreation.enabled': true, 'autoCreation.type': 'default' });
    }
    return res.body.inbound_webhook_url as string;
  }

  /** A conversation with an email customer and a chat agent; returns a sender of agent messages. */
  async function emailConversation(s: Server, customer: string) {
    const conv = await s.client.conversations.v1.conversations.create({ friendlyName: 'Your order' });
    const c = s.client.conversations.v1.conversations(conv.sid);
    const member = await c.participants.create({ 'messagingBinding.address': customer, 'messagingBinding.proxyAddress': SUPPORT });
    await c.participants.create({ identity: uniq('agent') });
    return { conv, member, say: (body: string) => c.messages.create({ author: 'agent', body }) };
  }

  async function receipt(s: Server, conversationSid: string, messageSid: string) {
    const list = await s.client.conversations.v1.conversations(conversationSid).messages(messageSid).deliveryReceipts.list();
    return list[0];
  }

  it('admin API: stores the relay without revealing its password, issues and rotates the inbound token', async () => {
    const s = ctx.server;
    const url = await configure(s, 'smtp://mailer:s3cret@smtp.example.com:2525');
    const got = await s.http('GET', '/parley/v1/Channels/Email');
    expect(got.body).toMatchObject({ smtp_configured: true, smtp_source: 'api', smtp_host: 'smtp.example.com', smtp_port: 2525, smtp_user: 'mailer', inbound_webhook_url: url });
    expect(JSON.stringify(got.body)).not.toContain('s3cret');
    expect((await s.http('POST', '/parley/v1/Channels/Email', { SmtpUrl: 'http://nope' })).status).toBe(400);
    const rotated = await s.http('POST', '/parley/v1/Channels/Email', { RotateToken: 'true' });
    expect(rotated.body.inbound_webhook_url).not.toBe(url);
    expect((await s.http('DELETE', '/parley/v1/Channels/Email')).status).toBe(204);
    expect((await s.http('GET', '/parley/v1/Channels/Email')).body).toMatchObject({ smtp_configured: false, inbound_webhook_url: null });
    expect((await s.http('DELETE', '/parley/v1/Channels/Email')).status).toBe(404);
  });

  it('agent-initiated email goes out through SMTP, threaded; the reply comes back into the conversation', async () => {
    const s = ctx.server;
    const inboundUrl = await configure(s);
    const t = await flexWorkspace(s);
    const ana = await agentSession(s, uniq('ana'), { workspaceSid: t.ws.sid });
    const call = (method: string, path: string, body?: Record<string, string>) => agentHttp(s, ana.token, method, `/agent-api/v1${path}`, body);
    expect((await call('POST', '/Worker', { ActivitySid: t.available })).status).toBe(200);
    const customer = `${uniq('ada')}@example.com`;
    expect((await call('POST', '/Outbound', { Channel: 'email', To: 'not-an-address' })).status).toBe(400);
    const out = await call('POST', '/Outbound', { Channel: 'email', To: customer, Subject: 'Your order #42', Body: 'Your order has shipped.' });
    expect(out.status).toBe(201);
    expect(out.body.task).toMatchObject({ assignment_status: 'assigned', channel_type: 'email', customer_address: customer });
    const conversationSid = out.body.conversation_sid as string;
    await settleAll(s);

    const first = relay.mails.find((m) => m.to.includes(customer))!;
    expect(first).toBeDefined();
    expect(first.from).toBe(SUPPORT);
    expect(first.header('From')).toContain(SUPPORT);
    expect(first.header('To')).toContain(customer);
    expect(first.header('Subject')).toBe('Your order #42');
    expect(first.raw).toContain('Your order has shipped.');
    const firstId = first.header('Message-ID')!;
    expect(firstId).toMatch(/^<EM[0-9a-f]{32}@parley\.test>$/);
    const messages = await s.client.conversations.v1.conversations(conversationSid).messages.list();
    expect(messages).toHaveLength(1);
    expect(await receipt(s, conversationSid, messages[0]!.sid)).toMatchObject({ status: 'sent', channelMessageSid: firstId.slice(1, 35) });

    // The customer replies (to the support address, threaded on the first mail), with an attachment.
    const replyId = `<${uniq('reply')}@mail.example.com>`;
    const reply = {
      from: `Ada Lovelace <${customer}>`,
      to: `Support <${SUPPORT}>`,
      subject: 'Re: Your order #42',
      text: 'Thanks! Where is it now?',
      headers: `Message-ID: ${replyId}\r\nIn-Reply-To: ${firstId}\r\nReferences: ${firstId}\r\nSubject: Re: Your order #42\r\n`,
      attachment: { name: 'receipt.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.4 test') },
    };
    const wrong = await postInbound(inboundUrl.replace(/\/[^/]+$/, '/not-the-token'), reply);
    expect(wrong.status).toBe(403);
    expect((await postInbound(`${s.origin}/webhooks/email/inbound`, reply)).status).toBe(403);
    expect(await s.client.conversations.v1.conversations(conversationSid).messages.list()).toHaveLength(1);

    expect((await postInbound(inboundUrl, reply)).status).toBe(200);
    expect((await postInbound(inboundUrl, reply)).status).toBe(200); // SendGrid's retry: the same Message-ID
    await settleAll(s);
    const after = await s.client.conversations.v1.conversations(conversationSid).messages.list();
    expect(after.map((m) => m.body)).toEqual(['Your order has shipped.', 'Thanks! Where is it now?']);
    expect(after[1]!.author).toBe(customer);
    expect(after[1]!.media).toEqual([expect.objectContaining({ content_type: 'application/pdf', filename: 'receipt.pdf' })]);

    // The agent answers: "Re:" the customer's subject, In-Reply-To the reply, References the thread.
    const transcript = await call('GET', `/Conversations/${conversationSid}`);
    expect(transcript.status).toBe(200);
    const agentIdentity = out.body.task ? (await s.client.conversations.v1.conversations(conversationSid).participants.list()).find((p) => p.identity)!.identity : '';
    await s.client.conversations.v1.conversations(conversationSid).messages.create({ author: agentIdentity, body: 'It is at the depot.' });
    await settleAll(s);
    const second = relay.mails.filter((m) => m.to.includes(customer))[1]!;
    expect(second).toBeDefined();
    expect(second.header('Subject')).toBe('Re: Your order #42');
    expect(second.header('In-Reply-To')).toBe(replyId);
    expect(second.header('References')).toContain(firstId);
    expect(second.header('References')).toContain(replyId);
    expect(relay.mails.filter((m) => m.to.includes(customer))).toHaveLength(2);
  });

  it('a new customer email auto-creates a conversation on the email address', async () => {
    const s = ctx.server;
    const inboundUrl = await configure(s);
    const customer = `${uniq('bob')}@example.com`;
    const res = await postInbound(inboundUrl, { from: customer, to: SUPPORT, subject: 'Hello', text: 'I need help', headers: `Message-ID: <${uniq('m')}@example.com>\r\n` });
    expect(res.status).toBe(200);
    const bound = await s.client.conversations.v1.participantConversations.list({ address: customer });
    expect(bound).toHaveLength(1);
    const msgs = await s.client.conversations.v1.conversations(bound[0]!.conversationSid!).messages.list();
    expect(msgs.map((m) => m.body)).toEqual(['I need help']);
  });

  it('an SMTP refusal fails the receipt with the reply code', async () => {
    const s = ctx.server;
    await configure(s);
    const { conv, say } = await emailConversation(s, `refuse-${uniq('x')}@example.com`);
    const msg = await say('hello?');
    await settleAll(s);
    expect(await receipt(s, conv.sid, msg.sid)).toMatchObject({ status: 'failed', errorCode: 550 });
  });

  it('without any SMTP relay the receipt fails with 63007', async () => {
    const s = ctx.server;
    await configure(s);
    expect((await s.http('POST', '/parley/v1/Channels/Email', { SmtpUrl: '' })).body.smtp_configured).toBe(false);
    const customer = `${uniq('cy')}@example.com`;
    const { conv, say } = await emailConversation(s, customer);
    const msg = await say('anyone there?');
    await settleAll(s);
    expect(await receipt(s, conv.sid, msg.sid)).toMatchObject({ status: 'failed', errorCode: 63007 });
    expect(relay.mails.some((m) => m.to.includes(customer))).toBe(false);
  });
});

describe('email configuration', () => {
  it('reads PARLEY_SMTP_URL as an smtp(s):// URL', () => {
    expect(parseConfig({}).smtpUrl).toBeUndefined();
    expect(parseConfig({ PARLEY_SMTP_URL: 'smtp://u:p@mail.example.com:587' }).smtpUrl).toBe('smtp://u:p@mail.example.com:587');
    expect(parseConfig({ PARLEY_SMTP_URL: 'smtps://mail.example.com' }).smtpUrl).toBe('smtps://mail.example.com');
    expect(() => parseConfig({ PARLEY_SMTP_URL: 'mail.example.com:25' })).toThrow(ConfigError);
    expect(() => parseConfig({ PARLEY_SMTP_URL: 'http://mail.example.com' })).toThrow(ConfigError);
  });
});
