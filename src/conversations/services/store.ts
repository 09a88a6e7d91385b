import type { Selectable, Insertable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { ConvServicesTable, ConvConfigurationTable, ConvRolesTable } from '../../storage/schema.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type ServiceRow = Selectable<ConvServicesTable>;
export type ConfigurationRow = Selectable<ConvConfigurationTable>;

export const servicesStore = {
  get(db: Executor, accountSid: string, sid: string): Promise<ServiceRow | undefined> {
    return db.selectFrom('conv_services').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, w: KeysetWindow): Promise<ServiceRow[]> {
    return keyset(db.selectFrom('conv_services').selectAll().where('account_sid', '=', accountSid), w).execute();
  },
  async insert(db: Executor, row: Insertable<ConvServicesTable>): Promise<void> {
    await db.insertInto('conv_services').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<ConvServicesTable>): Promise<void> {
    await db.updateTable('conv_services').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  /** Deletes a service and everything under it. */
  async deleteCascade(db: Executor, accountSid: string, sid: string): Promise<number> {
    for (const table of ['conv_messages', 'conv_receipts', 'conv_participants', 'conv_webhooks', 'conv_conversations', 'conv_users', 'conv_roles', 'conv_bindings', 'media'] as const) {
      await db.deleteFrom(table).where('account_sid', '=', accountSid).where('service_sid', '=', sid).execute();
    }
    const r = await db.deleteFrom('conv_services').where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
  configuration(db: Executor, accountSid: string): Promise<ConfigurationRow | undefined> {
    return db.selectFrom('conv_configuration').selectAll().where('account_sid', '=', accountSid).executeTakeFirst();
  },
  async insertConfiguration(db: Executor, row: Insertable<ConvConfigurationTable>): Promise<void> {
    await db.insertInto('conv_configuration').values(row).onConflict((oc) => oc.column('account_sid').doNothing()).execute();
  },
  async updateConfiguration(db: Executor, accountSid: string, patch: Updateable<ConvConfigurationTable>): Promise<void> {
    await db.updateTable('conv_configuration').set(patch).where('account_sid', '=', accountSid).execute();
  },
  async insertRoles(db: Executor, rows: Insertable<ConvRolesTable>[]): Promise<void> {
    await db.insertInto('conv_roles').values(rows).execute();
  },
};
