import { describe, it, expect } from 'vitest';
import { validateDefinition } from '../../src/studio/definition/validate.js';
import { WIDGETS, UNSUPPORTED_WIDGETS, contentKind } from '../../src/studio/definition/widgets.js';
import { flowDefinition, linearFlow } from '../support/studio.js';

const messages = (d: unknown) => validateDefinition(d).errors.map((e) => `${e.property_path}: ${e.message}`);

describe('Studio flow definition validation', () => {
  it('accepts a flow using every widget Parley runs', () => {
    const definition = linearFlow('vars', [
      { name: 'vars', type: 'set-variables', properties: { variables: [{ key: 'a', value: '{{flow.data.a}}', type: 'number' }] }, transitions: [{ event: 'next', next: 'ask' }] },
      { name: 'ask', type: 'send-and-wait-for-reply', properties: { body: 'Hi', timeout: '3600' }, transitions: [{ event: 'incomingMessage', next: 'split' }, { event: 'timeout', next: 'say' }, { event: 'deliveryFailure' }] },
      {
        name: 'split',
        type: 'split-based-on',
        properties: { input: '{{widgets.ask.inbound.Body}}' },
        transitions: [{ event: 'noMatch', next: 'http' }, { event: 'match', next: 'flex', conditions: [{ friendly_name: 'agent', arguments: ['{{widgets.ask.inbound.Body}}'], type: 'contains', value: 'agent' }] }],
      },
      { name: 'http', type: 'make-http-request', properties: { method: 'POST', url: 'https://example.com/x', content_type: 'application/json;charset=utf-8', body: '{"a": {{flow.variables.a}}}' }, transitions: [{ event: 'success', next: 'fn' }, { event: 'failed', next: 'say' }] },
      { name: 'fn', type: 'run-function', properties: { url: 'https://example.com/fn', parameters: [{ key: 'k', value: 'v' }] }, transitions: [{ event: 'success', next: 'say' }, { event: 'fail', next: 'say' }] },
      { name: 'flex', type: 'send-to-flex', properties: { workflow: 'WW' + '0'.repeat(32), channel: 'chat', attributes: '{"name": "{{contact.channel.address}}"}', priority: '1', timeout: '{{flow.data.t}}' }, transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue', next: 'say' }, { event: 'callFailure' }] },
      { name: 'say', type: 'send-message', properties: { body: 'Bye', offset: { x: 1, y: 2 } }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    ]);
    expect(validateDefinition(definition)).toEqual({ errors: [], warnings: [] });
  });

  it('lists the events and required properties of each widget', () => {
    expect(WIDGETS['send-and-wait-for-reply']!.events).toEqual(['incomingMessage', 'timeout', 'deliveryFailure']);
    expect(WIDGETS['send-to-flex']!.required).toEqual(['workflow', 'channel']);
    expect(UNSUPPORTED_WIDGETS).toContain('gather-input-on-call');
    expect(contentKind('application/json; charset=utf-8')).toBe('json');
    expect(contentKind(undefined)).toBe('form');
    expect(contentKind('text/xml')).toBeUndefined();
  });

  it('makes unknown and voice widgets errors', () => {
    expect(messages(linearFlow('v', [{ name: 'v', type: 'gather-input-on-call', transitions: [] }]))).toEqual(['#/states/1/type: Widget "v": widget type "gather-input-on-call" is not supported by Parley']);
    expect(messages(linearFlow('v', [{ name: 'v', type: 'flux-capacitor', transitions: [] }]))).toEqual(['#/states/1/type: Widget "v": unknown widget type "flux-capacitor"']);
    expect(messages(linearFlow('v', [{ name: 'v', type: '', transitions: [] }]))).toEqual(['#/states/1/type: Widget "v" needs a type']);
  });

  it('finds dangling transitions, duplicate names and a missing Trigger', () => {
    const d = linearFlow('a', [
      { name: 'a', type: 'send-message', properties: { body: 'x' }, transitions: [{ event: 'sent', next: 'b' }, { event: 'sent' }] },
      { name: 'a', type: 'send-message', properties: { body: 'y' }, transitions: [] },
    ]);
    expect(messages(d)).toEqual([
      '#/states/2/name: Widget name "a" is used more than once',
      '#/states/1/transitions/0/next: Widget "a": transition "sent" leads to "b", which is not a widget of this flow',
      '#/states/1/transitions/1/event: Widget "a": more than one transition for event "sent"',
    ]);
    expect(messages({ initial_state: 'Trigger', states: [{ name: 'x', type: 'set-variables', properties: { variables: [] }, transitions: [] }] })).toEqual([
      '#/states: The flow has no Trigger widget',
      '#/initial_state: initial_state "Trigger" is not a widget of this flow',
    ]);
    const two = flowDefinition([{ name: 'T2', type: 'trigger', transitions: [] }]);
    expect(messages(two)).toEqual(['#/states: The flow has more than one Trigger widget']);
  });

  it('checks Liquid everywhere in properties and conditions', () => {
    const d = linearFlow('s', [
      {
        name: 's',
        type: 'split-based-on',
        properties: { input: '{{ ok }}' },
        transitions: [{ event: 'noMatch', next: 'v' }, { event: 'match', next: 'v', conditions: [{ type: 'equal_to', arguments: ['{{ bad '], value: 'x' }] }],
      },
      { name: 'v', type: 'set-variables', properties: { variables: [{ key: 'k', value: '{% if %}' }] }, transitions: [] },
    ]);
    expect(validateDefinition(d).errors.map((e) => e.property_path)).toEqual(['#/states/1/transitions/1/conditions/0/arguments/0', '#/states/2/properties/variables/0/value']);
  });

  it('warns about widgets nothing leads to, without making the flow invalid', () => {
    const d = flowDefinition([
      { name: 'reached', type: 'set-variables', properties: { variables: [] }, transitions: [{ event: 'next' }] },
      { name: 'island', type: 'set-variables', properties: { variables: [] }, transitions: [{ event: 'next', next: 'reached' }] },
    ], { incomingRequest: 'reached' });
    expect(validateDefinition(d)).toEqual({ errors: [], warnings: [{ message: 'Widget "island" is not reachable from the Trigger', property_path: '#/states/2' }] });
  });
});
