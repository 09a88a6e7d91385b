import { Errors } from '../platform/errors.js';
import { parseJsonParam } from '../platform/http/params.js';
import { isSid } from '../platform/sid.js';

/** Interaction Channel types (interaction_channel_enum_type). */
export const CHANNEL_TYPES = ['voice', 'sms', 'email', 'web', 'whatsapp', 'chat', 'messenger', 'gbm'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export const INITIATED_BY = ['customer', 'agent', 'api'] as const;
export type InitiatedBy = (typeof INITIATED_BY)[number];
export const PARTICIPANT_TYPES = ['supervisor', 'customer', 'external', 'agent', 'unknown'] as const;
export type ParticipantType = (typeof PARTICIPANT_TYPES)[number];

/** The `Channel` parameter of POST /Interactions. */
export interface ChannelInput {
  type: ChannelType;
  initiatedBy: InitiatedBy;
  /** An existing conversation (CH) to bind: the inbound case. */
  mediaChannelSid?: string;
  /** Outbound: whom to reach, from which proxy address. */
  participants: Array<{ address: string; proxyAddress?: string; name?: string }>;
}

/** `Routing.properties`: where the channel's task is created and how it is routed. */
export interface RoutingInput {
  workspaceSid?: string;
  workflowSid?: string;
  queueSid?: string;
  workerSid?: string;
  /** TC sid or unique name (task_channel_sid / task_channel_unique_name). */
  taskChannel?: string;
  attributes: Record<string, unknown>;
  priority?: number;
  timeout?: number;
}

type Json = Record<string, unknown>;

function object(name: string, value: unknown): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw Errors.invalidParameter(`${name} must be a JSON object`);
  return value as Json;
}

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw Errors.invalidParameter(`${name} must be a non-empty string`);
  return value;
}

function optionalSid(name: string, prefix: string, value: unknown): string | undefined {
  const s = optionalString(name, value);
  if (s !== undefined && !isSid(s, prefix)) throw Errors.invalidParameter(`${name} must be a ${prefix} SID, got "${s}"`);
  return s;
}

function optionalInt(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw Errors.invalidParameter(`${name} must be a non-negative integer`);
  return n;
}

function oneOf<T extends string>(name: string, values: readonly T[], value: unknown): T {
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) throw Errors.invalidParameter(`${name} must be one of ${values.join(', ')}`);
  return value as T;
}

export function parseChannel(json: string): ChannelInput {
  const c = object('Channel', parseJsonParam('Channel', json));
  if (c.type === undefined) throw Errors.invalidParameter('Channel.type is required');
  const type = oneOf('Channel.type', CHANNEL_TYPES, c.type);
  const initiatedBy = c.initiated_by === undefined ? 'customer' : oneOf('Channel.initiated_by', INITIATED_BY, c.initiated_by);
  const properties = c.properties === undefined ? {} : object('Channel.properties', c.properties);
  const mediaChannelSid = optionalSid('Channel.properties.media_channel_sid', 'CH', properties.media_channel_sid);
  const list = c.participants === undefined ? [] : c.participants;
  if (!Array.isArray(list)) throw Errors.invalidParameter('Channel.participants must be an array');
  const participants = list.map((p, i) => {
    const o = object(`Channel.participants[${i}]`, p);
    const address = optionalString(`Channel.participants[${i}].address`, o.address);
    if (address === undefined) throw Errors.invalidParameter(`Channel.participants[${i}].address is required`);
    const proxyAddress = optionalString(`Channel.participants[${i}].proxy_address`, o.proxy_address);
    const name = optionalString(`Channel.participants[${i}].name`, o.name);
    return { address, ...(proxyAddress !== undefined ? { proxyAddress } : {}), ...(name !== undefined ? { name } : {}) };
  });
  return { type, initiatedBy, ...(mediaChannelSid !== undefined ? { mediaChannelSid } : {}), participants };
}

/** `Routing` of POST /Interactions and /Invites: `{"properties": {...}}`. */
export function parseRouting(name: string, json: string): RoutingInput {
  const r = object(name, parseJsonParam(name, json));
  const p = object(`${name}.properties`, r.properties ?? {});
  return routingProperties(name, p);
}

