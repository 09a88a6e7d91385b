import { Errors } from '../../platform/errors.js';
import { newSid, SidPrefix, isSid } from '../../platform/sid.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Executor } from '../../storage/db.js';
import type { ConversationsDeps } from '../deps.js';
import { SCOPED_FILTERS } from '../hooks.js';
import type { ServicesService } from '../services/service.js';
import { servicesStore } from '../services/store.js';
import { eventFilters, sidParam, webhookMethod, webhookUrl } from '../webhooks/validate.js';
import { addressesStore, type AddressRow } from './store.js';
import { addressSpellings, addressType, validateAddress, type AddressType } from './address-types.js';

export const AUTO_CREATION_TYPES = ['webhook', 'studio', 'default'] as const;
export type AutoCreationType = (typeof AUTO_CREATION_TYPES)[number];
const FRIENDLY_NAME_MAX = 256;
const STUDIO_RETRY_MAX = 3;

/** What happens when a message reaches this address outside any open conversation (stored as JSON). */
export interface AutoCreation {
  enabled: boolean;
  type: AutoCreationType;
  /** null: the account's default service at the time a conversation is created. */
  conversation_service_sid: string | null;
  webhook_url: string | null;
  webhook_method: 'GET' | 'POST';
  webhook_filters: string[];
  studio_flow_sid: string | null;
  studio_retry_count: number | null;
}

export interface AddressConfiguration {
  row: AddressRow;
  autoCreation: AutoCreation;
  /** The service auto-created conversations go to (explicit, else the account default). */
  serviceSid: string;
}

export interface AutoCreationInput {
  enabled?: boolean;
  type?: AutoCreationType;
  conversationServiceSid?: string;
  webhookUrl?: string;
  webhookMethod?: string;
  webhookFilters?: string[];
  studioFlowSid?: string;
  studioRetryCount?: number;
}

export interface AddressInput {
  friendlyName?: string;
  autoCreation: AutoCreationInput;
}

export interface AddressCreateInput extends AddressInput {
  type: string;
  address: string;
  addressCountry?: string;
}

export class AddressesService {
  constructor(
    private readonly deps: ConversationsDeps,
    private readonly services: ServicesService,
  ) {}

  async get(accountSid: string, sidOrAddress: string): Promise<AddressConfiguration> {
    const row = await this.find(this.deps.storage.db, accountSid, sidOrAddress);
    if (!row) throw Errors.notFound(`/Configuration/Addresses/${sidOrAddress}`);
    return this.decode(row);
  }

  /**
   * The configuration for an inbound message's recipient address, used by channel
   * adapters to decide on auto-creation. WhatsApp matches with or without `whatsapp:`.
   */
  async findByAddress(accountSid: string, type: string, address: string): Promise<AddressConfiguration | undefined> {
    const t = type.toLowerCase() as AddressType;
    const row = await addressesStore.byAddress(this.deps.storage.db, accountSid, addressSpellings(address, t), t);
    return row ? this.decode(row) : undefined;
  }

  async list(accountSid: string, type: string | undefined, w: KeysetWindow): Promise<Array<AddressConfiguration & { seq: number }>> {
    const t = type !== undefined ? addressType(type) : undefined;
    const rows = await addressesStore.list(this.deps.storage.db, accountSid, t, w);
    const defaultService = await this.services.defaultServiceSid(accountSid);
    return rows.map((r) => ({ ...this.decodeWith(r, defaultService), seq: r.seq }));
  }

  async create(accountSid: string, input: AddressCreateInput): Promise<AddressConfiguration> {
    const type = addressType(input.type);
    const address = validateAddress(type, input.address);
    validateFriendlyName(input.friendlyName);
    const country = input.addressCountry;
    if (country !== undefined && !/^[A-Za-z]{2}$/.test(country)) throw Errors.invalidParameter(`AddressCountry must be an ISO 3166-1 alpha-2 code, got "${country}"`);
    const autoCreation = mergeAutoCreation(DEFAULT_AUTO_CREATION, input.autoCreation);
    const now = this.deps.clock.now();
    const sid = newSid(SidPrefix.AddressConfiguration);
    await this.deps.storage.transaction(async (tx) => {
      await checkService(tx, accountSid, autoCreation.conversation_service_sid);
      if (await addressesStore.byAddress(tx, accountSid, addressSpellings(address, type), type)) throw Errors.addressExists(address);
      await addressesStore.insert(tx, {
        sid,
        account_sid: accountSid,
        type,
        address,
        friendly_name: input.friendlyName ?? null,
        address_country: country?.toUpperCase() ?? null,
        auto_creation: JSON.stringify(autoCreation),
        date_created: now,
        date_updated: now,
      });
    });
    return this.get(accountSid, sid);
  }

