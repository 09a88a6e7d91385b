import { Errors } from '../../platform/errors.js';
import { newSid, SidPrefix } from '../../platform/sid.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Executor } from '../../storage/db.js';
import type { ConversationsDeps } from '../deps.js';
import { servicesStore, type ServiceRow, type ConfigurationRow } from './store.js';
import { defaultRoles } from '../roles/defaults.js';

const DEFAULT_SERVICE_TTL_MS = 5000;

export class ServicesService {
  /**
   * accountSid → default service SID. Invalidated here on change; the TTL bounds how
   * long another node may keep using the previous default.
   */
  private defaults = new Map<string, { sid: string; expires: number }>();

  constructor(private readonly deps: ConversationsDeps) {}

  async get(accountSid: string, sid: string): Promise<ServiceRow> {
    const row = await servicesStore.get(this.deps.storage.db, accountSid, sid);
    if (!row) throw Errors.notFound(`/Services/${sid}`);
    return row;
  }

  list(accountSid: string, w: KeysetWindow): Promise<ServiceRow[]> {
    return servicesStore.list(this.deps.storage.db, accountSid, w);
  }

  async create(accountSid: string, friendlyName: string): Promise<ServiceRow> {
    const sid = await this.deps.storage.transaction((tx) => this.insertService(tx, accountSid, friendlyName));
    return this.get(accountSid, sid);
  }

  /** Creates a service with Twilio's four default roles wired into its configuration. */
  private async insertService(tx: Executor, accountSid: string, friendlyName: string): Promise<string> {
    const now = this.deps.clock.now();
    const sid = newSid(SidPrefix.Service);
    const roles = defaultRoles().map((r) => ({ ...r, sid: newSid(SidPrefix.Role) }));
    const roleSid = (name: string) => roles.find((r) => r.friendly_name === name)!.sid;
    await servicesStore.insert(tx, {
      sid,
      account_sid: accountSid,
      friendly_name: friendlyName,
      default_conversation_creator_role_sid: roleSid('channel admin'),
      default_conversation_role_sid: roleSid('channel user'),
      default_chat_service_role_sid: roleSid('service user'),
      reachability_enabled: 0,
      webhook_method: 'POST',
      webhook_filters: '[]',
      pre_webhook_url: null,
      post_webhook_url: null,
      notifications: '{}',
      date_created: now,
      date_updated: now,
    });
    await servicesStore.insertRoles(
      tx,
      roles.map((r) => ({ ...r, account_sid: accountSid, service_sid: sid, permissions: JSON.stringify(r.permissions), date_created: now, date_updated: now })),
    );
    return sid;
  }

  async delete(accountSid: string, sid: string): Promise<void> {
    const config = await this.configuration(accountSid);
    if (config.default_chat_service_sid === sid) {
      throw Errors.invalidParameter('The default Conversations service cannot be deleted; set another DefaultChatServiceSid first');
    }
    const n = await this.deps.storage.transaction((tx) => servicesStore.deleteCascade(tx, accountSid, sid));
    if (n === 0) throw Errors.notFound(`/Services/${sid}`);
  }

  /** Per-account provisioning: the default service and the account's Conversations configuration. Idempotent. */
  async ensureDefaults(accountSid: string): Promise<void> {
    const existing = await servicesStore.configuration(this.deps.storage.db, accountSid);
    if (existing) return;
    await this.deps.storage.transaction(async (tx) => {
      if (await servicesStore.configuration(tx, accountSid)) return;
      const serviceSid = await this.insertService(tx, accountSid, 'Default Conversations Service');
      await servicesStore.insertConfiguration(tx, {
        account_sid: accountSid,
        default_chat_service_sid: serviceSid,
        default_messaging_service_sid: null,
        default_inactive_timer: null,
        default_closed_timer: null,
        webhook_method: 'POST',
        webhook_filters: '[]',
        pre_webhook_url: null,
        post_webhook_url: null,
        webhook_target: 'webhook',
        date_updated: this.deps.clock.now(),
      });
    });
  }

  async configuration(accountSid: string): Promise<ConfigurationRow> {
    let row = await servicesStore.configuration(this.deps.storage.db, accountSid);
    if (!row) {
      await this.ensureDefaults(accountSid);
      row = await servicesStore.configuration(this.deps.storage.db, accountSid);
    }
    return row!;
  }

  async defaultServiceSid(accountSid: string): Promise<string> {
    const now = this.deps.clock.now();
    const cached = this.defaults.get(accountSid);
    if (cached && cached.expires > now) return cached.sid;
    const sid = (await this.configuration(accountSid)).default_chat_service_sid;
    this.defaults.set(accountSid, { sid, expires: now + DEFAULT_SERVICE_TTL_MS });
    return sid;
  }

  /** Forget cached defaults (after the account configuration changed). */
  invalidate(accountSid: string): void {
    this.defaults.delete(accountSid);
  }
}
