import { it, expect } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';
import { storedBytes } from '../support/at-rest.js';
import { flowDefinition, linearFlow } from '../support/studio.js';

const hello = linearFlow('say', [{ name: 'say', type: 'send-message', properties: { body: 'Hello {{contact.channel.address}}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] }]);

describeEngines('Studio v2 flows', (ctx) => {
  it('creates a published flow and renders it as Twilio does', async () => {
    const { client } = ctx.server;
    const flow = await client.studio.v2.flows.create({ friendlyName: 'Hello', status: 'published', definition: hello, commitMessage: 'first' });
    expect(flow.sid).toMatch(/^FW[0-9a-f]{32}$/);
    expect(flow).toMatchObject({
      accountSid: ctx.server.accountSid,
      authorSid: null,
      friendlyName: 'Hello',
      status: 'published',
      revision: 1,
      commitMessage: 'first',
      valid: true,
      errors: [],
      warnings: [],
      definition: hello,
    });
    expect(flow.url).toBe(`${ctx.server.origin}/studio/v2/Flows/${flow.sid}`);
    expect(flow.links).toEqual({ test_users: `${flow.url}/TestUsers`, revisions: `${flow.url}/Revisions`, executions: `${flow.url}/Executions` });
    expect(flow.dateCreated).toBeInstanceOf(Date);
    const fetched = await client.studio.v2.flows(flow.sid).fetch();
    expect(fetched.toJSON()).toEqual(flow.toJSON());
  });

  it('makes a revision of every write and serves them by number, LatestPublished and LatestRevision', async () => {
    const { client } = ctx.server;
    const flow = await client.studio.v2.flows.create({ friendlyName: 'Rev', status: 'published', definition: hello });
    const v2def = linearFlow('say', [{ name: 'say', type: 'send-message', properties: { body: 'v2' }, transitions: [] }]);
    const v2 = await client.studio.v2.flows(flow.sid).update({ status: 'published', definition: v2def, commitMessage: 'second' });
    expect(v2).toMatchObject({ revision: 2, status: 'published', commitMessage: 'second', definition: v2def });
    const v3 = await client.studio.v2.flows(flow.sid).update({ status: 'draft', friendlyName: 'Rev draft' });
    expect(v3).toMatchObject({ revision: 3, status: 'draft', friendlyName: 'Rev draft', definition: v2def, commitMessage: null });

    const revisions = await client.studio.v2.flows(flow.sid).revisions.list();
    expect(revisions.map((r) => [r.revision, r.status])).toEqual([
      [3, 'draft'],
      [2, 'published'],
      [1, 'published'],
    ]);
    const one = await client.studio.v2.flows(flow.sid).revisions('1').fetch();
    expect(one).toMatchObject({ sid: flow.sid, revision: 1, definition: hello, valid: true, errors: [], friendlyName: 'Rev' });
    expect(one.url).toBe(`${flow.url}/Revisions/1`);
    expect((await client.studio.v2.flows(flow.sid).revisions('LatestPublished').fetch()).revision).toBe(2);
    expect((await client.studio.v2.flows(flow.sid).revisions('LatestRevision').fetch()).revision).toBe(3);
    expect(await twilioError(client.studio.v2.flows(flow.sid).revisions('9').fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(client.studio.v2.flows(flow.sid).revisions('Latest').fetch())).toMatchObject({ status: 404, code: 20404 });

    const page = await client.studio.v2.flows(flow.sid).revisions.page({ pageSize: 2 });
    expect(page.instances.map((r) => r.revision)).toEqual([3, 2]);
    const next = await page.nextPage();
    expect(next!.instances.map((r) => r.revision)).toEqual([1]);
  });

  it('refuses to publish an invalid definition with 81022 and the list of problems', async () => {
    const { client, http } = ctx.server;
    const bad = linearFlow('missing', [{ name: 'say', type: 'send-message', properties: {}, transitions: [{ event: 'sent', next: 'nowhere' }] }]);
    expect(await twilioError(client.studio.v2.flows.create({ friendlyName: 'Bad', status: 'published', definition: bad }))).toMatchObject({ status: 400, code: 81022 });
    const raw = await http('POST', '/studio/v2/Flows', { FriendlyName: 'Bad', Status: 'published', Definition: JSON.stringify(bad) });
    expect(raw.status).toBe(400);
    expect(raw.body).toMatchObject({ code: 81022, message: 'Flow definition validation failed', more_info: 'https://www.twilio.com/docs/errors/81022', status: 400 });
    const paths = (raw.body.details.errors as Array<{ property_path: string }>).map((e) => e.property_path);
    expect(paths).toEqual(expect.arrayContaining(['#/states/0/transitions/0/next', '#/states/1/properties/body', '#/states/1/transitions/0/next']));
    // Nothing was stored.
    expect((await client.studio.v2.flows.list()).some((f) => f.friendlyName === 'Bad')).toBe(false);
  });

  it('keeps an invalid draft with valid=false, its errors and its warnings', async () => {
    const { client } = ctx.server;
    const draft = flowDefinition(
      [
        { name: 'orphan', type: 'set-variables', properties: { variables: [{ key: 'a', value: '1' }] }, transitions: [{ event: 'next' }] },
        { name: 'weird', type: 'teleport', properties: {}, transitions: [] },
      ],
      {},
    );
    const flow = await client.studio.v2.flows.create({ friendlyName: 'Draft', status: 'draft', definition: draft });
    expect(flow).toMatchObject({ status: 'draft', valid: false, revision: 1 });
    expect(flow.errors).toEqual([{ message: 'Widget "weird": unknown widget type "teleport"', property_path: '#/states/2/type' }]);
    expect(flow.warnings).toEqual([
      { message: 'Widget "orphan" is not reachable from the Trigger', property_path: '#/states/1' },
      { message: 'Widget "weird" is not reachable from the Trigger', property_path: '#/states/2' },
    ]);
    expect(await twilioError(client.studio.v2.flows(flow.sid).update({ status: 'published' }))).toMatchObject({ status: 400, code: 81022 });
    expect((await client.studio.v2.flows(flow.sid).fetch()).revision).toBe(1);
  });

  it('reports each kind of definition error', async () => {
    const { http } = ctx.server;
    const problems = async (definition: unknown) => {
      const r = await http('POST', '/studio/v2/Flows/Validate', { FriendlyName: 'x', Status: 'published', Definition: JSON.stringify(definition) });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe(81022);
      return (r.body.details.errors as Array<{ message: string; property_path: string }>).map((e) => `${e.property_path} ${e.message}`);
    };
    const state = (s: Record<string, unknown>) => linearFlow('w', [{ name: 'w', type: 'send-message', properties: { body: 'x' }, transitions: [], ...s }]);
    expect(await problems(state({ type: 'say-play' }))).toEqual(['#/states/1/type Widget "w": widget type "say-play" is not supported by Parley']);
    expect(await problems(state({ type: 'nope' }))).toEqual(['#/states/1/type Widget "w": unknown widget type "nope"']);
    expect((await problems(state({ properties: { body: 'Hi {{ name ' } })))[0]).toMatch(/^#\/states\/1\/properties\/body Widget "w": invalid Liquid template/);
    expect((await problems(state({ properties: { body: '{% if x %}open' } })))[0]).toMatch(/invalid Liquid template: tag \{% if x %\} not closed/);
    expect((await problems(state({ transitions: [{ event: 'arrived' }] })))[0]).toMatch(/^#\/states\/1\/transitions\/0\/event Widget "w": "arrived" is not an event of a send-message widget/);
    expect(await problems(state({ transitions: [{ event: 'sent', next: 'ghost' }] }))).toEqual(['#/states/1/transitions/0/next Widget "w": transition "sent" leads to "ghost", which is not a widget of this flow']);
    expect(await problems(state({ transitions: [{ event: 'sent', next: 7 }] }))).toEqual(['#/states/1/transitions/0/next Widget "w": transition "sent" next must be a widget name']);
    expect(await problems(state({ transitions: 'sent' }))).toEqual(['#/states/1/transitions Widget "w": transitions must be an array']);
    expect(await problems(state({ name: 'Trigger' }))).toEqual(expect.arrayContaining(['#/states/1/name Widget name "Trigger" is used more than once']));
    expect(await problems({ ...state({}), initial_state: 'w' })).toEqual(['#/initial_state initial_state "w" must be the Trigger widget']);
    expect(await problems({ ...state({}), initial_state: undefined })).toEqual(['#/initial_state initial_state is required']);
    expect(await problems({ initial_state: 'w', states: [{ name: 'w', type: 'send-message', properties: { body: 'x' }, transitions: [] }] })).toEqual([
      '#/states The flow has no Trigger widget',
      '#/initial_state initial_state "w" must be the Trigger widget',
    ]);
    expect(await problems({ states: [] })).toEqual(['#/states states must be a non-empty array of widgets']);
    expect(await problems([1, 2])).toEqual(['# The flow definition must be a JSON object']);
    // Required properties per widget.
    const required = async (type: string, properties: Record<string, unknown>) => (await problems(state({ type, properties }))).join('\n');
    expect(await required('send-and-wait-for-reply', { timeout: '60' })).toMatch(/property "body" is required/);
    expect(await required('send-and-wait-for-reply', { body: 'x', timeout: 'soon' })).toMatch(/timeout must be a whole number of seconds/);
    expect(await required('split-based-on', {})).toMatch(/property "input" is required/);
    expect(await required('set-variables', {})).toMatch(/property "variables" is required/);
    expect(await required('set-variables', { variables: [{ value: 'x' }] })).toMatch(/each variable needs a key/);
    expect(await required('make-http-request', { method: 'GET' })).toMatch(/property "url" is required/);
    expect(await required('make-http-request', { method: 'PATCH', url: 'https://example.com' })).toMatch(/method must be GET or POST/);
    expect(await required('make-http-request', { method: 'POST', url: 'https://example.com', content_type: 'text/xml' })).toMatch(/content_type must be/);
    expect(await required('make-http-request', { method: 'GET', url: 'ftp://example.com' })).toMatch(/url must be an http or https URL/);
    expect(await required('send-to-flex', { channel: 'chat' })).toMatch(/property "workflow" is required/);
    expect(await required('run-function', {})).toMatch(/property "url" is required/);
    // Split conditions.
    const split = (conditions: unknown[]) =>
      problems(linearFlow('s', [{ name: 's', type: 'split-based-on', properties: { input: '{{trigger.message.Body}}' }, transitions: [{ event: 'noMatch' }, { event: 'match', conditions }] }]));
    expect((await split([])).join()).toMatch(/a match transition needs conditions/);
    expect((await split([{ type: 'sounds_like', value: 'x', arguments: ['{{a}}'] }])).join()).toMatch(/condition type must be one of equal_to/);
    expect((await split([{ type: 'equal_to', arguments: ['{{a}}'] }])).join()).toMatch(/condition "equal_to" needs a value/);
    expect((await split([{ type: 'regex', value: '(unclosed', arguments: ['{{a}}'] }])).join()).toMatch(/not a valid regular expression/);
    expect((await split([{ type: 'equal_to', value: '{{ x', arguments: ['{{a}}'] }])).join()).toMatch(/conditions\/0\/value.*invalid Liquid/);
  });

  it('validates with POST /v2/Flows/Validate without storing anything', async () => {
    const { client, http } = ctx.server;
    const ok = await client.studio.v2.flowValidate.update({ friendlyName: 'check', status: 'published', definition: hello });
    expect(ok.valid).toBe(true);
    const err = await twilioError(client.studio.v2.flowValidate.update({ friendlyName: 'check', status: 'published', definition: { states: [] } }));
    expect(err).toMatchObject({ status: 400, code: 81022 });
    expect((await http('POST', '/studio/v2/Flows/Validate', { FriendlyName: 'x', Status: 'published' })).body).toMatchObject({ status: 400, code: 20001 });
  });

  it('refuses bad parameters with 20001 and unknown flows with 20404', async () => {
    const { client, http } = ctx.server;
    const post = (body: Record<string, string>) => http('POST', '/studio/v2/Flows', body);
    const def = JSON.stringify(hello);
    expect((await post({ Status: 'published', Definition: def })).body).toMatchObject({ status: 400, code: 20001, message: 'Missing required parameter FriendlyName in the post body' });
    expect((await post({ FriendlyName: 'x', Definition: def })).body).toMatchObject({ code: 20001, message: 'Missing required parameter Status in the post body' });
    expect((await post({ FriendlyName: 'x', Status: 'published' })).body).toMatchObject({ code: 20001, message: 'Missing required parameter Definition in the post body' });
    expect((await post({ FriendlyName: 'x', Status: 'live', Definition: def })).body).toMatchObject({ code: 20001 });
    expect((await post({ FriendlyName: 'x', Status: 'draft', Definition: '{not json' })).body).toMatchObject({ code: 20001, message: 'Definition must be a valid JSON string' });
    expect((await post({ FriendlyName: 'x', Status: 'draft', Definition: def, Colour: 'red' })).body).toMatchObject({ code: 20001 });
    const flow = await client.studio.v2.flows.create({ friendlyName: 'params', status: 'draft', definition: hello });
    expect((await http('POST', `/studio/v2/Flows/${flow.sid}`, { FriendlyName: 'no status' })).body).toMatchObject({ code: 20001, message: 'Missing required parameter Status in the post body' });
    const missing = 'FW' + '0'.repeat(32);
    expect(await twilioError(client.studio.v2.flows(missing).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(client.studio.v2.flows(missing).update({ status: 'draft' }))).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(client.studio.v2.flows(missing).remove())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(client.studio.v2.flows(missing).revisions.list())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(client.studio.v2.flows(missing).testUsers().fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it('lists flows through several pages and deletes them', async () => {
    const { client } = ctx.server;
    const other = ctx.server.clientFor(ctx.server.accountSid, ctx.server.authToken);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await client.studio.v2.flows.create({ friendlyName: `page ${i}`, status: 'draft', definition: hello })).sid);
    const all = await other.studio.v2.flows.list({ pageSize: 2 });
    const sids = all.map((f) => f.sid);
    expect(sids.filter((s) => made.includes(s))).toEqual(made);
    const first = await client.studio.v2.flows.page({ pageSize: 2 });
    expect(first.instances).toHaveLength(2);
    expect((await first.nextPage())!.instances).toHaveLength(2);

    for (const sid of made) expect(await client.studio.v2.flows(sid).remove()).toBe(true);
    expect(await twilioError(client.studio.v2.flows(made[0]!).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect((await client.studio.v2.flows.list()).some((f) => made.includes(f.sid))).toBe(false);
  });

  it('keeps test users per flow', async () => {
    const { client } = ctx.server;
    const flow = await client.studio.v2.flows.create({ friendlyName: 'testers', status: 'draft', definition: hello });
    const empty = await client.studio.v2.flows(flow.sid).testUsers().fetch();
    expect(empty).toMatchObject({ sid: flow.sid, testUsers: [], url: `${flow.url}/TestUsers` });
    const set = await client.studio.v2.flows(flow.sid).testUsers().update({ testUsers: ['+15550001111', 'alice', 'alice'] });
    expect(set.testUsers).toEqual(['+15550001111', 'alice']);
    expect((await client.studio.v2.flows(flow.sid).testUsers().fetch()).testUsers).toEqual(['+15550001111', 'alice']);
    expect((await ctx.server.http('POST', `/studio/v2/Flows/${flow.sid}/TestUsers`, {})).body).toMatchObject({ code: 20001 });
  });

  it('stores definitions encrypted at rest', async () => {
    const { client } = ctx.server;
    const secret = 'Zebra-Definition-Secret-4711';
    await client.studio.v2.flows.create({ friendlyName: 'secret', status: 'published', definition: linearFlow('say', [{ name: 'say', type: 'send-message', properties: { body: secret }, transitions: [] }]) });
    expect(await storedBytes(ctx.server, ['studio_flows', 'studio_flow_revisions'])).not.toContain(secret);
  });
});
