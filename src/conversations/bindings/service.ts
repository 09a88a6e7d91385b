import { Errors } from '../../platform/errors.js';
import { isSid, newSid, SidPrefix } from '../../platform/sid.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { ConversationsDeps } from '../deps.js';
import { credentialsStore } from '../credentials/store.js';
import { bindingsStore, type BindingFilter, type BindingRow } from './store.js';

export const BINDING_TYPES = ['apn', 'gcm', 'fcm', 'twilsock'] as const;
export type BindingType = (typeof BINDING_TYPES)[number];

export interface Binding {
  row: BindingRow;
  messageTypes: string[];
}

export interface BindingRegistration {
  credentialSid: string;
  endpoint: string;
  identity: string;
  bindingType: BindingType;
  messageTypes: string[];
}

/**
 * Push bindings. REST can only read and delete them; chat clients register them
 * over the realtime channel through `register`.
 */
export class BindingsService {
  constructor(private readonly deps: ConversationsDeps) {}

  decode(row: BindingRow): Binding {
    return { row, messageTypes: JSON.parse(row.message_types) as string[] };
  }

  async get(accountSid: string, serviceSid: string, sid: string): Promise<Binding> {
    const row = await bindingsStore.get(this.deps.storage.db, accountSid, serviceSid, sid);
    if (!row) throw Errors.notFound(`/Services/${serviceSid}/Bindings/${sid}`);
    return this.decode(row);
  }

  async list(accountSid: string, serviceSid: string, f: BindingFilter, w: KeysetWindow): Promise<Array<Binding & { seq: number }>> {
    const rows = await bindingsStore.list(this.deps.storage.db, accountSid, serviceSid, f, w);
    return rows.map((r) => ({ ...this.decode(r), seq: r.seq }));
  }

  async delete(accountSid: string, serviceSid: string, sid: string): Promise<void> {
    await this.get(accountSid, serviceSid, sid);
    await this.deps.storage.transaction((tx) => bindingsStore.delete(tx, accountSid, sid));
  }

  /** Registers a device endpoint for an identity; the same endpoint+identity is updated in place. */
  async register(accountSid: string, serviceSid: string, input: BindingRegistration): Promise<Binding> {
    if (!(BINDING_TYPES as readonly string[]).includes(input.bindingType)) throw Errors.invalidParameter(`BindingType must be one of ${BINDING_TYPES.join(', ')}`);
    if (input.endpoint.length === 0) throw Errors.missingParameter('Endpoint');
    if (input.identity.length === 0) throw Errors.missingParameter('Identity');
    if (!isSid(input.credentialSid, SidPrefix.Credential)) throw Errors.invalidParameter('CredentialSid must be a CR SID');
    const now = this.deps.clock.now();
    const messageTypes = JSON.stringify([...new Set(input.messageTypes)]);
    const sid = await this.deps.storage.transaction(async (tx) => {
      if (!(await credentialsStore.get(tx, accountSid, input.credentialSid))) throw Errors.invalidParameter(`Credential ${input.credentialSid} does not exist`);
      const existing = await bindingsStore.byEndpoint(tx, accountSid, serviceSid, input.endpoint, input.identity);
      if (existing) {
        await bindingsStore.update(tx, accountSid, existing.sid, { credential_sid: input.credentialSid, binding_type: input.bindingType, message_types: messageTypes, date_updated: now });
        return existing.sid;
      }
      const created = newSid(SidPrefix.Binding);
      await bindingsStore.insert(tx, {
        sid: created,
        account_sid: accountSid,
        service_sid: serviceSid,
        credential_sid: input.credentialSid,
        endpoint: input.endpoint,
        identity: input.identity,
        binding_type: input.bindingType,
        message_types: messageTypes,
        date_created: now,
        date_updated: now,
      });
      return created;
    });
    return this.get(accountSid, serviceSid, sid);
  }
}
