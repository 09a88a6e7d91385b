import { flexActor, type InteractionsDeps, type Products } from './deps.js';
import { settings } from '../storage/settings.js';

export const FLEX_WORKSPACE = 'Flex Task Assignment';
export const FLEX_QUEUE = 'Everyone';
export const FLEX_WORKFLOW = 'Assign to Anyone';
export const WEBCHAT_ADDRESS = 'parley-webchat';
export const DEMO_AGENT = 'demo-agent';

/** What every account is born with, as a Flex account is (its SIDs kept in `settings`). */
export interface FlexDefaults {
  workspaceSid: string;
  queueSid: string;
  workflowSid: string;
  addressSid: string;
}

const FIRST = { ascending: true, limit: 1 } as const;
const settingKey = (accountSid: string) => `flex-defaults:${accountSid}`;

/**
 * Per-account Flex defaults: the "Flex Task Assignment" workspace (default
 * activities and task channels), queue "Everyone" (`1==1`), workflow "Assign
 * to Anyone", and a chat address configuration for the web chat. Idempotent:
 * it runs on every start and for every new account; each piece is looked up by
 * name before it is created, so an interrupted run completes on the next one.
 */
export class FlexProvisioning {
  constructor(
    private readonly deps: InteractionsDeps,
    private readonly products: Products,
  ) {}

  async defaults(accountSid: string): Promise<FlexDefaults | undefined> {
    const saved = await settings.get(this.deps.storage.db, settingKey(accountSid));
    return saved ? (JSON.parse(saved) as FlexDefaults) : undefined;
  }

  async provision(accountSid: string): Promise<FlexDefaults> {
    const saved = await this.defaults(accountSid);
    if (saved) return saved;
    const { workspaces, taskQueues, workflows } = this.products.taskrouter;
    const actor = flexActor(accountSid);
    const ws = (await workspaces.list(accountSid, { friendlyName: FLEX_WORKSPACE }, FIRST))[0]?.row ?? (await workspaces.create(actor, accountSid, { friendlyName: FLEX_WORKSPACE })).row;
    const queue = (await taskQueues.list(accountSid, ws.sid, { friendlyName: FLEX_QUEUE }, FIRST))[0]?.row ?? (await taskQueues.create(actor, ws, { friendlyName: FLEX_QUEUE, targetWorkers: '1==1' })).row;
    const workflow =
      (await workflows.list(accountSid, ws.sid, { friendlyName: FLEX_WORKFLOW }, FIRST))[0] ??
      (await workflows.create(actor, ws, {
        friendlyName: FLEX_WORKFLOW,
        configuration: JSON.stringify({ task_routing: { filters: [{ filter_friendly_name: 'Everyone', expression: '1==1', targets: [{ queue: queue.sid }] }], default_filter: { queue: queue.sid } } }),
      }));
    const { addresses } = this.products.conversations;
    const address =
      (await addresses.findByAddress(accountSid, 'chat', WEBCHAT_ADDRESS)) ??
      (await addresses.create(accountSid, { type: 'chat', address: WEBCHAT_ADDRESS, friendlyName: 'Parley web chat', autoCreation: { enabled: true, type: 'default' } }));
    const defaults: FlexDefaults = { workspaceSid: ws.sid, queueSid: queue.sid, workflowSid: workflow.sid, addressSid: address.row.sid };
    const value = JSON.stringify(defaults);
    await settings.put(this.deps.storage.db, settingKey(accountSid), value);
    return defaults;
  }

  /** `npm start`'s agent: a worker whose chat identity is `demo-agent`, in the Flex workspace. */
  async ensureDemoAgent(accountSid: string): Promise<string> {
    const { workspaceSid } = await this.provision(accountSid);
    const { workers, workspaces } = this.products.taskrouter;
    const existing = (await workers.list(accountSid, workspaceSid, { friendlyName: DEMO_AGENT }, FIRST))[0];
    if (existing) return existing.row.sid;
    const ws = await workspaces.get(accountSid, workspaceSid);
    const created = await workers.create(flexActor(accountSid), ws, { friendlyName: DEMO_AGENT, attributes: JSON.stringify({ contact_uri: `client:${DEMO_AGENT}`, full_name: 'Demo Agent', routing: { skills: [], levels: {} } }) });
    return created.row.sid;
  }
}