export function routingProperties(name: string, p: Json): RoutingInput {
  const n = (k: string) => `${name}.properties.${k}`;
  let attributes: Json = {};
  if (typeof p.attributes === 'string') attributes = object(n('attributes'), parseJsonParam(n('attributes'), p.attributes));
  else if (p.attributes !== undefined && p.attributes !== null) attributes = object(n('attributes'), p.attributes);
  const taskChannel = optionalString(n('task_channel_sid'), p.task_channel_sid) ?? optionalString(n('task_channel_unique_name'), p.task_channel_unique_name);
  const out: RoutingInput = { attributes };
  const set = <K extends keyof RoutingInput>(k: K, v: RoutingInput[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('workspaceSid', optionalSid(n('workspace_sid'), 'WS', p.workspace_sid));
  set('workflowSid', optionalSid(n('workflow_sid'), 'WW', p.workflow_sid));
  set('queueSid', optionalSid(n('queue_sid'), 'WQ', p.queue_sid));
  set('workerSid', optionalSid(n('worker_sid'), 'WK', p.worker_sid));
  set('taskChannel', taskChannel);
  set('priority', optionalInt(n('priority'), p.priority));
  set('timeout', optionalInt(n('timeout'), p.timeout));
  return out;
}

/** Routing properties as stored on a channel, for routing it again later (no worker targeting). */
export function storedRouting(r: RoutingInput): RoutingInput {
  const { workerSid: _w, queueSid: _q, ...rest } = r;
  return rest;
}

/** `Routing` of a channel update: `{"status":"closed"}`. */
export function parseChannelRouting(json: string): 'closed' {
  const r = object('Routing', parseJsonParam('Routing', json));
  return oneOf('Routing.status', ['closed'] as const, r.status);
}

export function parseObject(name: string, json: string): Json {
  return object(name, parseJsonParam(name, json));
}

/** Who the customer is, as Flex writes it into task attributes. */
export interface Customer {
  address: string;
  name: string;
}

export interface FlexKeys {
  interactionSid: string;
  channelSid: string;
  inviteSid: string;
  conversationSid: string;
  channelType: ChannelType;
  initiatedBy: InitiatedBy;
  customer: Customer | undefined;
}

/**
 * The attributes Flex puts on every task of an interaction channel; the caller's
 * `Routing.properties.attributes` are copied on top "as is" (customers and
 * conversations merged key by key), and the sids always name this channel.
 */
export function flexAttributes(keys: FlexKeys, given: Json): Json {
  const c = keys.customer;
  const contact = c ? (keys.channelType === 'sms' || keys.channelType === 'whatsapp' || keys.channelType === 'voice' ? { phone: c.address } : keys.channelType === 'email' ? { email: c.address } : {}) : {};
  const base: Json = {
    channelType: keys.channelType,
    initiatedBy: keys.initiatedBy,
    direction: keys.initiatedBy === 'agent' ? 'outbound' : 'inbound',
    ...(c ? { customerAddress: c.address, customerName: c.name, customers: { ...contact, name: c.name } } : {}),
    conversations: { initiated_by: keys.initiatedBy, conversation_id: keys.interactionSid, media: [{ type: 'ChatTranscript', sid: keys.conversationSid }] },
  };
  const merged: Json = { ...base, ...given };
  for (const k of ['customers', 'conversations'] as const) {
    if (isPlainObject(base[k]) && isPlainObject(given[k])) merged[k] = { ...(base[k] as Json), ...(given[k] as Json) };
  }
  return {
    ...merged,
    conversationSid: keys.conversationSid,
    flexInteractionSid: keys.interactionSid,
    flexInteractionChannelSid: keys.channelSid,
    flexChannelInviteSid: keys.inviteSid,
  };
}

function isPlainObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A worker's chat identity: `contact_uri` without `client:`, else its friendly name. */
export function agentIdentity(workerAttributes: string, friendlyName: string): string {
  try {
    const a = JSON.parse(workerAttributes) as { contact_uri?: unknown };
    if (typeof a.contact_uri === 'string' && a.contact_uri.trim() !== '') return a.contact_uri.replace(/^client:/, '');
  } catch {
    /* attributes are validated JSON; fall back anyway */
  }
  return friendlyName;
}

/**
 * The name a customer sees for a worker: its `full_name` attribute (what Flex
 * shows agents by), else its friendly name; cut to what a Conversations User's
 * friendly name holds (256 characters).
 */
export function agentDisplayName(workerAttributes: string, friendlyName: string): string {
  let name = friendlyName;
  try {
    const a = JSON.parse(workerAttributes) as { full_name?: unknown };
    if (typeof a.full_name === 'string' && a.full_name.trim() !== '') name = a.full_name.trim();
  } catch {
    /* attributes are validated JSON; fall back anyway */
  }
  return name.slice(0, 256);
}
