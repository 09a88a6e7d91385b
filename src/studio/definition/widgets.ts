/** A flow definition as validated (reference §5.2). */
export interface FlowDefinition {
  description?: string;
  initial_state: string;
  states: WidgetState[];
  flags?: Record<string, unknown>;
}

export interface WidgetState {
  name: string;
  type: string;
  properties: Record<string, unknown>;
  transitions: Transition[];
}

export interface Transition {
  event: string;
  next?: string;
  conditions?: Condition[];
}

export interface Condition {
  friendly_name?: string;
  arguments?: string[];
  type: string;
  value?: string;
}

export interface WidgetSpec {
  /** Transition events the widget may take. */
  events: readonly string[];
  /** Properties that must be present (non-empty). */
  required: readonly string[];
}

/** The widgets Parley runs. */
export const WIDGETS: Record<string, WidgetSpec> = {
  trigger: { events: ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'], required: [] },
  'send-message': { events: ['sent', 'failed'], required: ['body'] },
  'send-and-wait-for-reply': { events: ['incomingMessage', 'timeout', 'deliveryFailure'], required: ['body'] },
  'split-based-on': { events: ['noMatch', 'match'], required: ['input'] },
  'set-variables': { events: ['next'], required: ['variables'] },
  'make-http-request': { events: ['success', 'failed'], required: ['method', 'url'] },
  'run-function': { events: ['success', 'fail'], required: ['url'] },
  'send-to-flex': { events: ['callComplete', 'failedToEnqueue', 'callFailure'], required: ['workflow', 'channel'] },
};

/** Studio widgets Parley knows but does not run (voice, subflows, bots): refused at validation. */
export const UNSUPPORTED_WIDGETS = [
  'say-play',
  'gather-input-on-call',
  'connect-call-to',
  'record-voicemail',
  'enqueue-call',
  'make-outgoing-call',
  'capture-payments',
  'record-call',
  'fork-stream',
  'add-twiml-redirect',
  'connect-virtual-agent',
  'run-subflow',
  'send-to-autopilot',
  'send-to-auto-pilot',
  'start-conversation',
  'resume-conversation',
] as const;

export const HTTP_METHODS = ['GET', 'POST'] as const;
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=utf-8';
export const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';

/** The content type of a make-http-request, compared without spaces or case. */
export function contentKind(value: unknown): 'form' | 'json' | undefined {
  const v = typeof value === 'string' ? value.replace(/\s+/g, '').toLowerCase() : '';
  if (v === '' || v.startsWith('application/x-www-form-urlencoded')) return 'form';
  if (v.startsWith('application/json')) return 'json';
  return undefined;
}
