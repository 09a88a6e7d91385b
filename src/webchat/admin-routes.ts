import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../platform/clock.js';
import { P, form } from '../platform/http/params.js';
import type { AddressSettings, WebChatSettings } from './settings.js';

const tags = ['Parley: web chat'];

function render(s: AddressSettings, base: string): Record<string, unknown> {
  return {
    account_sid: s.accountSid,
    address_sid: s.addressSid,
    address: s.address,
    allowed_origins: s.allowedOrigins,
    // The secret is write-only: the API says whether one is set, never what it is.
    user_token_secret_set: s.userTokenSecret !== null,
    date_created: s.dateCreated === null ? null : isoDate(s.dateCreated),
    date_updated: s.dateUpdated === null ? null : isoDate(s.dateUpdated),
    url: `${base}/v1/WebChat/Addresses/${s.addressSid}`,
  };
}

/**
 * /parley/v1/WebChat/Addresses/{IG}: the browser-facing settings of a chat
 * address (Basic auth). `{Sid}` is the IG SID or the address itself, as in
 * /Configuration/Addresses.
 */
export function registerWebChatAdminRoutes(app: FastifyInstance, settings: WebChatSettings): void {
  const params = Type.Object({ Sid: Type.String({ minLength: 1, maxLength: 256 }) });
  const sid = (req: FastifyRequest) => (req.params as { Sid: string }).Sid;

  app.get('/v1/WebChat/Addresses/:Sid', { schema: { tags, summary: "Fetch a chat address's web chat settings", params } }, async (req) =>
    render(await settings.get(req.auth.accountSid, sid(req)), req.productBase),
  );

  app.post(
    '/v1/WebChat/Addresses/:Sid',
    {
      schema: {
        tags,
        summary: "Update a chat address's web chat settings",
        params,
        body: form({
          AllowedOrigins: Type.Optional(P.list(Type.String({ maxLength: 300 }), 'Origins whose pages may start chats: self, *, https://shop.example.com, https://*.example.com; one empty value allows none')),
          UserTokenSecret: Type.Optional(P.str({ maxLength: 512, description: 'HS256 secret verifying signed user tokens (empty removes it)' })),
        }),
      },
    },
    async (req) => {
      const b = req.body as { AllowedOrigins?: string[]; UserTokenSecret?: string };
      const origins = b.AllowedOrigins?.filter((o) => o.trim() !== '');
      return render(
        await settings.update(req.auth.accountSid, sid(req), { ...(origins !== undefined ? { allowedOrigins: origins } : {}), ...(b.UserTokenSecret !== undefined ? { userTokenSecret: b.UserTokenSecret } : {}) }),
        req.productBase,
      );
    },
  );
}
