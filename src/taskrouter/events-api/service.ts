import { Errors } from '../../platform/errors.js';
import { isSid } from '../../platform/sid.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Executor } from '../../storage/db.js';
import type { TaskRouterDeps } from '../deps.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import { taskChannelsStore } from '../task-channels/store.js';
import { eventsStore, type EventFilter, type EventRow } from './store.js';

/** Without StartDate/EndDate the Events list covers the last 15 minutes (Twilio's `Minutes` default). */
export const DEFAULT_EVENT_MINUTES = 15;

export interface EventView {
  row: EventRow;
  /** The event's data as recorded, in the callback's PascalCase names. */
  data: Record<string, unknown>;
}

export interface EventListQuery {
  minutes?: number;
  startDate?: number;
  endDate?: number;
  eventType?: string;
  reservationSid?: string;
  taskQueueSid?: string;
  taskSid?: string;
  workerSid?: string;
  workflowSid?: string;
  taskChannel?: string;
  sid?: string;
}

/** The read-only Event resource: the tr_events rows recordEvent() wrote. */
export class EventsService {
  constructor(private readonly deps: Pick<TaskRouterDeps, 'storage' | 'cipher' | 'clock'>) {}

  async get(ws: WorkspaceRow, sid: string): Promise<EventView> {
    const row = await eventsStore.find(this.deps.storage.db, ws.account_sid, ws.sid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${ws.sid}/Events/${sid}`);
    return this.view(row);
  }

  /** Resolves the filters once; `page` is then called per keyset window (newest first). */
  async filter(ws: WorkspaceRow, q: EventListQuery): Promise<EventFilter | null> {
    if (q.minutes !== undefined && (!Number.isInteger(q.minutes) || q.minutes < 1)) throw Errors.invalidParameter('Minutes must be a positive integer');
    const now = this.deps.clock.now();
    const noDates = q.startDate === undefined && q.endDate === undefined;
    const minutes = q.minutes ?? (noDates ? DEFAULT_EVENT_MINUTES : undefined);
    const from = q.startDate ?? (minutes !== undefined ? now - minutes * 60_000 : undefined);
    if (from !== undefined && q.endDate !== undefined && from > q.endDate) throw Errors.invalidParameter('StartDate must not be after EndDate');
    let taskChannelSid: string | undefined;
    if (q.taskChannel !== undefined) {
      const sid = await resolveTaskChannel(this.deps.storage.db, ws, q.taskChannel);
      // An unknown unique name matches no event rather than failing the read.
      if (sid === undefined) return null;
      taskChannelSid = sid;
    }
    return {
      ...(from !== undefined ? { from } : {}),
      ...(q.endDate !== undefined ? { to: q.endDate } : {}),
      ...(q.eventType !== undefined ? { eventType: q.eventType } : {}),
      ...(q.reservationSid !== undefined ? { reservationSid: q.reservationSid } : {}),
      ...(q.taskQueueSid !== undefined ? { taskQueueSid: q.taskQueueSid } : {}),
      ...(q.taskSid !== undefined ? { taskSid: q.taskSid } : {}),
      ...(q.workerSid !== undefined ? { workerSid: q.workerSid } : {}),
      ...(q.workflowSid !== undefined ? { workflowSid: q.workflowSid } : {}),
      ...(taskChannelSid !== undefined ? { taskChannelSid } : {}),
      ...(q.sid !== undefined ? { sid: q.sid } : {}),
    };
  }

  async page(ws: WorkspaceRow, f: EventFilter | null, w: KeysetWindow): Promise<Array<EventView & { seq: number }>> {
    if (f === null) return [];
    const rows = await eventsStore.list(this.deps.storage.db, ws.account_sid, ws.sid, f, w);
    return rows.map((r) => ({ ...this.view(r), seq: r.seq }));
  }

  private view(row: EventRow): EventView {
    let data: Record<string, unknown> = {};
    try {
      data = JSON.parse(this.deps.cipher.decrypt(row.event_data)) as Record<string, unknown>;
    } catch {
      /* a row that cannot be read still lists, without its data */
    }
    return { row, data };
  }
}

/**
 * A TaskChannel given by TC SID or unique name. tr_events stores the SID; a SID is
 * used as given, so events of a since-deleted channel stay reachable.
 */
export async function resolveTaskChannel(db: Executor, ws: WorkspaceRow, ref: string): Promise<string | undefined> {
  if (isSid(ref, 'TC')) return ref;
  return (await taskChannelsStore.find(db, ws.account_sid, ws.sid, ref))?.sid;
}
