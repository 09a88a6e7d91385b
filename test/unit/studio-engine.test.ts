import { describe, it, expect } from 'vitest';
import { CONDITION_TYPES, evaluateCondition, timeOfDay, type ConditionType } from '../../src/studio/engine/conditions.js';
import { contactSid, initialContext, renderProperty, typedValue } from '../../src/studio/engine/context.js';
import { liquidSyntaxError, renderLiquid } from '../../src/studio/engine/liquid.js';

describe('Studio split conditions', () => {
  const cases: Array<[ConditionType, string, string, boolean]> = [
    ['equal_to', 'Yes', 'yes', true],
    ['equal_to', ' yes ', 'YES', true],
    ['equal_to', '1.0', '1', true],
    ['equal_to', 'yes', 'no', false],
    ['not_equal_to', 'yes', 'no', true],
    ['not_equal_to', 'YES', 'yes', false],
    ['matches_any_of', 'Sales', 'support, sales ,billing', true],
    ['matches_any_of', 'sale', 'support,sales', false],
    ['does_not_match_any_of', 'other', 'support,sales', true],
    ['does_not_match_any_of', 'SALES', 'support,sales', false],
    ['is_blank', '   ', '', true],
    ['is_blank', 'x', '', false],
    ['is_not_blank', 'x', '', true],
    ['is_not_blank', '', '', false],
    ['regex', 'order 12345', '\\d{5}', true],
    ['regex', 'order 12', '^\\d+$', false],
    ['regex', 'anything', '(broken', false],
    ['contains', 'I need HELP now', 'help', true],
    ['contains', 'hello', 'bye', false],
    ['does_not_contain', 'hello', 'bye', true],
    ['does_not_contain', 'hello', 'ELL', false],
    ['starts_with', 'Stop please', 'stop', true],
    ['starts_with', 'please stop', 'stop', false],
    ['does_not_start_with', 'please stop', 'stop', true],
    ['does_not_start_with', 'STOP', 'stop', false],
    ['less_than', '9', '10', true],
    ['less_than', '10', '9', false],
    ['less_than', 'abc', '10', false],
    ['greater_than', '10.5', '10', true],
    ['greater_than', '', '1', false],
    ['is_before_time', '09:30', '10:00', true],
    ['is_before_time', '2:00 PM', '13:59', false],
    ['is_after_time', '2:00 PM', '13:59', true],
    ['is_after_time', 'noon', '11:00', false],
    ['is_before_date', '2026-01-01', '2026-06-30', true],
    ['is_before_date', '2026-07-01T00:00:00Z', '2026-06-30', false],
    ['is_after_date', '2026-07-01', '2026-06-30', true],
    ['is_after_date', 'someday', '2026-06-30', false],
  ];
  it.each(cases)('%s(%j, %j) is %s', (type, input, value, expected) => {
    expect(evaluateCondition(type, input, value)).toBe(expected);
  });

  it('covers every condition type of reference §5.2', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(CONDITION_TYPES));
  });

  it('reads times of day in 24 h and 12 h forms', () => {
    expect(timeOfDay('00:00')).toBe(0);
    expect(timeOfDay('12:00 AM')).toBe(0);
    expect(timeOfDay('12:30pm')).toBe(12 * 60 + 30);
    expect(timeOfDay('23:59:30')).toBe(23 * 60 + 59.5);
    expect(timeOfDay('24:00')).toBeUndefined();
    expect(timeOfDay('13:00 PM')).toBeUndefined();
  });
});

describe('Studio Liquid and flow context', () => {
  const context = initialContext({
    flowSid: 'FW' + '1'.repeat(32),
    executionSid: 'FN' + '2'.repeat(32),
    event: 'incomingConversationMessage',
    channelAddress: '+15550001111',
    contactAddress: 'customer',
    trigger: { Body: 'Hi "there"', Author: 'customer', ConversationSid: 'CH' + '3'.repeat(32) },
  });
  context.widgets.ask = { inbound: { Body: '42' }, parsed: { items: [{ n: 1 }, { n: 2 }] } };
  context.flow.variables.tier = 'gold';

  it('builds the variables Studio widgets read', () => {
    expect(context.flow).toMatchObject({ flow_sid: 'FW' + '1'.repeat(32), sid: 'FN' + '2'.repeat(32), channel: { address: '+15550001111' }, data: {} });
    expect(context.contact.channel.address).toBe('customer');
    expect(context.trigger.conversation!.Body).toBe('Hi "there"');
    const rest = initialContext({ flowSid: 'FW1', executionSid: 'FN1', event: 'incomingRequest', channelAddress: '+1', contactAddress: '+2', trigger: { from: '+1' }, data: { a: 1 } });
    expect(rest.trigger).toEqual({ request: { from: '+1' } });
    expect(rest.flow.data).toEqual({ a: 1 });
    expect(initialContext({ flowSid: 'FW1', executionSid: 'FN1', event: 'incomingMessage', channelAddress: '+1', contactAddress: '+2', trigger: { Body: 'x' } }).trigger).toEqual({ message: { Body: 'x' } });
  });

  it('renders Liquid against it', () => {
    expect(renderProperty('{{trigger.conversation.Body}} / {{widgets.ask.inbound.Body}} / {{flow.variables.tier | upcase}}', context)).toBe('Hi "there" / 42 / GOLD');
    expect(renderProperty('{{trigger.conversation.Body | to_json}}', context)).toBe('"Hi \\"there\\""');
    expect(renderProperty('{{widgets.ask.parsed.items | to_json}}', context)).toBe('[{"n":1},{"n":2}]');
    expect(renderProperty('{{widgets.ask.parsed.items[1].n | plus: 1}}', context)).toBe('3');
    expect(renderProperty('{{contact.channel.address}}@{{flow.channel.address}}', context)).toBe('customer@+15550001111');
    expect(renderProperty('{{widgets.missing.inbound.Body}}|{{nothing}}', context)).toBe('|');
    expect(renderProperty('{% if flow.variables.tier == "gold" %}VIP{% else %}std{% endif %}', context)).toBe('VIP');
    expect(renderProperty(undefined, context)).toBe('');
    expect(renderProperty(7, context)).toBe('7');
    expect(renderProperty({ a: '{{flow.variables.tier}}' }, context)).toBe('{"a":"gold"}');
    expect(renderLiquid('no templates here', {})).toBe('no templates here');
  });

  it('reports Liquid syntax errors and reads no files', () => {
    expect(liquidSyntaxError('{{ fine }}')).toBeUndefined();
    expect(liquidSyntaxError('{{ broken ')).toMatch(/not closed/);
    expect(liquidSyntaxError('{% for x in y %}')).toMatch(/not closed/);
    expect(liquidSyntaxError('{% nosuchtag %}')).toMatch(/not found/);
    expect(() => renderLiquid("{% include 'package.json' %}", {})).toThrow();
  });

  it('types set-variables values', () => {
    expect(typedValue('42', 'number')).toBe(42);
    expect(typedValue('x', 'number')).toBe('x');
    expect(typedValue('true', 'boolean')).toBe(true);
    expect(typedValue('{"a":[1]}', 'object')).toEqual({ a: [1] });
    expect(typedValue('{bad', 'json')).toBe('{bad');
    expect(typedValue('42', undefined)).toBe('42');
  });

  it('gives a contact the same FC SID per account and address', () => {
    const a = contactSid('AC1', '+1555');
    expect(a).toMatch(/^FC[0-9a-f]{32}$/);
    expect(contactSid('AC1', '+1555')).toBe(a);
    expect(contactSid('AC2', '+1555')).not.toBe(a);
  });
});
