import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ProductModule } from '../platform/http/app.js';
import { P, form, listQuery } from '../platform/http/params.js';
import { listEnvelope } from '../platform/http/lists.js';
import { PageLimits, pageRequest, readPage, type PagingQuery } from '../platform/paging.js';
import { AGENT_ROLES, type AgentsService } from './service.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password.js';
import { renderAgent } from './render.js';

const tags = ['Parley: agents'];
const sidParams = Type.Object({ Sid: Type.String() });

/**
 * /parley/v1/Agents: agent accounts of the account (HTTP Basic, like every
 * product). Agents log in to the desktop with their username and password.
 */
export function agentsModule(agents: AgentsService): ProductModule {
  return {
    label: 'parley',
    register(app: FastifyInstance) {
      app.get('/v1/Agents', { schema: { tags, summary: 'List agent accounts', querystring: listQuery({ Role: Type.Optional(P.enumOf(AGENT_ROLES)), WorkspaceSid: Type.Optional(P.sid('WS')) }) } }, async (req) => {
        const q = req.query as PagingQuery & { Role?: string; WorkspaceSid?: string };
        const page = pageRequest(q, PageLimits.standard);
        const f = { ...(q.Role !== undefined ? { role: q.Role } : {}), ...(q.WorkspaceSid !== undefined ? { workspaceSid: q.WorkspaceSid } : {}) };
        const result = await readPage(page, (w) => agents.list(req.auth.accountSid, f, w));
        return listEnvelope({ req, key: 'agents', path: '/v1/Agents', page, result, filters: { Role: q.Role, WorkspaceSid: q.WorkspaceSid }, render: (a) => renderAgent(a, req.productBase) });
      });

      app.post(
        '/v1/Agents',
        {
          schema: {
            tags,
            summary: 'Create an agent account',
            body: form({
              Username: P.str({ minLength: 1, maxLength: 64, description: 'Login name, unique in the account (case-insensitive)' }),
              Password: P.str({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, description: `At least ${MIN_PASSWORD_LENGTH} characters` }),
              FriendlyName: Type.Optional(P.str({ maxLength: 256 })),
              Role: Type.Optional(P.enumOf(AGENT_ROLES, 'agent (default), supervisor or admin')),
              WorkspaceSid: Type.Optional(P.sid('WS', "Default: the account's Flex workspace")),
              WorkerSid: Type.Optional(P.sid('WK', 'The worker the agent acts as')),
              CreateWorker: Type.Optional(P.bool('Create a worker (contact_uri client:<Username>) for the agent')),
            }),
          },
        },
        async (req, reply) => {
          const b = req.body as { Username: string; Password: string; FriendlyName?: string; Role?: string; WorkspaceSid?: string; WorkerSid?: string; CreateWorker?: boolean };
          const row = await agents.create(req.auth.accountSid, {
            username: b.Username,
            password: b.Password,
            ...(b.FriendlyName !== undefined ? { friendlyName: b.FriendlyName } : {}),
            ...(b.Role !== undefined ? { role: b.Role } : {}),
            ...(b.WorkspaceSid !== undefined ? { workspaceSid: b.WorkspaceSid } : {}),
            ...(b.WorkerSid !== undefined ? { workerSid: b.WorkerSid } : {}),
            ...(b.CreateWorker !== undefined ? { createWorker: b.CreateWorker } : {}),
          });
          reply.code(201);
          return renderAgent(row, req.productBase);
        },
      );

      app.get('/v1/Agents/:Sid', { schema: { tags, summary: 'Fetch an agent account', params: sidParams } }, async (req) => {
        return renderAgent(await agents.get(req.auth.accountSid, (req.params as { Sid: string }).Sid), req.productBase);
      });

      app.post(
        '/v1/Agents/:Sid',
        {
          schema: {
            tags,
            summary: 'Update an agent account (a new Password ends its sessions)',
            params: sidParams,
            body: form({
              FriendlyName: Type.Optional(P.str({ maxLength: 256 })),
              Password: Type.Optional(P.str({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH })),
              Role: Type.Optional(P.enumOf(AGENT_ROLES)),
              WorkerSid: Type.Optional(P.str({ maxLength: 34, description: 'A WK SID, or empty to unbind (supervisor, admin)' })),
            }),
          },
        },
        async (req) => {
          const b = (req.body ?? {}) as { FriendlyName?: string; Password?: string; Role?: string; WorkerSid?: string };
          const row = await agents.update(req.auth.accountSid, (req.params as { Sid: string }).Sid, {
            ...(b.FriendlyName !== undefined ? { friendlyName: b.FriendlyName } : {}),
            ...(b.Password !== undefined ? { password: b.Password } : {}),
            ...(b.Role !== undefined ? { role: b.Role } : {}),
            ...(b.WorkerSid !== undefined ? { workerSid: b.WorkerSid } : {}),
          });
          return renderAgent(row, req.productBase);
        },
      );

      app.delete('/v1/Agents/:Sid', { schema: { tags, summary: 'Delete an agent account and its sessions (its worker stays)', params: sidParams } }, async (req, reply) => {
        await agents.delete(req.auth.accountSid, (req.params as { Sid: string }).Sid);
        reply.code(204).send();
      });
    },
  };
}
