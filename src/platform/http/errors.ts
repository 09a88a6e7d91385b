import type { FastifyError, FastifyInstance } from 'fastify';
import { Errors, TwilioError } from '../errors.js';

/** Every failure leaves as Twilio's envelope {code, message, more_info, status}. */
export function installErrorHandling(app: FastifyInstance, otherMethodExists: (method: string, path: string) => boolean): void {
  app.setErrorHandler((error: FastifyError | TwilioError, req, reply) => {
    const twilio = toTwilioError(error);
    if (twilio.status >= 500) req.log.error({ err: error }, 'request failed');
    reply.code(twilio.status).type('application/json').send(twilio.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    const path = (req.url.split('?')[0] ?? '/').replace(/^\/(conversations|flex-api|taskrouter|studio|api|mcs)(?=\/)/, '');
    const err = otherMethodExists(req.method, req.url.split('?')[0] ?? '/') ? Errors.methodNotAllowed(req.method, path) : Errors.notFound(path);
    reply.code(err.status).type('application/json').send(err.toJSON());
  });
}

export function toTwilioError(error: unknown): TwilioError {
  if (error instanceof TwilioError) return error;
  const e = error as FastifyError & { validation?: Array<{ keyword: string; params: Record<string, unknown>; instancePath: string; message?: string }> };
  if (e.validation && e.validation.length > 0) {
    const v = e.validation[0]!;
    const field = v.instancePath.replace(/^\//, '').split('/')[0] ?? '';
    if (v.keyword === 'required') return Errors.missingParameter(String(v.params.missingProperty));
    if (v.keyword === 'additionalProperties') return Errors.invalidParameter(`Unknown parameter ${String(v.params.additionalProperty)}`);
    if (v.keyword === 'enum') return Errors.invalidParameter(`Invalid ${field}: must be one of ${(v.params.allowedValues as unknown[]).join(', ')}`);
    return Errors.invalidParameter(`Invalid ${field || 'parameter'}: ${v.message ?? 'invalid value'}`);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return Errors.unsupportedMediaType(String((e as { message: string }).message.split(': ')[1] ?? 'unknown'));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return Errors.bodyTooLarge();
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return Errors.invalidParameter('The request body is not valid JSON');
    default:
      if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
        return new TwilioError('invalid', 20001, e.message, e.statusCode);
      }
      return Errors.internal();
  }
}
