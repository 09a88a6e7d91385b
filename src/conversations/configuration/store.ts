import type { Executor } from '../../storage/db.js';

export const configurationStore = {
  /** A role of one service (type decides where it may be used as a default). */
  role(db: Executor, accountSid: string, serviceSid: string, roleSid: string): Promise<{ sid: string; type: string } | undefined> {
    return db
      .selectFrom('conv_roles')
      .select(['sid', 'type'])
      .where('account_sid', '=', accountSid)
      .where('service_sid', '=', serviceSid)
      .where('sid', '=', roleSid)
      .executeTakeFirst();
  },
};
