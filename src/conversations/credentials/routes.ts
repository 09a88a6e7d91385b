import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { pageRequest, readPage, PageLimits } from '../../platform/paging.js';
import { CREDENTIAL_TYPES, type CredentialInput, type CredentialType, type CredentialsService } from './service.js';
import type { CredentialRow } from './store.js';

/** Secrets are write-only: nothing of them is rendered. Twilio types `sandbox` as a string. */
export function renderCredential(r: CredentialRow, productBase: string): Record<string, unknown> {
  return {
    sid: r.sid,
    account_sid: r.account_sid,
    friendly_name: r.friendly_name,
    type: r.type,
    sandbox: r.sandbox ? 'true' : 'false',
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    url: `${productBase}/v1/Credentials/${r.sid}`,
  };
}

const credentialBody = {
  FriendlyName: Type.Optional(P.str()),
  Certificate: Type.Optional(P.str()),
  PrivateKey: Type.Optional(P.str()),
  Sandbox: Type.Optional(P.bool()),
  ApiKey: Type.Optional(P.str()),
  Secret: Type.Optional(P.str()),
};
type CredentialBody = { Type?: CredentialType; FriendlyName?: string; Certificate?: string; PrivateKey?: string; Sandbox?: boolean; ApiKey?: string; Secret?: string };

function credentialInput(b: CredentialBody): CredentialInput {
  return { type: b.Type, friendlyName: b.FriendlyName, certificate: b.Certificate, privateKey: b.PrivateKey, sandbox: b.Sandbox, apiKey: b.ApiKey, secret: b.Secret };
}

const sidParams = Type.Object({ Sid: P.str({ minLength: 1, description: 'Credential SID' }) });
const schema = (extra: Record<string, unknown>) => ({ schema: { tags: ['conversations'], ...extra } });

/** Push credentials are account-level only (no /v1/Services/{IS} mirror). */
export function registerCredentialRoutes(app: FastifyInstance, credentials: CredentialsService): void {
  app.post('/v1/Credentials', schema({ body: form({ Type: P.enumOf(CREDENTIAL_TYPES), ...credentialBody }), summary: 'Create a push credential' }), async (req, reply) => {
    const b = req.body as CredentialBody & { Type: CredentialType };
    const row = await credentials.create(req.auth.accountSid, { ...credentialInput(b), type: b.Type });
    reply.code(201);
    return renderCredential(row, req.productBase);
  });

  app.get('/v1/Credentials', schema({ querystring: listQuery({}), summary: 'List push credentials' }), async (req) => {
    const page = pageRequest(req.query as object, PageLimits.conversations);
    const result = await readPage(page, (w) => credentials.list(req.auth.accountSid, w));
    return listEnvelope({ req, key: 'credentials', path: '/v1/Credentials', page, result, render: (r) => renderCredential(r, req.productBase) });
  });

  app.get('/v1/Credentials/:Sid', schema({ params: sidParams, summary: 'Fetch a push credential' }), async (req) => {
    return renderCredential(await credentials.get(req.auth.accountSid, (req.params as { Sid: string }).Sid), req.productBase);
  });

  // The SDK may send Type on update too (the spec lists it); it is accepted.
  app.post('/v1/Credentials/:Sid', schema({ params: sidParams, body: form({ Type: Type.Optional(P.enumOf(CREDENTIAL_TYPES)), ...credentialBody }), summary: 'Update a push credential' }), async (req) => {
    const b = (req.body ?? {}) as CredentialBody;
    return renderCredential(await credentials.update(req.auth.accountSid, (req.params as { Sid: string }).Sid, credentialInput(b)), req.productBase);
  });

  app.delete('/v1/Credentials/:Sid', schema({ params: sidParams, summary: 'Delete a push credential' }), async (req, reply) => {
    await credentials.delete(req.auth.accountSid, (req.params as { Sid: string }).Sid);
    reply.code(204).send();
  });
}
