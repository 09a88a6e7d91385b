import type { ProductDeps } from '../../events/product-deps.js';
import type { ConversationsPort, ConversationRef, StudioPorts } from '../ports.js';
import type { ExecutionRow } from '../executions/store.js';
import { contentKind, type WidgetState } from '../definition/widgets.js';
import { evaluateCondition, isConditionType } from './conditions.js';
import { renderProperty, typedValue, type FlowContext } from './context.js';

/** What the engine needs besides the product dependencies. */
export interface EngineDeps extends ProductDeps {
  ports: StudioPorts;
  conversations: ConversationsPort;
  /** make-http-request / run-function give up after this long. */
  httpTimeoutMs: number;
}

export interface WidgetRun {
  execution: ExecutionRow;
  state: WidgetState;
  /** Mutable: widgets write their variables into it. */
  context: FlowContext;
}

/** How a widget ends: a transition (by event, or to an explicit widget), or a wait for a reply. */
export type WidgetOutcome = { kind: 'transition'; event: string; next?: string | null; end?: boolean } | { kind: 'wait'; timeoutMs: number };

/** Send & Wait's default "stop gathering after" (seconds). */
const DEFAULT_WAIT_SECONDS = 3600;
const RESPONSE_BODY_MAX = 1024 * 1024;

type Runner = (run: WidgetRun, deps: EngineDeps) => Promise<WidgetOutcome>;

const prop = (run: WidgetRun, key: string) => renderProperty(run.state.properties[key], run.context);
const setOutput = (run: WidgetRun, value: Record<string, unknown>) => {
  run.context.widgets[run.state.name] = value;
};

function conversationOf(e: ExecutionRow): ConversationRef | undefined {
  return e.conversation_sid && e.conversation_service_sid ? { accountSid: e.account_sid, serviceSid: e.conversation_service_sid, conversationSid: e.conversation_sid } : undefined;
}

/** Sends the widget's body into the execution's conversation, or by SMS outside one. */
async function send(run: WidgetRun, deps: EngineDeps): Promise<boolean> {
  const body = prop(run, 'body');
  const conversation = conversationOf(run.execution);
  const from = conversation ? run.context.flow.channel.address : prop(run, 'from') || run.context.flow.channel.address;
  const to = conversation ? run.context.contact.channel.address : prop(run, 'to') || run.context.contact.channel.address;
  try {
    if (conversation) {
      const m = await deps.conversations.postMessage(conversation, body);
      setOutput(run, { outbound: { Sid: m.sid, Body: body, Author: m.author, ConversationSid: conversation.conversationSid, Index: m.index, From: from, To: to, Status: 'sent' } });
      return true;
    }
    const media = prop(run, 'media_url').trim();
    const r = await deps.ports.sendMessage({ accountSid: run.execution.account_sid, from, to, body, ...(media ? { mediaUrl: [media] } : {}) });
    setOutput(run, { outbound: { Sid: r.sid, Body: body, From: from, To: to, Status: r.status, ...(media ? { MediaUrl: media } : {}), ...(r.errorCode ? { ErrorCode: r.errorCode, ErrorMessage: r.errorMessage } : {}) } });
    return !['failed', 'undelivered', 'canceled'].includes(r.status);
  } catch (err) {
    setOutput(run, { outbound: { Body: body, From: from, To: to, Status: 'failed', ErrorMessage: message(err) } });
    return false;
  }
}

const trigger: Runner = async (run) => ({ kind: 'transition', event: run.execution.trigger });

const sendMessage: Runner = async (run, deps) => ({ kind: 'transition', event: (await send(run, deps)) ? 'sent' : 'failed' });

const sendAndWait: Runner = async (run, deps) => {
  if (!(await send(run, deps))) return { kind: 'transition', event: 'deliveryFailure' };
  const seconds = Number(prop(run, 'timeout').trim() || DEFAULT_WAIT_SECONDS);
  return { kind: 'wait', timeoutMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_WAIT_SECONDS) * 1000 };
};

/** The first match transition whose conditions all hold; otherwise noMatch. */
const splitBasedOn: Runner = async (run) => {
  const input = prop(run, 'input');
  setOutput(run, { input });
  for (const t of run.state.transitions) {
    if (t.event !== 'match' || !t.conditions?.length) continue;
    const all = t.conditions.every((c) => {
      if (!isConditionType(c.type)) return false;
      const subject = c.arguments?.[0] !== undefined ? renderProperty(c.arguments[0], run.context) : input;
      return evaluateCondition(c.type, subject, renderProperty(c.value ?? '', run.context));
    });
    if (all) return { kind: 'transition', event: 'match', next: t.next || null };
  }
  return { kind: 'transition', event: 'noMatch' };
};

const setVariables: Runner = async (run) => {
  const variables = Array.isArray(run.state.properties.variables) ? (run.state.properties.variables as Array<{ key: string; value?: string; type?: string }>) : [];
  for (const v of variables) run.context.flow.variables[v.key] = typedValue(renderProperty(v.value ?? '', run.context), v.type);
  return { kind: 'transition', event: 'next' };
};

