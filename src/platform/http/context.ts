import type { FastifyRequest } from 'fastify';

/** Who is calling: resolved by the auth hook of every product. */
export interface AuthContext {
  accountSid: string;
  /** The credential used: the account SID itself or an API key SID. */
  credentialSid: string;
  /** The parent account when this is a subaccount, else the account itself. */
  ownerAccountSid: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext;
    /** Absolute base URL of the product the request reached, e.g. http://host/conversations. */
    productBase: string;
  }
}

/** Products are mounted under the first label of their Twilio host. */
export const PRODUCT_LABELS = ['conversations', 'flex-api', 'taskrouter', 'studio', 'api', 'mcs', 'parley'] as const;
export type ProductLabel = (typeof PRODUCT_LABELS)[number];

export const VIA_HOST = Symbol('parley.viaHost');

export function requestOrigin(req: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  const proto = (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0]?.trim() || req.protocol;
  const host = (req.headers['x-forwarded-host'] as string | undefined)?.split(',')[0]?.trim() || req.headers.host || 'localhost';
  return `${proto}://${host}`;
}

/**
 * The absolute base of a product for url/links: when the request reached us by a
 * product host (conversations.example.com) the base is that host; otherwise it is
 * the origin plus the product's path prefix.
 */
export function productBaseFor(req: FastifyRequest, product: ProductLabel, publicUrl: string | undefined): string {
  const viaHost = (req.raw as unknown as Record<symbol, unknown>)[VIA_HOST] === true;
  if (viaHost) {
    const proto = req.protocol;
    return `${proto}://${req.headers.host}`;
  }
  return `${requestOrigin(req, publicUrl)}/${product}`;
}
