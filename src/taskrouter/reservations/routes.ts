import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage } from '../../platform/paging.js';
import { ifMatch, restActor, windowRows, type WorkspaceRouter, type WorkspaceScope } from '../workspaces/scope.js';
import { RESERVATION_STATUSES, type ReservationView, type ReservationsService } from './service.js';

export function renderReservation(v: ReservationView, scope: WorkspaceScope, via: 'task' | 'worker'): Record<string, unknown> {
  const r = v.row;
  const url = via === 'task' ? `${scope.base}/Tasks/${r.task_sid}/Reservations/${r.sid}` : `${scope.base}/Workers/${r.worker_sid}/Reservations/${r.sid}`;
  return {
    account_sid: r.account_sid,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    reservation_status: r.status,
    sid: r.sid,
    task_sid: r.task_sid,
    worker_name: v.workerName,
    worker_sid: r.worker_sid,
    workspace_sid: r.workspace_sid,
    url,
    links: { task: `${scope.base}/Tasks/${r.task_sid}`, worker: `${scope.base}/Workers/${r.worker_sid}`, workspace: scope.base },
  };
}

const updateBody = form({
  ReservationStatus: Type.Optional(P.enumOf(RESERVATION_STATUSES)),
  WorkerActivitySid: Type.Optional(P.sid('WA')),
  Instruction: Type.Optional(P.str()),
});
type UpdateBody = { ReservationStatus?: string; WorkerActivitySid?: string; Instruction?: string };

/** Reservations under /Tasks/{WT} and under /Workers/{WK}: the same resource, two views. */
export function registerReservationRoutes(ws: WorkspaceRouter, reservations: ReservationsService): void {
  for (const via of ['task', 'worker'] as const) {
    const parent = via === 'task' ? '/Tasks/:OwnerSid' : '/Workers/:OwnerSid';
    const ownerOf = (params: { OwnerSid: string }) => (via === 'task' ? { taskSid: params.OwnerSid } : { workerSid: params.OwnerSid });
    const ownerParams = Type.Object({ OwnerSid: P.sid(via === 'task' ? 'WT' : 'WK') });
    const itemParams = Type.Object({ OwnerSid: P.sid(via === 'task' ? 'WT' : 'WK'), Sid: P.sid('WR') });

    ws.route(
      'GET',
      `${parent}/Reservations`,
      { params: ownerParams, querystring: listQuery({ ReservationStatus: Type.Optional(P.enumOf(RESERVATION_STATUSES)), ...(via === 'task' ? { WorkerSid: Type.Optional(P.sid('WK')) } : {}) }), summary: `List a ${via}'s reservations` },
      async (req, scope) => {
        const q = req.query as { ReservationStatus?: string; WorkerSid?: string; PageSize?: number; Page?: number; PageToken?: string };
        const owner = ownerOf(req.params as { OwnerSid: string });
        const all = await reservations.list(scope.workspace, owner, { ...(q.ReservationStatus ? { status: q.ReservationStatus } : {}), ...(q.WorkerSid ? { workerSid: q.WorkerSid } : {}) });
        const page = pageRequest(q, PageLimits.standard);
        const result = await readPage(page, async (w) => windowRows(all, w));
        return listEnvelope({
          req,
          key: 'reservations',
          path: `/v1/Workspaces/${scope.workspaceSid}${via === 'task' ? '/Tasks' : '/Workers'}/${(req.params as { OwnerSid: string }).OwnerSid}/Reservations`,
          page,
          result,
          filters: { ReservationStatus: q.ReservationStatus, WorkerSid: q.WorkerSid },
          render: (v) => renderReservation(v, scope, via),
        });
      },
    );

    ws.route('GET', `${parent}/Reservations/:Sid`, { params: itemParams, summary: 'Fetch a reservation' }, async (req, scope, reply) => {
      const p = req.params as { OwnerSid: string; Sid: string };
      const v = await reservations.get(scope.workspace, ownerOf(p), p.Sid);
      reply.header('ETag', String(v.row.version));
      return renderReservation(v, scope, via);
    });

    ws.route('POST', `${parent}/Reservations/:Sid`, { params: itemParams, body: updateBody, summary: 'Accept, reject, wrap up or complete a reservation' }, async (req, scope, reply) => {
      const p = req.params as { OwnerSid: string; Sid: string };
      const b = (req.body ?? {}) as UpdateBody;
      const v = await reservations.update(
        restActor(req),
        scope.workspace,
        ownerOf(p),
        p.Sid,
        { ...(b.ReservationStatus !== undefined ? { reservationStatus: b.ReservationStatus } : {}), ...(b.WorkerActivitySid !== undefined ? { workerActivitySid: b.WorkerActivitySid } : {}), ...(b.Instruction !== undefined ? { instruction: b.Instruction } : {}) },
        ifMatch(req),
      );
      reply.header('ETag', String(v.row.version));
      return renderReservation(v, scope, via);
    });
  }
}
