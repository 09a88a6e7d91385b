import { liquidSyntaxError } from '../engine/liquid.js';
import { CONDITION_TYPES, VALUELESS_CONDITIONS, isConditionType } from '../engine/conditions.js';
import { HTTP_METHODS, UNSUPPORTED_WIDGETS, WIDGETS, contentKind, type FlowDefinition } from './widgets.js';

/** One problem in a definition: what is wrong and where (a JSON pointer into the definition). */
export interface DefinitionIssue {
  message: string;
  property_path: string;
}

export interface DefinitionReport {
  errors: DefinitionIssue[];
  warnings: DefinitionIssue[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');

/**
 * Checks a flow definition the way Studio does before it will run it: errors
 * make the flow invalid (unknown or unsupported widgets, transitions to missing
 * widgets, duplicate names, no Trigger, bad Liquid, missing required
 * properties); warnings do not (widgets nothing leads to).
 */
export function validateDefinition(definition: unknown): DefinitionReport {
  const errors: DefinitionIssue[] = [];
  const warnings: DefinitionIssue[] = [];
  const error = (property_path: string, message: string) => errors.push({ message, property_path });
  if (!isObj(definition)) {
    error('#', 'The flow definition must be a JSON object');
    return { errors, warnings };
  }
  if (definition.description !== undefined && typeof definition.description !== 'string') error('#/description', 'description must be a string');
  if (definition.flags !== undefined && !isObj(definition.flags)) error('#/flags', 'flags must be an object');
  const states = definition.states;
  if (!Array.isArray(states) || states.length === 0) {
    error('#/states', 'states must be a non-empty array of widgets');
    return { errors, warnings };
  }

  const names = new Map<string, number>();
  states.forEach((s, i) => {
    if (isObj(s) && typeof s.name === 'string' && s.name.trim() !== '') {
      if (names.has(s.name)) error(`#/states/${i}/name`, `Widget name "${s.name}" is used more than once`);
      else names.set(s.name, i);
    }
  });

  states.forEach((s, i) => validateState(s, i, names, error));

  const triggers = states.filter((s) => isObj(s) && s.type === 'trigger');
  if (triggers.length === 0) error('#/states', 'The flow has no Trigger widget');
  if (triggers.length > 1) error('#/states', 'The flow has more than one Trigger widget');
  const initial = definition.initial_state;
  if (typeof initial !== 'string' || initial === '') error('#/initial_state', 'initial_state is required');
  else if (!names.has(initial)) error('#/initial_state', `initial_state "${initial}" is not a widget of this flow`);
  else if ((states[names.get(initial)!] as Obj).type !== 'trigger') error('#/initial_state', `initial_state "${initial}" must be the Trigger widget`);

  if (typeof initial === 'string' && names.has(initial)) {
    const reached = new Set<string>([initial]);
    const queue = [initial];
    while (queue.length > 0) {
      const s = states[names.get(queue.shift()!)!] as Obj;
      for (const t of Array.isArray(s.transitions) ? s.transitions : []) {
        const next = isObj(t) ? t.next : undefined;
        if (typeof next === 'string' && names.has(next) && !reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
    for (const [name, i] of names) if (!reached.has(name)) warnings.push({ message: `Widget "${name}" is not reachable from the Trigger`, property_path: `#/states/${i}` });
  }
  return { errors, warnings };
}

/** The definition as the engine uses it; call only after validateDefinition found no errors. */
export function asDefinition(definition: unknown): FlowDefinition {
  return definition as FlowDefinition;
}

function validateState(s: unknown, i: number, names: Map<string, number>, error: (path: string, message: string) => void): void {
  const at = `#/states/${i}`;
  if (!isObj(s)) return error(at, 'A widget must be a JSON object');
  if (typeof s.name !== 'string' || s.name.trim() === '') error(`${at}/name`, 'A widget needs a name');
  const label = typeof s.name === 'string' ? `Widget "${s.name}"` : `Widget ${i}`;
  const type = s.type;
  if (typeof type !== 'string' || type === '') return error(`${at}/type`, `${label} needs a type`);
  const spec = WIDGETS[type];
  if (!spec) {
    if ((UNSUPPORTED_WIDGETS as readonly string[]).includes(type)) error(`${at}/type`, `${label}: widget type "${type}" is not supported by Parley`);
    else error(`${at}/type`, `${label}: unknown widget type "${type}"`);
    return;
  }
  const props = s.properties ?? {};
  if (!isObj(props)) return error(`${at}/properties`, `${label}: properties must be an object`);
  for (const p of spec.required) if (!nonEmpty(props[p])) error(`${at}/properties/${p}`, `${label}: property "${p}" is required`);
  checkLiquid(props, `${at}/properties`, label, error);
  checkProperties(type, props, `${at}/properties`, label, error);

  if (!Array.isArray(s.transitions)) return error(`${at}/transitions`, `${label}: transitions must be an array`);
  const seen = new Set<string>();
  s.transitions.forEach((t, j) => {
    const tat = `${at}/transitions/${j}`;
    if (!isObj(t)) return error(tat, `${label}: a transition must be a JSON object`);
    if (typeof t.event !== 'string' || t.event === '') return error(`${tat}/event`, `${label}: transition ${j} needs an event`);
    if (!spec.events.includes(t.event)) error(`${tat}/event`, `${label}: "${t.event}" is not an event of a ${type} widget (expected one of ${spec.events.join(', ')})`);
    if (t.event !== 'match') {
      if (seen.has(t.event)) error(`${tat}/event`, `${label}: more than one transition for event "${t.event}"`);
      seen.add(t.event);
    }
    if (t.next !== undefined && t.next !== null && typeof t.next !== 'string') error(`${tat}/next`, `${label}: transition "${t.event}" next must be a widget name`);
    else if (typeof t.next === 'string' && t.next !== '' && !names.has(t.next)) error(`${tat}/next`, `${label}: transition "${t.event}" leads to "${t.next}", which is not a widget of this flow`);
    if (t.event === 'match') checkConditions(t.conditions, tat, label, error);
  });
}

function checkConditions(conditions: unknown, at: string, label: string, error: (path: string, message: string) => void): void {
  if (!Array.isArray(conditions) || conditions.length === 0) return error(`${at}/conditions`, `${label}: a match transition needs conditions`);
  conditions.forEach((c, k) => {
    const cat = `${at}/conditions/${k}`;
    if (!isObj(c)) return error(cat, `${label}: a condition must be a JSON object`);
    if (!isConditionType(c.type)) return error(`${cat}/type`, `${label}: condition type must be one of ${CONDITION_TYPES.join(', ')}`);
    if (!VALUELESS_CONDITIONS.includes(c.type) && typeof c.value !== 'string') error(`${cat}/value`, `${label}: condition "${c.type}" needs a value`);
    if (c.arguments !== undefined && (!Array.isArray(c.arguments) || c.arguments.some((a) => typeof a !== 'string'))) error(`${cat}/arguments`, `${label}: condition arguments must be strings`);
    if (c.type === 'regex' && typeof c.value === 'string' && !c.value.includes('{{')) {
      try {
        new RegExp(c.value);
      } catch {
        error(`${cat}/value`, `${label}: "${c.value}" is not a valid regular expression`);
      }
    }
    checkLiquid({ arguments: c.arguments, value: c.value }, cat, label, error);
  });
}

function checkProperties(type: string, props: Obj, at: string, label: string, error: (path: string, message: string) => void): void {
  switch (type) {
    case 'send-and-wait-for-reply':
      if (props.timeout !== undefined && !/^\d+$/.test(String(props.timeout).trim())) error(`${at}/timeout`, `${label}: timeout must be a whole number of seconds`);
      break;
    case 'set-variables':
      if (props.variables !== undefined && !Array.isArray(props.variables)) error(`${at}/variables`, `${label}: variables must be an array`);
      else
        (props.variables as unknown[] | undefined)?.forEach((v, k) => {
          if (!isObj(v) || typeof v.key !== 'string' || v.key.trim() === '') error(`${at}/variables/${k}/key`, `${label}: each variable needs a key`);
          else if (v.value !== undefined && typeof v.value !== 'string') error(`${at}/variables/${k}/value`, `${label}: variable "${v.key}" value must be a string`);
        });
      break;
    case 'make-http-request':
    case 'run-function':
      if (type === 'make-http-request' && typeof props.method === 'string' && !(HTTP_METHODS as readonly string[]).includes(props.method.toUpperCase())) error(`${at}/method`, `${label}: method must be GET or POST`);
      if (props.content_type !== undefined && contentKind(props.content_type) === undefined) error(`${at}/content_type`, `${label}: content_type must be application/x-www-form-urlencoded or application/json`);
      if (props.parameters !== undefined && (!Array.isArray(props.parameters) || props.parameters.some((p) => !isObj(p) || typeof p.key !== 'string'))) error(`${at}/parameters`, `${label}: parameters must be a list of {key, value}`);
      if (typeof props.url === 'string' && !props.url.includes('{{') && !/^https?:\/\//i.test(props.url.trim())) error(`${at}/url`, `${label}: url must be an http or https URL`);
      break;
    case 'send-to-flex':
      if (props.attributes !== undefined && typeof props.attributes !== 'string') error(`${at}/attributes`, `${label}: attributes must be a JSON string`);
      for (const p of ['priority', 'timeout'] as const) {
        if (props[p] !== undefined && props[p] !== '' && !String(props[p]).includes('{{') && !/^\d+$/.test(String(props[p]).trim())) error(`${at}/${p}`, `${label}: ${p} must be a whole number`);
      }
      break;
  }
}

/** Every string under a property (offsets excepted) must be valid Liquid. */
function checkLiquid(value: unknown, at: string, label: string, error: (path: string, message: string) => void): void {
  if (typeof value === 'string') {
    const problem = liquidSyntaxError(value);
    if (problem) error(at, `${label}: invalid Liquid template: ${problem}`);
  } else if (Array.isArray(value)) value.forEach((v, k) => checkLiquid(v, `${at}/${k}`, label, error));
  else if (isObj(value)) for (const [k, v] of Object.entries(value)) if (k !== 'offset') checkLiquid(v, `${at}/${k}`, label, error);
}
