import { it, expect, beforeAll, afterAll } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { describeEngines, twilioError } from '../support/harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { storedBytes } from '../support/at-rest.js';
import { flowDefinition, linearFlow, type TestState } from '../support/studio.js';
import type { SendMessageInput } from '../../src/studio/ports.js';

const clock = new ManualClock(Date.UTC(2026, 1, 2, 10, 0, 0));
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

describeEngines(
  'Studio v2 executions',
  (ctx) => {
    let receiver: Receiver;
    beforeAll(async () => {
      receiver = await startReceiver();
      receiver.respond((r) => {
        if (r.url.startsWith('/form')) return { status: 200, body: JSON.stringify({ user: { name: 'Bob' }, items: [1, 2] }) };
        if (r.url.startsWith('/json')) return { status: 201, body: '{"ok":true}' };
        if (r.url.startsWith('/get')) return { status: 200, body: '{"tier":"Gold"}' };
        if (r.url.startsWith('/text')) return { status: 200, body: 'plain words', contentType: 'text/plain' };
        return { status: 500, body: 'boom' };
      });
    });
    afterAll(() => receiver.close());

    const api = () => ctx.server.client.studio.v2;
    async function publish(definition: Record<string, unknown>, name = 'flow') {
      return api().flows.create({ friendlyName: name, status: 'published', definition });
    }
    async function stepsOf(flowSid: string, executionSid: string) {
      const steps = await api().flows(flowSid).executions(executionSid).steps.list();
      return steps.map((s) => [s.name, s.transitionedFrom, s.transitionedTo, s.type]);
    }
    async function execute(flowSid: string, to = '+15551230000', parameters?: Record<string, unknown>) {
      return api().flows(flowSid).executions.create({ to, from: '+15559870000', ...(parameters ? { parameters } : {}) });
    }

    it('answers a REST execution at once, then runs it in the background through variables, HTTP and a split', async () => {
      const definition = linearFlow('vars', [
        {
          name: 'vars',
          type: 'set-variables',
          properties: {
            variables: [
              { key: 'greeting', value: 'Hello {{flow.data.name}}' },
              { key: 'count', value: '{{flow.data.n | plus: 1}}', type: 'number' },
            ],
          },
          transitions: [{ event: 'next', next: 'call' }],
        },
        {
          name: 'call',
          type: 'make-http-request',
          properties: {
            method: 'POST',
            url: '{{flow.data.base}}/form',
            content_type: 'application/x-www-form-urlencoded;charset=utf-8',
            parameters: [
              { key: 'Greeting', value: '{{flow.variables.greeting}}' },
              { key: 'To', value: '{{contact.channel.address}}' },
              { key: 'From', value: '{{flow.channel.address}}' },
              { key: 'Flow', value: '{{flow.flow_sid}}' },
              { key: 'Execution', value: '{{flow.sid}}' },
            ],
          },
          transitions: [{ event: 'success', next: 'json' }, { event: 'failed' }],
        },
        {
          name: 'json',
          type: 'make-http-request',
          properties: { method: 'POST', url: '{{flow.data.base}}/json', content_type: 'application/json;charset=utf-8', body: '{"count": {{flow.variables.count}}, "user": "{{widgets.call.parsed.user.name}}", "data": {{flow.data | to_json}}}' },
          transitions: [{ event: 'success', next: 'get' }, { event: 'failed' }],
        },
        {
          name: 'get',
          type: 'make-http-request',
          properties: { method: 'GET', url: '{{flow.data.base}}/get?x=1', parameters: [{ key: 'who', value: '{{widgets.call.parsed.user.name}}' }] },
          transitions: [{ event: 'success', next: 'split' }, { event: 'failed' }],
        },
        {
          name: 'split',
          type: 'split-based-on',
          properties: { input: '{{widgets.get.parsed.tier}}' },
          transitions: [
            { event: 'noMatch', next: 'low' },
            { event: 'match', next: 'silver', conditions: [{ friendly_name: 'silver', arguments: ['{{widgets.get.parsed.tier}}'], type: 'equal_to', value: 'silver' }] },
            { event: 'match', next: 'high', conditions: [{ friendly_name: 'gold', arguments: ['{{widgets.get.parsed.tier}}'], type: 'matches_any_of', value: 'platinum, gold' }] },
          ],
        },
        { name: 'high', type: 'set-variables', properties: { variables: [{ key: 'route', value: 'high' }] }, transitions: [{ event: 'next' }] },
        { name: 'silver', type: 'set-variables', properties: { variables: [{ key: 'route', value: 'silver' }] }, transitions: [{ event: 'next' }] },
        { name: 'low', type: 'set-variables', properties: { variables: [{ key: 'route', value: 'low' }] }, transitions: [{ event: 'next' }] },
      ]);
      const flow = await publish(definition);
      const before = receiver.received.length;
      const ex = await execute(flow.sid, '+15551230000', { name: 'Ada', n: 2, base: receiver.url });
      expect(ex.sid).toMatch(/^FN[0-9a-f]{32}$/);
      expect(ex).toMatchObject({ status: 'active', flowSid: flow.sid, flowVersion: 1, contactChannelAddress: '+15551230000', accountSid: ctx.server.accountSid });
      // twilio-node does not map initiated_by; read it raw.
      expect((await ctx.server.http('GET', `/studio/v2/Flows/${flow.sid}/Executions/${ex.sid}`)).body.initiated_by).toBe(ctx.server.accountSid);
      expect(ex.contactSid).toMatch(/^FC[0-9a-f]{32}$/);
      expect(ex.url).toBe(`${flow.url}/Executions/${ex.sid}`);
      expect(ex.links).toEqual({ steps: `${ex.url}/Steps`, execution_context: `${ex.url}/Context` });
      expect(ex.dateCreated.toISOString()).toBe(new Date(clock.now()).toISOString());
      // Nothing ran yet: the worker is driven by hand in this suite.
      expect(await stepsOf(flow.sid, ex.sid)).toEqual([]);

      await ctx.server.drain();
      const done = await api().flows(flow.sid).executions(ex.sid).fetch();
      expect(done.status).toBe('ended');
      expect(await stepsOf(flow.sid, ex.sid)).toEqual([
        ['incomingRequest', 'Trigger', 'vars', 'trigger'],
        ['next', 'vars', 'call', 'set-variables'],
        ['success', 'call', 'json', 'make-http-request'],
        ['success', 'json', 'get', 'make-http-request'],
        ['success', 'get', 'split', 'make-http-request'],
        ['match', 'split', 'high', 'split-based-on'],
        ['next', 'high', 'Ended', 'set-variables'],
      ]);

      const hits = receiver.received.slice(before);
      expect(hits.map((h) => [h.method, h.url])).toEqual([
        ['POST', '/form'],
        ['POST', '/json'],
        ['GET', '/get?x=1&who=Bob'],
      ]);
      expect(hits[0]!.params).toEqual({ Greeting: 'Hello Ada', To: '+15551230000', From: '+15559870000', Flow: flow.sid, Execution: ex.sid });
      expect(hits[0]!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(hits[1]!.headers['content-type']).toBe('application/json');
      expect(JSON.parse(hits[1]!.rawBody)).toEqual({ count: 3, user: 'Bob', data: { name: 'Ada', n: 2, base: receiver.url } });

      const context = (await api().flows(flow.sid).executions(ex.sid).executionContext().fetch()).context as any;
      expect(context.flow).toEqual({ flow_sid: flow.sid, sid: ex.sid, channel: { address: '+15559870000' }, data: { name: 'Ada', n: 2, base: receiver.url }, variables: { greeting: 'Hello Ada', count: 3, route: 'high' } });
      expect(context.contact).toEqual({ channel: { address: '+15551230000' } });
      expect(context.trigger.request).toEqual({ from: '+15559870000', to: '+15551230000', parameters: { name: 'Ada', n: 2, base: receiver.url } });
      expect(context.widgets.call).toMatchObject({ status_code: 200, parsed: { user: { name: 'Bob' }, items: [1, 2] } });
      expect(context.widgets.json).toMatchObject({ status_code: 201, parsed: { ok: true } });
      expect(context.widgets.split).toEqual({ input: 'Gold' });
      expect(done.context).toEqual(context);
    });

    it('takes failed transitions: HTTP errors, unreachable hosts, a From the account does not own, an unknown workflow', async () => {
      const flow = await publish(
        linearFlow('bad', [
          { name: 'bad', type: 'make-http-request', properties: { method: 'GET', url: `${receiver.url}/nothing` }, transitions: [{ event: 'success' }, { event: 'failed', next: 'text' }] },
          { name: 'text', type: 'make-http-request', properties: { method: 'GET', url: `${receiver.url}/text` }, transitions: [{ event: 'success', next: 'fn' }] },
          { name: 'fn', type: 'run-function', properties: { url: `${receiver.url}/fn`, parameters: [{ key: 'a', value: 'b' }] }, transitions: [{ event: 'success' }, { event: 'fail', next: 'sms' }] },
          { name: 'sms', type: 'send-message', properties: { body: 'Hi {{contact.channel.address}}' }, transitions: [{ event: 'sent' }, { event: 'failed', next: 'flex' }] },
          { name: 'flex', type: 'send-to-flex', properties: { workflow: 'WW' + '1'.repeat(32), channel: 'sms', attributes: '{}' }, transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue' }] },
        ]),
      );
      const ex = await execute(flow.sid);
      await ctx.server.drain();
      expect(await stepsOf(flow.sid, ex.sid)).toEqual([
        ['incomingRequest', 'Trigger', 'bad', 'trigger'],
        ['failed', 'bad', 'text', 'make-http-request'],
        ['success', 'text', 'fn', 'make-http-request'],
        ['fail', 'fn', 'sms', 'run-function'],
        ['failed', 'sms', 'flex', 'send-message'],
        ['failedToEnqueue', 'flex', 'Ended', 'send-to-flex'],
      ]);
      const widgets = ((await api().flows(flow.sid).executions(ex.sid).fetch()).context as any).widgets;
      expect(widgets.bad).toMatchObject({ status_code: 500, body: 'boom' });
      expect(widgets.text).toEqual({ status_code: 200, content_type: 'text/plain', body: 'plain words' });
      // The simulated carrier plays only the account's own addresses; +15559870000 is not one.
      expect(widgets.sms.outbound).toMatchObject({ Status: 'failed', Body: 'Hi +15551230000', To: '+15551230000', From: '+15559870000', ErrorCode: 21606 });
      expect(widgets.flex.error).toMatch(/WW1{32}/);
      const fn = receiver.received.find((r) => r.url === '/fn')!;
      expect([fn.method, fn.params]).toEqual(['POST', { a: 'b' }]);

      const down = await publish(linearFlow('x', [{ name: 'x', type: 'make-http-request', properties: { method: 'GET', url: 'http://127.0.0.1:1/closed' }, transitions: [{ event: 'failed' }] }]));
      const ex2 = await execute(down.sid);
      await ctx.server.drain();
      expect((await stepsOf(down.sid, ex2.sid))[1]).toEqual(['failed', 'x', 'Ended', 'make-http-request']);
    });

    it('ends an execution whose widget cannot render', async () => {
      const flow = await publish(linearFlow('huge', [{ name: 'huge', type: 'send-message', properties: { body: '{% for i in (1..100000000) %}xxxxxxxxxx{% endfor %}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] }]));
      const ex = await execute(flow.sid, '+15551110000');
      await ctx.server.drain();
      const after = await api().flows(flow.sid).executions(ex.sid).fetch();
      expect(after.status).toBe('ended');
      expect((after.context as any).widgets.huge.error).toMatch(/memory alloc limit exceeded/);
      expect(await stepsOf(flow.sid, ex.sid)).toEqual([['incomingRequest', 'Trigger', 'huge', 'trigger']]);
    });

    it('sends SMS through the sendMessage port and waits for the reply by handleIncomingMessage', async () => {
      const sent: SendMessageInput[] = [];
      const studio = () => ctx.server.parley.studio;
      studio().ports.sendMessage = async (m) => {
        sent.push(m);
        return { sid: `SM${String(sent.length).padStart(32, '0')}`, status: 'queued' };
      };
      const flow = await publish(
        flowDefinition(
          [
            { name: 'ask', type: 'send-and-wait-for-reply', properties: { body: 'Order number, {{trigger.message.From}}?', timeout: '120' }, transitions: [{ event: 'incomingMessage', next: 'done' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
            { name: 'done', type: 'send-message', properties: { body: 'Order {{widgets.ask.inbound.Body}} received ({{widgets.ask.outbound.Sid}})', media_url: 'https://example.com/{{widgets.ask.inbound.Body}}.png' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
          ],
          { incomingMessage: 'ask' },
        ),
      );
      const accountSid = ctx.server.accountSid;
      await studio().handleIncomingMessage(accountSid, flow.sid, { From: '+15550000001', To: '+15550000099', Body: 'hi', MessageSid: 'SM' + 'a'.repeat(32) });
      await ctx.server.drain();
      expect(sent).toEqual([{ accountSid, from: '+15550000099', to: '+15550000001', body: 'Order number, +15550000001?' }]);
      const [ex] = await api().flows(flow.sid).executions.list();
      expect(ex).toMatchObject({ status: 'active', contactChannelAddress: '+15550000001' });
      expect((await ctx.server.http('GET', `/studio/v2/Flows/${flow.sid}/Executions/${ex!.sid}`)).body.initiated_by).toBe('SM' + 'a'.repeat(32));
      expect((ex!.context as any).trigger.message).toMatchObject({ From: '+15550000001', To: '+15550000099', Body: 'hi', AccountSid: accountSid });

      await studio().handleIncomingMessage(accountSid, flow.sid, { From: '+15550000001', To: '+15550000099', Body: '42', MessageSid: 'SM' + 'b'.repeat(32) });
      await ctx.server.drain();
      expect(sent[1]).toEqual({ accountSid, from: '+15550000099', to: '+15550000001', body: `Order 42 received (SM${'1'.padStart(32, '0')})`, mediaUrl: ['https://example.com/42.png'] });
      expect(await stepsOf(flow.sid, ex!.sid)).toEqual([
        ['incomingMessage', 'Trigger', 'ask', 'trigger'],
        ['incomingMessage', 'ask', 'done', 'send-and-wait-for-reply'],
        ['sent', 'done', 'Ended', 'send-message'],
      ]);
      const widgets = ((await api().flows(flow.sid).executions(ex!.sid).fetch()).context as any).widgets;
      expect(widgets.ask.inbound).toMatchObject({ Body: '42', From: '+15550000001', MessageSid: 'SM' + 'b'.repeat(32) });
      expect(widgets.done.outbound).toMatchObject({ Status: 'queued', To: '+15550000001' });

      // Unanswered: the durable timeout fires on the (manual) clock.
      await studio().handleIncomingMessage(accountSid, flow.sid, { From: '+15550000002', To: '+15550000099', Body: 'hi', MessageSid: 'SM' + 'c'.repeat(32) });
      await ctx.server.drain();
      const waiting = (await api().flows(flow.sid).executions.list({ limit: 1 }))[0]!;
      clock.advance(119_000);
      await ctx.server.drain();
      expect((await api().flows(flow.sid).executions(waiting.sid).fetch()).status).toBe('active');
      clock.advance(2_000);
      await ctx.server.drain();
      expect((await stepsOf(flow.sid, waiting.sid)).at(-1)).toEqual(['timeout', 'ask', 'Ended', 'send-and-wait-for-reply']);
      expect((await api().flows(flow.sid).executions(waiting.sid).fetch()).status).toBe('ended');

      // A failed send is a deliveryFailure.
      studio().ports.sendMessage = async () => ({ sid: 'SM' + 'f'.repeat(32), status: 'failed' });
      await studio().handleIncomingMessage(accountSid, flow.sid, { From: '+15550000003', To: '+15550000099', Body: 'hi', MessageSid: 'SM' + 'd'.repeat(32) });
      await ctx.server.drain();
      const failed = (await api().flows(flow.sid).executions.list({ limit: 1 }))[0]!;
      expect((await stepsOf(flow.sid, failed.sid)).at(-1)).toEqual(['deliveryFailure', 'ask', 'Ended', 'send-and-wait-for-reply']);
    });

    it('refuses a second active execution for the same contact, and can end and delete executions', async () => {
      const flow = await publish(linearFlow('ask', [{ name: 'ask', type: 'send-and-wait-for-reply', properties: { body: 'Hi', timeout: '60' }, transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }] }]));
      ctx.server.parley.studio.ports.sendMessage = async () => ({ sid: 'SM' + '2'.repeat(32), status: 'sent' });
      const ex = await execute(flow.sid, '+15557770000');
      await ctx.server.drain();
      expect(await twilioError(execute(flow.sid, '+15557770000'))).toMatchObject({ status: 409, code: 20409 });
      expect(await twilioError(api().flows(flow.sid).executions(ex.sid).update({ status: 'active' as 'ended' }))).toMatchObject({ status: 400, code: 20001 });

      const ended = await api().flows(flow.sid).executions(ex.sid).update({ status: 'ended' });
      expect(ended.status).toBe('ended');
      // The wait's timeout was cancelled with it.
      clock.advance(61_000);
      await ctx.server.drain();
      expect(await stepsOf(flow.sid, ex.sid)).toEqual([['incomingRequest', 'Trigger', 'ask', 'trigger']]);
      expect((await api().flows(flow.sid).executions(ex.sid).update({ status: 'ended' })).status).toBe('ended');

      const again = await execute(flow.sid, '+15557770000');
      expect(await api().flows(flow.sid).executions(again.sid).remove()).toBe(true);
      expect(await twilioError(api().flows(flow.sid).executions(again.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(api().flows(flow.sid).executions(again.sid).remove())).toMatchObject({ status: 404, code: 20404 });
      await ctx.server.drain();
    });

    it('lists executions newest first with status and date filters, through pages', async () => {
      const flow = await publish(linearFlow('v', [{ name: 'v', type: 'set-variables', properties: { variables: [{ key: 'a', value: '1' }] }, transitions: [{ event: 'next' }] }]));
      const t0 = clock.now();
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        made.push((await execute(flow.sid, `+1555000100${i}`)).sid);
        clock.advance(60_000);
      }
      await ctx.server.drain();
      const live = await execute(flow.sid, '+15550009999');
      const all = await api().flows(flow.sid).executions.list({ pageSize: 2 });
      expect(all.map((e) => e.sid)).toEqual([live.sid, ...[...made].reverse()]);
      const page = await api().flows(flow.sid).executions.page({ pageSize: 4 });
      expect(page.instances).toHaveLength(4);
      expect((await page.nextPage())!.instances.map((e) => e.sid)).toEqual([made[1], made[0]]);

      const window = await api().flows(flow.sid).executions.list({ dateCreatedFrom: new Date(t0 + 60_000), dateCreatedTo: new Date(t0 + 180_000) });
      expect(window.map((e) => e.sid)).toEqual([made[3], made[2], made[1]]);
      const q = (s: string) => ctx.server.http('GET', `/studio/v2/Flows/${flow.sid}/Executions?${s}`);
      expect((await q('status=active')).body.executions.map((e: { sid: string }) => e.sid)).toEqual([live.sid]);
      expect((await q('Status=ended')).body.executions).toHaveLength(5);
      expect((await q('status=running')).body).toMatchObject({ status: 400, code: 20001 });
      expect((await q('DateCreatedFrom=yesterday')).body).toMatchObject({ status: 400, code: 20001 });
      expect((await q('status=active')).body.meta).toMatchObject({ key: 'executions', page_size: 50 });
      expect((await q('status=active')).body.meta.url).toContain('status=active');
      await ctx.server.drain();
    });

    it('refuses bad execution parameters and unknown resources', async () => {
      const flow = await publish(linearFlow('v', [{ name: 'v', type: 'set-variables', properties: { variables: [] }, transitions: [] }]));
      const post = (body: Record<string, string>) => ctx.server.http('POST', `/studio/v2/Flows/${flow.sid}/Executions`, body);
      expect((await post({ From: '+1555' })).body).toMatchObject({ status: 400, code: 20001, message: 'Missing required parameter To in the post body' });
      expect((await post({ To: '+1555' })).body).toMatchObject({ code: 20001, message: 'Missing required parameter From in the post body' });
      expect((await post({ To: '+1555', From: '+1666', Parameters: '{oops' })).body).toMatchObject({ code: 20001, message: 'Parameters must be a valid JSON string' });
      expect((await post({ To: '+1555', From: '+1666', Parameters: '[1]' })).body).toMatchObject({ code: 20001 });
      expect((await post({ To: '+1555', From: '+1666', Extra: 'x' })).body).toMatchObject({ code: 20001 });
      const missingFlow = 'FW' + 'e'.repeat(32);
      expect(await twilioError(execute(missingFlow))).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(api().flows(missingFlow).executions.list())).toMatchObject({ status: 404, code: 20404 });
      const missingEx = 'FN' + 'e'.repeat(32);
      expect(await twilioError(api().flows(flow.sid).executions(missingEx).fetch())).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(api().flows(flow.sid).executions(missingEx).executionContext().fetch())).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(api().flows(flow.sid).executions(missingEx).steps.list())).toMatchObject({ status: 404, code: 20404 });
      const ex = await execute(flow.sid);
      // An execution is only found under its own flow.
      const other = await publish(linearFlow('v', [{ name: 'v', type: 'set-variables', properties: { variables: [] }, transitions: [] }]));
      expect(await twilioError(api().flows(other.sid).executions(ex.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(api().flows(flow.sid).executions(ex.sid).steps('FT' + 'e'.repeat(32)).fetch())).toMatchObject({ status: 404, code: 20404 });
      await ctx.server.drain();

      const draft = await api().flows.create({ friendlyName: 'draft only', status: 'draft', definition: linearFlow('v', [{ name: 'v', type: 'set-variables', properties: { variables: [] }, transitions: [] }]) });
      expect(await twilioError(execute(draft.sid))).toMatchObject({ status: 400, code: 20001 });
    });

    it('serves steps and their contexts, and runs drafts for test users only', async () => {
      const v1: TestState[] = [{ name: 'v', type: 'set-variables', properties: { variables: [{ key: 'version', value: 'one' }] }, transitions: [{ event: 'next' }] }];
      const v2: TestState[] = [{ name: 'v', type: 'set-variables', properties: { variables: [{ key: 'version', value: 'two' }] }, transitions: [{ event: 'next' }] }];
      const flow = await publish(linearFlow('v', v1));
      await api().flows(flow.sid).update({ status: 'draft', definition: linearFlow('v', v2) });
      await api().flows(flow.sid).testUsers().update({ testUsers: ['+15554440000'] });
      const tester = await execute(flow.sid, '+15554440000');
      const regular = await execute(flow.sid, '+15554441111');
      expect([tester.flowVersion, regular.flowVersion]).toEqual([2, 1]);
      await ctx.server.drain();
      const variables = async (sid: string) => ((await api().flows(flow.sid).executions(sid).fetch()).context as any).flow.variables;
      expect(await variables(tester.sid)).toEqual({ version: 'two' });
      expect(await variables(regular.sid)).toEqual({ version: 'one' });

      const steps = await api().flows(flow.sid).executions(tester.sid).steps.list();
      expect(steps).toHaveLength(2);
      const step = await api().flows(flow.sid).executions(tester.sid).steps(steps[1]!.sid).fetch();
      expect(step).toMatchObject({ sid: steps[1]!.sid, executionSid: tester.sid, flowSid: flow.sid, parentStepSid: null, name: 'next', transitionedFrom: 'v', transitionedTo: 'Ended', type: 'set-variables' });
      expect(step.sid).toMatch(/^FT[0-9a-f]{32}$/);
      expect(step.url).toBe(`${tester.url}/Steps/${step.sid}`);
      expect(step.links).toEqual({ step_context: `${step.url}/Context` });
      const stepContext = await api().flows(flow.sid).executions(tester.sid).steps(step.sid).stepContext().fetch();
      expect(stepContext).toMatchObject({ stepSid: step.sid, executionSid: tester.sid, flowSid: flow.sid, accountSid: ctx.server.accountSid, url: `${step.url}/Context` });
      expect((stepContext.context as any).flow.variables).toEqual({ version: 'two' });
      // The trigger step's context is the state before any widget ran.
      expect(((await api().flows(flow.sid).executions(tester.sid).steps(steps[0]!.sid).stepContext().fetch()).context as any).flow.variables).toEqual({});
      const execContext = await api().flows(flow.sid).executions(tester.sid).executionContext().fetch();
      expect(execContext).toMatchObject({ executionSid: tester.sid, flowSid: flow.sid, url: `${tester.url}/Context` });
      expect(iso(steps[0]!.dateCreated.getTime())).toBe(iso(clock.now()));
    });

    it('keeps contexts encrypted at rest', async () => {
      const secret = 'Zebra-Parameter-Secret-0815';
      const flow = await publish(linearFlow('v', [{ name: 'v', type: 'set-variables', properties: { variables: [{ key: 'copy', value: '{{flow.data.s}}' }] }, transitions: [] }]));
      await execute(flow.sid, '+15553330000', { s: secret });
      await ctx.server.drain();
      expect(await storedBytes(ctx.server, ['studio_executions', 'studio_steps', 'jobs'])).not.toContain(secret);
    });

    it('runs an execution created before a restart', async () => {
      const flow = await publish(linearFlow('v', [{ name: 'v', type: 'set-variables', properties: { variables: [{ key: 'ran', value: 'yes' }] }, transitions: [] }]));
      const ex = await execute(flow.sid, '+15552220000');
      await ctx.server.restart();
      await ctx.server.drain();
      const after = await api().flows(flow.sid).executions(ex.sid).fetch();
      expect(after.status).toBe('ended');
      expect((after.context as any).flow.variables).toEqual({ ran: 'yes' });
    });
  },
  { clock, startWorker: false },
);
