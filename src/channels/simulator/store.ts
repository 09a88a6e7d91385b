import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { SimulatorMessagesTable } from '../../storage/schema-channels.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type SimulatorMessageRow = Selectable<SimulatorMessagesTable>;

export interface SimulatorFilter {
  /** A simulated phone: messages it sent or received. */
  address?: string;
  direction?: string;
}

export const simulatorStore = {
  get(db: Executor, accountSid: string, sid: string): Promise<SimulatorMessageRow | undefined> {
    return db.selectFrom('simulator_messages').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, f: SimulatorFilter, w: KeysetWindow): Promise<SimulatorMessageRow[]> {
    let q = db.selectFrom('simulator_messages').selectAll().where('account_sid', '=', accountSid);
    if (f.address !== undefined) {
      const address = f.address;
      q = q.where((eb) => eb.or([eb('from_address', '=', address), eb('to_address', '=', address)]));
    }
    if (f.direction !== undefined) q = q.where('direction', '=', f.direction);
    return keyset(q, w).execute();
  },
  async insert(db: Executor, row: Insertable<SimulatorMessagesTable>): Promise<void> {
    await db.insertInto('simulator_messages').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<SimulatorMessagesTable>): Promise<void> {
    await db.updateTable('simulator_messages').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
};
