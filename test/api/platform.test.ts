import http from 'node:http';
import { it, expect } from 'vitest';
import { describeEngines } from '../support/harness.js';

describeEngines('Platform endpoints and conventions', (ctx) => {
  it('answers /health, /metrics and /openapi.json without credentials', async () => {
    const health = await fetch(`${ctx.server.origin}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    await ctx.server.client.conversations.v1.conversations.list();
    const metrics = await (await fetch(`${ctx.server.origin}/metrics`)).text();
    expect(metrics).toMatch(/parley_http_request_duration_seconds_count\{method="GET",route="\/conversations\/v1\/Conversations",status="200"\} \d+/);
    const doc = (await (await fetch(`${ctx.server.origin}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>> };
    expect(doc.openapi).toBe('3.0.3');
    for (const path of ['/conversations/v1/Conversations', '/conversations/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages', '/taskrouter/v1/Workspaces/{WorkspaceSid}/Tasks', '/api/2010-04-01/Accounts.json']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(Object.keys(doc.paths['/conversations/v1/Conversations']!.post!.requestBody!.content)).toEqual(['application/x-www-form-urlencoded']);
  });

  it('routes by the product host label and builds URLs on that host', async () => {
    // fetch() will not send a custom Host header; node:http will.
    const port = new URL(ctx.server.origin).port;
    const res = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/v1/Services', headers: { Host: 'conversations.parley.test', Authorization: 'Basic ' + Buffer.from(`${ctx.server.accountSid}:${ctx.server.authToken}`).toString('base64') } }, (r) => {
        let text = '';
        r.on('data', (c) => (text += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(200);
    expect(res.body.meta.url).toBe('http://conversations.parley.test/v1/Services?PageSize=50&Page=0');
    expect(res.body.services[0].url).toMatch(/^http:\/\/conversations\.parley\.test\/v1\/Services\/IS[0-9a-f]{32}$/);
  });

  it('answers unknown routes and methods with the Twilio envelope', async () => {
    const missing = await ctx.server.http('GET', '/conversations/v1/Nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 20404, message: 'The requested resource /v1/Nope was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
    const method = await ctx.server.http('PUT', '/conversations/v1/Conversations');
    expect(method.status).toBe(405);
    expect(method.body.code).toBe(20004);
  });

  it('names the allowed values when an enumerated parameter is wrong', async () => {
    const res = await ctx.server.http('POST', '/conversations/v1/Conversations', { State: 'sleepy' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(20001);
    expect(res.body.message).toContain('initializing, inactive, active, closed');
  });

  it('refuses a wrong SID prefix in the path', async () => {
    const res = await ctx.server.http('GET', '/conversations/v1/Services/CH00000000000000000000000000000000');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(20001);
  });
});
