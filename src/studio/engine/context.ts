import { createHash } from 'node:crypto';
import { renderLiquid } from './liquid.js';

/**
 * The flow context an execution carries and its widgets render against
 * (`{{flow.*}}`, `{{contact.*}}`, `{{trigger.*}}`, `{{widgets.*}}`). It is what
 * the Execution Context resource returns.
 */
export interface FlowContext {
  flow: {
    flow_sid: string;
    sid: string;
    channel: { address: string };
    data: Record<string, unknown>;
    variables: Record<string, unknown>;
  };
  contact: { channel: { address: string } };
  trigger: Record<string, Record<string, unknown>>;
  widgets: Record<string, Record<string, unknown>>;
}

export type TriggerEvent = 'incomingRequest' | 'incomingMessage' | 'incomingConversationMessage';

/** Where `trigger.<key>` lives for each trigger event. */
const TRIGGER_KEY: Record<TriggerEvent, string> = {
  incomingRequest: 'request',
  incomingMessage: 'message',
  incomingConversationMessage: 'conversation',
};

export interface ContextSeed {
  flowSid: string;
  executionSid: string;
  event: TriggerEvent;
  /** flow.channel.address: the number/address the flow speaks from. */
  channelAddress: string;
  /** contact.channel.address: who the flow talks to. */
  contactAddress: string;
  /** The trigger's variables (`trigger.request.*`, `trigger.message.*`, `trigger.conversation.*`). */
  trigger: Record<string, unknown>;
  /** REST Parameters (`flow.data.*`). */
  data?: Record<string, unknown>;
}

export function initialContext(seed: ContextSeed): FlowContext {
  return {
    flow: { flow_sid: seed.flowSid, sid: seed.executionSid, channel: { address: seed.channelAddress }, data: seed.data ?? {}, variables: {} },
    contact: { channel: { address: seed.contactAddress } },
    trigger: { [TRIGGER_KEY[seed.event]]: seed.trigger },
    widgets: {},
  };
}

/** Renders one widget property: strings through Liquid, anything else as its JSON (empty when absent). */
export function renderProperty(value: unknown, context: FlowContext): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return renderLiquid(value, context as unknown as Record<string, unknown>);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return renderLiquid(JSON.stringify(value), context as unknown as Record<string, unknown>);
}

/** Studio Contacts are per account and address: FC + a digest, so the same contact keeps its SID. */
export function contactSid(accountSid: string, address: string): string {
  return 'FC' + createHash('sha256').update(`${accountSid}:${address}`).digest('hex').slice(0, 32);
}

/** A set-variables value with its declared type (Studio's newer widget types its variables; default string). */
export function typedValue(rendered: string, type: unknown): unknown {
  switch (typeof type === 'string' ? type.toLowerCase() : 'string') {
    case 'number': {
      const n = Number(rendered.trim());
      return rendered.trim() !== '' && Number.isFinite(n) ? n : rendered;
    }
    case 'boolean':
      return ['true', '1', 'yes'].includes(rendered.trim().toLowerCase());
    case 'object':
    case 'array':
    case 'json':
      try {
        return JSON.parse(rendered) as unknown;
      } catch {
        return rendered;
      }
    default:
      return rendered;
  }
}
