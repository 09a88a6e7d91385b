import { randomBytes } from 'node:crypto';
import { it, expect, beforeAll } from 'vitest';
import { describeEngines, twilioError, type Server } from '../support/harness.js';
import { storedBytes } from '../support/at-rest.js';

interface Creds {
  username: string;
  password: string;
}

/** Raw MCS calls (the SDK has no Media resource). */
async function mcs(server: Server, method: string, path: string, init: { body?: RequestInit['body']; contentType?: string; creds?: Creds | null } = {}) {
  const creds = init.creds === undefined ? { username: server.accountSid, password: server.authToken } : init.creds;
  const headers: Record<string, string> = {};
  if (creds) headers.Authorization = 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
  if (init.contentType) headers['Content-Type'] = init.contentType;
  const res = await fetch(`${server.origin}/mcs${path}`, { method, headers, ...(init.body !== undefined ? { body: init.body } : {}) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json') ? (JSON.parse(bytes.toString('utf8')) as any) : undefined;
  return { status: res.status, headers: res.headers, bytes, json };
}

let phone = 0;
const number = () => `+1444${String(Date.now() % 1_000_000).padStart(6, '0')}${String(++phone).padStart(2, '0')}`;

describeEngines('Media (MCS)', (ctx) => {
  let serviceSid: string;
  beforeAll(async () => {
    serviceSid = (await ctx.server.client.conversations.v1.conversations.create({})).chatServiceSid;
  });

  const upload = (data: Buffer, contentType: string, filename?: string) =>
    mcs(ctx.server, 'POST', `/v1/Services/${serviceSid}/Media${filename ? `?Filename=${encodeURIComponent(filename)}` : ''}`, { body: new Uint8Array(data), contentType });

  it('uploads a raw body, returns the MCS shape, and serves the same bytes back', async () => {
    const data = randomBytes(4096);
    const res = await upload(data, 'image/png', 'cat.png');
    expect(res.status).toBe(201);
    const m = res.json;
    expect(m.sid).toMatch(/^ME[0-9a-f]{32}$/);
    expect(m).toMatchObject({ account_sid: ctx.server.accountSid, service_sid: serviceSid, channel_sid: null, message_sid: null, author: null, content_type: 'image/png', size: 4096, filename: 'cat.png', category: 'media' });
    expect(m.date_created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(m.date_upload_completed).toBe(m.date_created);
    expect(m.url).toBe(`${ctx.server.origin}/mcs/v1/Services/${serviceSid}/Media/${m.sid}`);
    expect(m.links).toEqual({ content: `${m.url}/Content`, content_direct_temporary: `${m.url}/Content` });

    const meta = await mcs(ctx.server, 'GET', `/v1/Services/${serviceSid}/Media/${m.sid}`);
    expect(meta.status).toBe(200);
    expect(meta.json).toEqual(m);
    const content = await mcs(ctx.server, 'GET', `/v1/Services/${serviceSid}/Media/${m.sid}/Content`);
    expect(content.status).toBe(200);
    expect(content.headers.get('content-type')).toBe('image/png');
    expect(content.bytes.equals(data)).toBe(true);
  });

  it('uploads multipart/form-data with a Media file field', async () => {
    const data = randomBytes(2048);
    const form = new FormData();
    form.append('Media', new Blob([new Uint8Array(data)], { type: 'application/pdf' }), 'invoice.pdf');
    const res = await mcs(ctx.server, 'POST', `/v1/Services/${serviceSid}/Media`, { body: form });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ content_type: 'application/pdf', filename: 'invoice.pdf', size: 2048 });
    const content = await mcs(ctx.server, 'GET', `/v1/Services/${serviceSid}/Media/${res.json.sid}/Content`);
    expect(content.headers.get('content-type')).toBe('application/pdf');
    expect(content.bytes.equals(data)).toBe(true);

    const wrongField = new FormData();
    wrongField.append('File', new Blob([new Uint8Array(data)], { type: 'image/png' }), 'x.png');
    expect((await mcs(ctx.server, 'POST', `/v1/Services/${serviceSid}/Media`, { body: wrongField })).json).toMatchObject({ status: 400, code: 20001 });
  });

  it('keeps any content type as opaque bytes (JSON and forms included)', async () => {
    const json = Buffer.from('{"not":"parsed"}');
    const res = await upload(json, 'application/json');
    expect(res.status).toBe(201);
    expect((await mcs(ctx.server, 'GET', `/v1/Services/${serviceSid}/Media/${res.json.sid}/Content`)).bytes.equals(json)).toBe(true);
    const formish = Buffer.from('a=1&b=2');
    const f = await upload(formish, 'application/x-www-form-urlencoded');
    expect((await mcs(ctx.server, 'GET', `/v1/Services/${serviceSid}/Media/${f.json.sid}/Content`)).bytes.equals(formish)).toBe(true);
  });

  it('refuses empty, untyped and oversized uploads, and unknown services', async () => {
    expect((await upload(Buffer.alloc(0), 'image/png')).json).toMatchObject({ code: 20001, status: 400 });
    expect((await mcs(ctx.server, 'POST', `/v1/Services/${serviceSid}/Media`, { body: new Uint8Array(randomBytes(10)) })).json).toMatchObject({ status: 400 });
    expect((await upload(Buffer.alloc(20 * 1024 * 1024 + 1), 'video/mp4')).status).toBe(413);
    const unknown = await mcs(ctx.server, 'POST', `/v1/Services/IS${'0'.repeat(32)}/Media`, { body: new Uint8Array(randomBytes(10)), contentType: 'image/png' });
    expect(unknown.json).toMatchObject({ status: 404, code: 20404 });
  });

  it('authenticates with the account credentials; other accounts get 404', async () => {
    const up = await upload(randomBytes(64), 'image/jpeg');
    expect((await mcs(ctx.server, 'GET', `/v1/Services/${serviceSid}/Media/${up.json.sid}/Content`, { creds: null })).status).toBe(401);
    expect((await mcs(ctx.server, 'GET', `/v1/Services/${serviceSid}/Media/${up.json.sid}`, { creds: { username: ctx.server.accountSid, password: 'wrong' } })).status).toBe(401);
    const sub = await ctx.server.client.api.v2010.accounts.create({ friendlyName: 'other tenant' });
    const other = { username: sub.sid, password: sub.authToken };
    expect((await mcs(ctx.server, 'GET', `/v1/Services/${serviceSid}/Media/${up.json.sid}`, { creds: other })).status).toBe(404);
    expect((await mcs(ctx.server, 'GET', `/v1/Services/${serviceSid}/Media/${up.json.sid}/Content`, { creds: other })).status).toBe(404);
    const otherService = (await ctx.server.clientFor(sub.sid, sub.authToken).conversations.v1.conversations.create({})).chatServiceSid;
    expect((await mcs(ctx.server, 'GET', `/v1/Services/${otherService}/Media/${up.json.sid}/Content`, { creds: other })).json).toMatchObject({ status: 404, code: 20404 });
  });

  it('attaches media to one message, which renders media[]', async () => {
    const { client } = ctx.server;
    const up = (await upload(randomBytes(1000), 'image/png', 'dog.png')).json;
    const conv = await client.conversations.v1.conversations.create({});
    const msg = await client.conversations.v1.conversations(conv.sid).messages.create({ mediaSid: up.sid, author: 'alice' });
    expect(msg.body).toBeNull();
    expect(msg.media).toEqual([{ sid: up.sid, size: 1000, content_type: 'image/png', filename: 'dog.png' }]);
    expect((await client.conversations.v1.conversations(conv.sid).messages(msg.sid).fetch()).media).toEqual(msg.media);
    const meta = (await mcs(ctx.server, 'GET', `/v1/Services/${serviceSid}/Media/${up.sid}`)).json;
    expect(meta).toMatchObject({ message_sid: msg.sid, channel_sid: conv.sid });

    expect(await twilioError(client.conversations.v1.conversations(conv.sid).messages.create({ mediaSid: up.sid }))).toMatchObject({ status: 400, code: 20001 });
    const elsewhere = await client.conversations.v1.services.create({ friendlyName: 'other service' });
    const foreign = (await mcs(ctx.server, 'POST', `/v1/Services/${elsewhere.sid}/Media`, { body: new Uint8Array(randomBytes(5)), contentType: 'image/png' })).json;
    expect(await twilioError(client.conversations.v1.conversations(conv.sid).messages.create({ mediaSid: foreign.sid }))).toMatchObject({ status: 400, code: 20001 });
    // A refused message leaves the media free for the next one.
    expect((await mcs(ctx.server, 'GET', `/v1/Services/${elsewhere.sid}/Media/${foreign.sid}`)).json.message_sid).toBeNull();
    // Deleting the conversation deletes the media of its messages.
    await client.conversations.v1.conversations(conv.sid).remove();
    expect((await mcs(ctx.server, 'GET', `/v1/Services/${serviceSid}/Media/${up.sid}`)).status).toBe(404);
  });

  it('checks SMS/MMS and WhatsApp media limits', async () => {
    const { client } = ctx.server;
    const sms = await client.conversations.v1.conversations.create({});
    await client.conversations.v1.conversations(sms.sid).participants.create({ 'messagingBinding.address': number(), 'messagingBinding.proxyAddress': '+15550000009' });
    const text = (await upload(Buffer.from('hello'), 'text/plain')).json;
    const err = await twilioError(client.conversations.v1.conversations(sms.sid).messages.create({ mediaSid: text.sid }));
    expect(err).toMatchObject({ status: 400, code: 50511 });
    expect(err.message).toContain('SMS/MMS');
    const big = (await upload(Buffer.alloc(5 * 1024 * 1024 + 1), 'image/jpeg')).json;
    expect(await twilioError(client.conversations.v1.conversations(sms.sid).messages.create({ mediaSid: big.sid }))).toMatchObject({ status: 413, code: 50512 });
    const ok = (await upload(Buffer.alloc(5 * 1024 * 1024), 'image/jpeg')).json;
    expect((await client.conversations.v1.conversations(sms.sid).messages.create({ mediaSid: ok.sid })).media).toHaveLength(1);

    const wa = await client.conversations.v1.conversations.create({});
    await client.conversations.v1.conversations(wa.sid).participants.create({ 'messagingBinding.address': `whatsapp:${number()}`, 'messagingBinding.proxyAddress': 'whatsapp:+15550000009' });
    expect((await client.conversations.v1.conversations(wa.sid).messages.create({ mediaSid: big.sid })).media).toHaveLength(1);
    const huge = (await upload(Buffer.alloc(16 * 1024 * 1024 + 1), 'video/mp4')).json;
    expect(await twilioError(client.conversations.v1.conversations(wa.sid).messages.create({ mediaSid: huge.sid }))).toMatchObject({ status: 413, code: 50512 });
    // Chat-only conversations take any type up to the storage cap.
    const chat = await client.conversations.v1.conversations.create({});
    expect((await client.conversations.v1.conversations(chat.sid).messages.create({ mediaSid: huge.sid })).media![0]).toMatchObject({ content_type: 'video/mp4' });
  });

  it('stores media content encrypted', async () => {
    const secret = `platypus-${randomBytes(8).toString('hex')}`;
    const up = (await upload(Buffer.from(`file ${secret}`), 'text/plain', `name-${randomBytes(4).toString('hex')}.txt`)).json;
    const stored = await storedBytes(ctx.server, ['media']);
    expect(stored).toContain(up.filename);
    expect(stored).not.toContain(secret);
  });
});