function parameters(run: WidgetRun): Array<[string, string]> {
  const list = Array.isArray(run.state.properties.parameters) ? (run.state.properties.parameters as Array<{ key: string; value?: unknown }>) : [];
  return list.map((p) => [renderProperty(p.key, run.context), renderProperty(p.value ?? '', run.context)]);
}

/** One HTTP call; its result becomes widgets.<name>.{status_code, content_type, body, parsed}. */
async function http(run: WidgetRun, deps: EngineDeps, method: 'GET' | 'POST', kind: 'form' | 'json'): Promise<boolean> {
  const target = prop(run, 'url').trim();
  try {
    const url = new URL(target);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported URL ${target}`);
    const params = parameters(run);
    const init: RequestInit = { method, signal: AbortSignal.timeout(deps.httpTimeoutMs), headers: {} };
    if (method === 'GET') for (const [k, v] of params) url.searchParams.append(k, v);
    else if (kind === 'json') {
      init.body = prop(run, 'body');
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    } else {
      init.body = new URLSearchParams(params).toString();
      (init.headers as Record<string, string>)['Content-Type'] = 'application/x-www-form-urlencoded; charset=utf-8';
    }
    const res = await fetch(url, init);
    const body = (await res.text()).slice(0, RESPONSE_BODY_MAX);
    const contentType = res.headers.get('content-type') ?? '';
    const output: Record<string, unknown> = { status_code: res.status, content_type: contentType, body };
    if (/json/i.test(contentType) || /^\s*[[{]/.test(body)) {
      try {
        output.parsed = JSON.parse(body) as unknown;
      } catch {
        /* not JSON after all */
      }
    }
    setOutput(run, output);
    return res.status >= 200 && res.status < 300;
  } catch (err) {
    setOutput(run, { status_code: null, content_type: null, body: '', error: message(err) });
    return false;
  }
}

const makeHttpRequest: Runner = async (run, deps) => {
  const method = String(run.state.properties.method ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
  const ok = await http(run, deps, method, contentKind(run.state.properties.content_type) ?? 'form');
  return { kind: 'transition', event: ok ? 'success' : 'failed' };
};

/** run-function: Parley has no Functions runtime, so it POSTs the parameters to the function's url. */
const runFunction: Runner = async (run, deps) => ({ kind: 'transition', event: (await http(run, deps, 'POST', 'form')) ? 'success' : 'fail' });

function wholeNumber(value: string): number | undefined {
  const t = value.trim();
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

/**
 * Hands the contact to Flex. In a conversation Studio then lets go of it: its
 * studio webhook is removed and the execution ends (Flex owns the conversation).
 */
const sendToFlex: Runner = async (run, deps) => {
  const e = run.execution;
  try {
    const rendered = prop(run, 'attributes').trim();
    const attributes = rendered === '' ? {} : (JSON.parse(rendered) as unknown);
    if (!attributes || typeof attributes !== 'object' || Array.isArray(attributes)) throw new Error('attributes must be a JSON object');
    const priority = wholeNumber(prop(run, 'priority'));
    const timeout = wholeNumber(prop(run, 'timeout'));
    const result = await deps.ports.sendToFlex({
      accountSid: e.account_sid,
      ...(e.conversation_sid ? { conversationSid: e.conversation_sid } : {}),
      flowSid: e.flow_sid,
      executionSid: e.sid,
      workflowSid: prop(run, 'workflow').trim(),
      taskChannel: prop(run, 'channel').trim(),
      attributes: attributes as Record<string, unknown>,
      ...(priority !== undefined ? { priority } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
      // The contact and the address the flow speaks from: Flex opens an SMS conversation between them when there is none.
      ...(run.context.contact.channel.address ? { from: run.context.contact.channel.address } : {}),
      ...(run.context.flow.channel.address ? { to: run.context.flow.channel.address } : {}),
    });
    setOutput(run, { TaskSid: result.taskSid, InteractionSid: result.interactionSid });
  } catch (err) {
    setOutput(run, { error: message(err) });
    return { kind: 'transition', event: 'failedToEnqueue' };
  }
  const conversation = conversationOf(e);
  // The task exists: a conversation already gone (or its webhook) must not make the job retry and enqueue twice.
  if (conversation) await deps.conversations.detachStudio(conversation).catch(() => undefined);
  return { kind: 'transition', event: 'callComplete', end: true };
};

const RUNNERS: Record<string, Runner> = {
  trigger,
  'send-message': sendMessage,
  'send-and-wait-for-reply': sendAndWait,
  'split-based-on': splitBasedOn,
  'set-variables': setVariables,
  'make-http-request': makeHttpRequest,
  'run-function': runFunction,
  'send-to-flex': sendToFlex,
};

export function runWidget(run: WidgetRun, deps: EngineDeps): Promise<WidgetOutcome> {
  const runner = RUNNERS[run.state.type];
  if (!runner) throw new Error(`widget type ${run.state.type} cannot run`);
  return runner(run, deps);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
