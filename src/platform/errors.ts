/**
 * Domain errors carry a kind and a Twilio error code; the HTTP layer maps them
 * to Twilio's envelope `{code, message, more_info, status}`. Services throw
 * these, never HTTP exceptions. Every code emitted is listed in docs/errors.md.
 */
export type ErrorKind = 'invalid' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'too_large' | 'unsupported_media' | 'method_not_allowed' | 'precondition_failed' | 'rejected' | 'internal';

const statusByKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  too_large: 413,
  unsupported_media: 415,
  rejected: 400,
  internal: 500,
};

export class TwilioError extends Error {
  readonly status: number;
  constructor(
    readonly kind: ErrorKind,
    readonly code: number,
    message: string,
    status?: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = status ?? statusByKind[kind];
  }

  toJSON(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

/** The registry of coded factories. Add a code here and to docs/errors.md together. */
export const Errors = {
  invalidParameter: (message: string) => new TwilioError('invalid', 20001, message),
  missingParameter: (name: string) => new TwilioError('invalid', 20001, `Missing required parameter ${name} in the post body`),
  authenticationFailed: () => new TwilioError('unauthorized', 20003, 'Authenticate'),
  permissionDenied: (message = 'Permission denied') => new TwilioError('forbidden', 20003, message, 403),
  notFound: (path: string) => new TwilioError('not_found', 20404, `The requested resource ${path} was not found`),
  methodNotAllowed: (method: string, path: string) =>
    new TwilioError('method_not_allowed', 20004, `Method ${method} not allowed on ${path}`),
  unsupportedMediaType: (type: string) =>
    new TwilioError('unsupported_media', 20415, `Unsupported Content-Type: ${type}`),
  bodyTooLarge: (message = 'Request body is too large') => new TwilioError('too_large', 20413, message),
  preconditionFailed: () => new TwilioError('precondition_failed', 20412, 'Precondition failed: the ETag does not match'),
  /** TaskRouter: a name that must be unique is taken (Twilio's generic Conflict code). */
  taskRouterConflict: (message: string) => new TwilioError('conflict', 20409, message),
  internal: () => new TwilioError('internal', 20500, 'Internal Server Error'),
  // Studio (81xxx)
  flowValidationFailed: (errors: unknown[]) =>
    new TwilioError('invalid', 81022, 'Flow definition validation failed', 400, { errors }),
  executionActive: (contact: string) =>
    new TwilioError('conflict', 20409, `Execution is already active for contact ${contact} on this Flow`),
  // Agent accounts and sessions (/parley/v1/Agents, /agent-api)
  agentLoginFailed: () => new TwilioError('unauthorized', 20003, 'Invalid username or password'),
  agentSessionRequired: () => new TwilioError('unauthorized', 20003, 'Authenticate: no valid agent session (log in at POST /agent-api/v1/Session)'),
  agentLoginThrottled: (retryAfterSeconds: number) =>
    new TwilioError('rejected', 20429, `Too many failed logins for this username: try again in ${retryAfterSeconds} s`, 429, { retry_after: retryAfterSeconds }),
  agentUsernameExists: (username: string) => new TwilioError('conflict', 20409, `An agent with username ${username} already exists in this account`),
  // Access tokens (realtime gateway)
  accessTokenInvalid: (why: string) => new TwilioError('unauthorized', 20101, `Invalid Access Token: ${why}`),
  accessTokenIssuer: (why: string) => new TwilioError('unauthorized', 20103, `Invalid Access Token issuer/subject: ${why}`),
  accessTokenExpired: () => new TwilioError('unauthorized', 20104, 'Access Token expired or expiration date invalid'),
  accessTokenNotYetValid: () => new TwilioError('unauthorized', 20105, 'Access Token not yet valid'),
  accessTokenGrants: (why: string) => new TwilioError('forbidden', 20106, `Invalid Access Token grants: ${why}`, 403),
  accessTokenSignature: () => new TwilioError('unauthorized', 20107, 'Invalid Access Token signature'),
  // Flex Interactions (453xx, 80xxx)
  flexConversationClosed: (conversationSid: string) =>
    new TwilioError('invalid', 45354, `Cannot create a Channel for a closed Conversation: ${conversationSid} is closed`),
  flexParticipantInInteraction: (message: string) => new TwilioError('conflict', 80102, `Participant has already been added to Interaction: ${message}`),
  flexChannelNotOpen: (channelSid: string, status: string) =>
    new TwilioError('invalid', 80906, `Interaction Not Open: channel ${channelSid} is ${status}`),
  // Channels (Parley's own admin API)
  carrierAccountInUse: (carrierSid: string) =>
    new TwilioError('conflict', 20409, `Carrier account ${carrierSid} is already configured for another Parley account`),
  // Conversations (50xxx)
  conversationUniqueNameExists: (uniqueName: string) =>
    new TwilioError('conflict', 50353, `Conversation with provided unique name already exists: ${uniqueName}`),
  participantBindingExists: (conversationSid: string) =>
    new TwilioError('conflict', 50416, `A binding for this participant and proxy address already exists in Conversation ${conversationSid}`),
  participantExists: (identity: string) =>
    new TwilioError('conflict', 50433, `Participant already exists: ${identity}`),
  participantLimit: (message: string) => new TwilioError('conflict', 50417, message),
  userExists: (identity: string) => new TwilioError('conflict', 50201, `User with provided identity already exists: ${identity}`),
  roleExists: (name: string) => new TwilioError('conflict', 50352, `Role with provided friendly name already exists: ${name}`),
  addressExists: (address: string) =>
    new TwilioError('conflict', 50407, `An address configuration for ${address} already exists`),
  conversationClosed: (sid: string) =>
    new TwilioError('invalid', 50377, `Conversation ${sid} is closed; closed conversations accept no new messages or participants`),
  webhookRejected: (status: number) =>
    new TwilioError('rejected', 50399, `The pre-event webhook rejected the action (HTTP ${status})`, 422),
  mediaTooLarge: (limit: number, channel?: string) =>
    new TwilioError('too_large', 50512, `Media is larger than the limit of ${limit} bytes${channel ? ` for ${channel} participants` : ''}`),
  mediaTypeNotAllowed: (type: string, channel?: string, allowed?: string) =>
    new TwilioError('invalid', 50511, `Media content type ${type} is not allowed${channel ? ` for ${channel} participants` : ''}${allowed ? ` (allowed: ${allowed})` : ''}`),
} as const;