  async update(accountSid: string, sidOrAddress: string, input: AddressInput): Promise<AddressConfiguration> {
    validateFriendlyName(input.friendlyName);
    const sid = await this.deps.storage.transaction(async (tx) => {
      const row = await this.find(tx, accountSid, sidOrAddress);
      if (!row) throw Errors.notFound(`/Configuration/Addresses/${sidOrAddress}`);
      const autoCreation = mergeAutoCreation(parseAutoCreation(row.auto_creation), input.autoCreation);
      await checkService(tx, accountSid, input.autoCreation.conversationServiceSid ?? null);
      await addressesStore.update(tx, accountSid, row.sid, {
        ...(input.friendlyName !== undefined ? { friendly_name: input.friendlyName } : {}),
        auto_creation: JSON.stringify(autoCreation),
        date_updated: this.deps.clock.now(),
      });
      return row.sid;
    });
    return this.get(accountSid, sid);
  }

  async delete(accountSid: string, sidOrAddress: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      const row = await this.find(tx, accountSid, sidOrAddress);
      if (!row) throw Errors.notFound(`/Configuration/Addresses/${sidOrAddress}`);
      await addressesStore.delete(tx, accountSid, row.sid);
    });
  }

  /** By IG SID or by the address itself; an exact spelling wins over an equivalent one. */
  private async find(db: Executor, accountSid: string, sidOrAddress: string): Promise<AddressRow | undefined> {
    if (isSid(sidOrAddress, SidPrefix.AddressConfiguration)) return addressesStore.bySid(db, accountSid, sidOrAddress);
    return (await addressesStore.byAddress(db, accountSid, [sidOrAddress])) ?? addressesStore.byAddress(db, accountSid, addressSpellings(sidOrAddress));
  }

  private async decode(row: AddressRow): Promise<AddressConfiguration> {
    return this.decodeWith(row, await this.services.defaultServiceSid(row.account_sid));
  }

  private decodeWith(row: AddressRow, defaultService: string): AddressConfiguration {
    const autoCreation = parseAutoCreation(row.auto_creation);
    return { row, autoCreation, serviceSid: autoCreation.conversation_service_sid ?? defaultService };
  }
}

const DEFAULT_AUTO_CREATION: AutoCreation = {
  enabled: false,
  type: 'default',
  conversation_service_sid: null,
  webhook_url: null,
  webhook_method: 'POST',
  webhook_filters: [],
  studio_flow_sid: null,
  studio_retry_count: null,
};

function parseAutoCreation(json: string): AutoCreation {
  return { ...DEFAULT_AUTO_CREATION, ...(JSON.parse(json) as Partial<AutoCreation>) };
}

/** Applies the given AutoCreation.* parameters and checks the result as a whole. */
function mergeAutoCreation(current: AutoCreation, input: AutoCreationInput): AutoCreation {
  sidParam('AutoCreation.ConversationServiceSid', 'IS', input.conversationServiceSid);
  sidParam('AutoCreation.StudioFlowSid', 'FW', input.studioFlowSid);
  const retry = input.studioRetryCount;
  if (retry !== undefined && (!Number.isInteger(retry) || retry < 0 || retry > STUDIO_RETRY_MAX)) {
    throw Errors.invalidParameter(`AutoCreation.StudioRetryCount must be an integer from 0 to ${STUDIO_RETRY_MAX}`);
  }
  const next: AutoCreation = {
    enabled: input.enabled ?? current.enabled,
    type: input.type ?? current.type,
    conversation_service_sid: input.conversationServiceSid ?? current.conversation_service_sid,
    webhook_url: webhookUrl('AutoCreation.WebhookUrl', input.webhookUrl) ?? current.webhook_url,
    webhook_method: webhookMethod('AutoCreation.WebhookMethod', input.webhookMethod) ?? current.webhook_method,
    webhook_filters: eventFilters('AutoCreation.WebhookFilters', input.webhookFilters, SCOPED_FILTERS) ?? current.webhook_filters,
    studio_flow_sid: input.studioFlowSid ?? current.studio_flow_sid,
    studio_retry_count: retry ?? current.studio_retry_count,
  };
  if (next.type === 'webhook' && !next.webhook_url) throw Errors.invalidParameter('AutoCreation.WebhookUrl is required when AutoCreation.Type is webhook');
  if (next.type === 'studio' && !next.studio_flow_sid) throw Errors.invalidParameter('AutoCreation.StudioFlowSid is required when AutoCreation.Type is studio');
  return next;
}

async function checkService(db: Executor, accountSid: string, serviceSid: string | null): Promise<void> {
  if (serviceSid !== null && !(await servicesStore.get(db, accountSid, serviceSid))) {
    throw Errors.invalidParameter(`AutoCreation.ConversationServiceSid ${serviceSid} is not a Conversations service of this account`);
  }
}

function validateFriendlyName(name: string | undefined): void {
  if (name !== undefined && name.length > FRIENDLY_NAME_MAX) throw Errors.invalidParameter(`FriendlyName must be at most ${FRIENDLY_NAME_MAX} characters`);
}
