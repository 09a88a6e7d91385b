import type { Engine, Executor } from '../../storage/db.js';
import { rawQuery } from '../../storage/bulk.js';

// Every offer batch, accept and completion takes one: written by hand (see storage/bulk.ts).
const STAMP = 'update "tr_workspaces" set "rseq" = "rseq" + 1 where "sid" = ? returning "rseq"';

/**
 * The workspace routing counter. Every write that changes what routing sees of
 * workers or reservations stamps the changed rows with the counter's next value;
 * the counter row's lock orders concurrent writers, so a cache that has seen
 * value N has seen every change stamped N or lower (routing/snapshot.ts).
 */
export async function nextStamp(db: Executor, engine: Engine, workspaceSid: string): Promise<number> {
  const [row] = await rawQuery<{ rseq: number | string }>(db, engine, STAMP, [workspaceSid]);
  if (!row) throw new Error(`Workspace ${workspaceSid} has no routing counter`);
  return Number(row.rseq);
}

/** Rows went away (a worker, a worker channel, a task's reservations): routing caches reload in full. */
export async function bumpRoutingEpoch(db: Executor, workspaceSid: string): Promise<void> {
  await db.updateTable('tr_workspaces').set((eb) => ({ routing_epoch: eb('routing_epoch', '+', 1) })).where('sid', '=', workspaceSid).execute();
}

/** A TaskQueue or Workflow changed: routing caches re-read queues and workflows. */
export async function bumpConfigEpoch(db: Executor, workspaceSid: string): Promise<void> {
  await db.updateTable('tr_workspaces').set((eb) => ({ config_epoch: eb('config_epoch', '+', 1) })).where('sid', '=', workspaceSid).execute();
}
