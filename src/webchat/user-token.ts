import { decodeProtectedHeader, jwtVerify } from 'jose';
import { Errors, TwilioError } from '../platform/errors.js';

/** A logged-in customer, as the site that embeds the widget vouches for them. */
export interface VerifiedUser {
  sub: string;
  name?: string;
  email?: string;
}

const CLOCK_SKEW_SECONDS = 30;
const SUB_MAX = 200;

/**
 * Verifies a user token: an HS256 JWT the embedding site signs with the
 * address's secret, carrying `sub` (the site's user id), optional `name` and
 * `email`, and an `exp` (required: a token without one would be a permanent
 * credential lying in a page). Refusals use the access token codes
 * (20101 malformed, 20104 expired, 20107 signature).
 */
export async function verifyUserToken(token: string, secret: string | null, now: number): Promise<VerifiedUser> {
  if (secret === null) throw Errors.invalidParameter('UserToken is not accepted: this address has no user token secret');
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw Errors.accessTokenInvalid('the user token is not a JWT');
  }
  if (alg !== 'HS256') throw Errors.accessTokenInvalid('the user token must be signed with HS256');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'], currentDate: new Date(now), clockTolerance: CLOCK_SKEW_SECONDS, requiredClaims: ['exp', 'sub'] }));
  } catch (err) {
    throw refusal(err);
  }
  const { sub, name, email } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > SUB_MAX) throw Errors.accessTokenInvalid(`the user token's sub must be 1 to ${SUB_MAX} characters`);
  return { sub, ...(typeof name === 'string' && name !== '' ? { name: name.slice(0, 256) } : {}), ...(typeof email === 'string' && email !== '' ? { email: email.slice(0, 320) } : {}) };
}

function refusal(err: unknown): TwilioError {
  const code = (err as { code?: string }).code;
  if (code === 'ERR_JWT_EXPIRED') return Errors.accessTokenExpired();
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return Errors.accessTokenSignature();
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (err as { claim?: string }).claim === 'nbf') return Errors.accessTokenNotYetValid();
  return Errors.accessTokenInvalid(err instanceof Error ? err.message : 'unreadable user token');
}
