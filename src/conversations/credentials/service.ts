import { Errors } from '../../platform/errors.js';
import { newSid, SidPrefix } from '../../platform/sid.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { ConversationsDeps } from '../deps.js';
import { credentialsStore, type CredentialRow } from './store.js';

export const CREDENTIAL_TYPES = ['apn', 'gcm', 'fcm'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

const FRIENDLY_NAME_MAX = 64;

/** Push secrets: stored encrypted as one JSON document, never rendered. */
export interface CredentialSecrets {
  certificate?: string;
  private_key?: string;
  api_key?: string;
  secret?: string;
}

export interface CredentialInput {
  type?: CredentialType;
  friendlyName?: string;
  certificate?: string;
  privateKey?: string;
  sandbox?: boolean;
  apiKey?: string;
  secret?: string;
}

export class CredentialsService {
  constructor(private readonly deps: ConversationsDeps) {}

  async get(accountSid: string, sid: string): Promise<CredentialRow> {
    const row = await credentialsStore.get(this.deps.storage.db, accountSid, sid);
    if (!row) throw Errors.notFound(`/Credentials/${sid}`);
    return row;
  }

  list(accountSid: string, w: KeysetWindow): Promise<CredentialRow[]> {
    return credentialsStore.list(this.deps.storage.db, accountSid, w);
  }

  /** The decrypted secrets, for the push sender only. */
  async secrets(accountSid: string, sid: string): Promise<CredentialSecrets> {
    const row = await this.get(accountSid, sid);
    return JSON.parse(this.deps.cipher.decrypt(row.secrets)) as CredentialSecrets;
  }

  async create(accountSid: string, input: CredentialInput & { type: CredentialType }): Promise<CredentialRow> {
    validate(input);
    const now = this.deps.clock.now();
    const sid = newSid(SidPrefix.Credential);
    await this.deps.storage.transaction((tx) =>
      credentialsStore.insert(tx, {
        sid,
        account_sid: accountSid,
        type: input.type,
        friendly_name: input.friendlyName ?? null,
        sandbox: input.sandbox ? 1 : 0,
        secrets: this.deps.cipher.encrypt(JSON.stringify(mergeSecrets({}, input))),
        date_created: now,
        date_updated: now,
      }),
    );
    return this.get(accountSid, sid);
  }

  /** Secrets not given keep their stored value. */
  async update(accountSid: string, sid: string, input: CredentialInput): Promise<CredentialRow> {
    validate(input);
    const current = await this.get(accountSid, sid);
    const secrets = mergeSecrets(JSON.parse(this.deps.cipher.decrypt(current.secrets)) as CredentialSecrets, input);
    await this.deps.storage.transaction((tx) =>
      credentialsStore.update(tx, accountSid, sid, {
        ...(input.type !== undefined ? { type: input.type } : {}),
        ...(input.friendlyName !== undefined ? { friendly_name: input.friendlyName } : {}),
        ...(input.sandbox !== undefined ? { sandbox: input.sandbox ? 1 : 0 } : {}),
        secrets: this.deps.cipher.encrypt(JSON.stringify(secrets)),
        date_updated: this.deps.clock.now(),
      }),
    );
    return this.get(accountSid, sid);
  }

  async delete(accountSid: string, sid: string): Promise<void> {
    await this.get(accountSid, sid);
    await this.deps.storage.transaction((tx) => credentialsStore.deleteCascade(tx, accountSid, sid));
  }
}

function mergeSecrets(prev: CredentialSecrets, input: CredentialInput): CredentialSecrets {
  return {
    ...prev,
    ...(input.certificate !== undefined ? { certificate: input.certificate } : {}),
    ...(input.privateKey !== undefined ? { private_key: input.privateKey } : {}),
    ...(input.apiKey !== undefined ? { api_key: input.apiKey } : {}),
    ...(input.secret !== undefined ? { secret: input.secret } : {}),
  };
}

function validate(input: CredentialInput): void {
  if (input.friendlyName !== undefined && input.friendlyName.length > FRIENDLY_NAME_MAX) {
    throw Errors.invalidParameter(`FriendlyName must be at most ${FRIENDLY_NAME_MAX} characters`);
  }
}
