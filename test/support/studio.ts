/** Builders for Studio flow definitions in tests. */
export interface TestState {
  name: string;
  type: string;
  properties?: Record<string, unknown>;
  transitions?: Array<{ event: string; next?: string; conditions?: unknown[] }>;
}

/** A definition whose Trigger sends `event` to `first`. */
export function flowDefinition(states: TestState[], trigger: Partial<Record<'incomingMessage' | 'incomingRequest' | 'incomingConversationMessage' | 'incomingCall' | 'incomingParent', string>> = {}): Record<string, unknown> {
  const events = ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'] as const;
  return {
    description: 'test flow',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      {
        name: 'Trigger',
        type: 'trigger',
        properties: { offset: { x: 0, y: 0 } },
        transitions: events.map((event) => (trigger[event] ? { event, next: trigger[event] } : { event })),
      },
      ...states.map((s) => ({ properties: {}, transitions: [], ...s })),
    ],
  };
}

/** The Trigger sends every trigger event to `first`. */
export function linearFlow(first: string, states: TestState[]): Record<string, unknown> {
  return flowDefinition(states, { incomingMessage: first, incomingRequest: first, incomingConversationMessage: first });
}
