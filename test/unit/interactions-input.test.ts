import { describe, it, expect } from 'vitest';
import { agentIdentity, flexAttributes, parseChannel, parseChannelRouting, parseRouting } from '../../src/interactions/input.js';
import { TwilioError } from '../../src/platform/errors.js';

const CH = 'CH' + 'a'.repeat(32);
const keys = { interactionSid: 'KD1', channelSid: 'UO1', inviteSid: 'KG1', conversationSid: CH, channelType: 'sms' as const, initiatedBy: 'customer' as const, customer: { address: '+15551234567', name: '+15551234567' } };

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof TwilioError ? err.code : -1;
  }
  return undefined;
}

describe('Flex Channel and Routing parameters', () => {
  it('reads the inbound and outbound channel shapes', () => {
    expect(parseChannel(JSON.stringify({ type: 'web', properties: { media_channel_sid: CH } }))).toEqual({ type: 'web', initiatedBy: 'customer', mediaChannelSid: CH, participants: [] });
    expect(parseChannel(JSON.stringify({ type: 'whatsapp', initiated_by: 'agent', participants: [{ address: 'whatsapp:+1555', proxy_address: 'whatsapp:+1500', name: 'Al' }] }))).toEqual({
      type: 'whatsapp',
      initiatedBy: 'agent',
      participants: [{ address: 'whatsapp:+1555', proxyAddress: 'whatsapp:+1500', name: 'Al' }],
    });
    for (const bad of ['x', '[]', '{}', '{"type":"fax"}', '{"type":"sms","initiated_by":"bot"}', `{"type":"sms","properties":{"media_channel_sid":"IS${'a'.repeat(32)}"}}`, '{"type":"sms","participants":[{}]}']) {
      expect(code(() => parseChannel(bad))).toBe(20001);
    }
  });

  it('reads routing properties, attributes given as an object or a JSON string', () => {
    const ws = 'WS' + 'b'.repeat(32);
    expect(parseRouting('Routing', JSON.stringify({ properties: { workspace_sid: ws, task_channel_unique_name: 'chat', attributes: '{"a":1}', priority: '3', timeout: 60 } }))).toEqual({ workspaceSid: ws, taskChannel: 'chat', attributes: { a: 1 }, priority: 3, timeout: 60 });
    expect(parseRouting('Routing', '{}')).toEqual({ attributes: {} });
    expect(code(() => parseRouting('Routing', JSON.stringify({ properties: { worker_sid: 'WQ' + 'c'.repeat(32) } })))).toBe(20001);
    expect(code(() => parseRouting('Routing', JSON.stringify({ properties: { priority: -1 } })))).toBe(20001);
    expect(code(() => parseRouting('Routing', JSON.stringify({ properties: { attributes: [1] } })))).toBe(20001);
    expect(parseChannelRouting('{"status":"closed"}')).toBe('closed');
    expect(code(() => parseChannelRouting('{"status":"wrapping"}'))).toBe(20001);
  });
});

describe('Flex task attributes', () => {
  it("copies the caller's attributes over Flex's, merges customers and conversations, and keeps the sids Flex's", () => {
    const a = flexAttributes(keys, { customerName: 'Ada', customers: { email: 'ada@example.com' }, conversations: { topic: 'billing' }, flexInteractionSid: 'KDforged', extra: true });
    expect(a).toEqual({
      channelType: 'sms',
      initiatedBy: 'customer',
      direction: 'inbound',
      customerAddress: '+15551234567',
      customerName: 'Ada',
      customers: { phone: '+15551234567', name: '+15551234567', email: 'ada@example.com' },
      conversations: { initiated_by: 'customer', conversation_id: 'KD1', media: [{ type: 'ChatTranscript', sid: CH }], topic: 'billing' },
      extra: true,
      conversationSid: CH,
      flexInteractionSid: 'KD1',
      flexInteractionChannelSid: 'UO1',
      flexChannelInviteSid: 'KG1',
    });
    expect(flexAttributes({ ...keys, initiatedBy: 'agent', channelType: 'web', customer: undefined }, {})).toMatchObject({ direction: 'outbound', channelType: 'web' });
    expect(flexAttributes({ ...keys, channelType: 'web', customer: { address: 'guest-1', name: 'Guest' } }, {}).customers).toEqual({ name: 'Guest' });
  });

  it('takes the agent identity from contact_uri, else the friendly name', () => {
    expect(agentIdentity('{"contact_uri":"client:alice"}', 'Alice A')).toBe('alice');
    expect(agentIdentity('{"contact_uri":"bob"}', 'Bob')).toBe('bob');
    expect(agentIdentity('{}', 'carol')).toBe('carol');
    expect(agentIdentity('{"contact_uri":""}', 'dave')).toBe('dave');
  });
});
