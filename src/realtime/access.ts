import type { Executor } from '../storage/db.js';
import { Errors } from '../platform/errors.js';
import { isPrivileged, TOKEN_ROLES, type AccessClaims } from './tokens.js';
import type { StreamRef } from './streams.js';
import { realtimeStore } from './store.js';

/**
 * Who may read a stream:
 * - conversation:<CH> — a participant with the token's identity, or a supervisor/admin;
 *   a guest token (grants.parley.conversation_sid) only its own conversation, as a participant;
 * - worker:<WK> — the token's worker_sid, or a supervisor/admin of that worker's workspace;
 * - workspace:<WS> — a supervisor/admin whose grant names that workspace (or none).
 * A chat grant's service_sid confines conversations to that service.
 * Unknown SIDs answer 20404 so a client cannot tell another account's resources exist.
 */
export async function authorizeRead(db: Executor, claims: AccessClaims, ref: StreamRef): Promise<void> {
  const { accountSid } = claims;
  if (ref.kind === 'conversation') {
    await conversationFor(db, claims, ref.sid);
    if (isPrivileged(claims)) return;
    if (!(await realtimeStore.participant(db, accountSid, ref.sid, claims.identity))) throw Errors.accessTokenGrants(`${claims.identity} is not a participant of ${ref.sid}`);
    return;
  }
  if (claims.conversationSid !== undefined) throw Errors.accessTokenGrants('a guest token reads its own conversation only');
  if (ref.kind === 'worker') {
    const worker = await realtimeStore.worker(db, accountSid, ref.sid);
    if (!worker) throw Errors.notFound(`/Workers/${ref.sid}`);
    if (claims.workspaceSid !== undefined && claims.workspaceSid !== worker.workspace_sid) throw Errors.accessTokenGrants(`${ref.sid} is not in workspace ${claims.workspaceSid}`);
    if (claims.workerSid === ref.sid || isPrivileged(claims)) return;
    throw Errors.accessTokenGrants(`the token's worker is not ${ref.sid}`);
  }
  if (!(await realtimeStore.workspace(db, accountSid, ref.sid))) throw Errors.notFound(`/Workspaces/${ref.sid}`);
  if (claims.workspaceSid !== undefined && claims.workspaceSid !== ref.sid) throw Errors.accessTokenGrants(`the token's workspace is not ${ref.sid}`);
  if (!isPrivileged(claims)) throw Errors.accessTokenGrants('workspace streams need role supervisor or admin');
}

/**
 * Who may write to a conversation (send messages, move the read horizon, type):
 * its participant with the token's identity, whatever the role — supervisors
 * watch without joining, but speak only once they joined.
 */
export async function authorizeWrite(db: Executor, claims: AccessClaims, conversationSid: string): Promise<{ serviceSid: string; participantSid: string }> {
  const conv = await conversationFor(db, claims, conversationSid);
  const participant = await realtimeStore.participant(db, claims.accountSid, conversationSid, claims.identity);
  if (!participant) throw Errors.accessTokenGrants(`${claims.identity} is not a participant of ${conversationSid}`);
  return { serviceSid: conv.service_sid, participantSid: participant.sid };
}

async function conversationFor(db: Executor, claims: AccessClaims, sid: string) {
  if (claims.conversationSid !== undefined && claims.conversationSid !== sid) throw Errors.accessTokenGrants(`this token is limited to conversation ${claims.conversationSid}`);
  const conv = await realtimeStore.conversation(db, claims.accountSid, sid);
  if (!conv || (claims.chatServiceSid !== undefined && conv.service_sid !== claims.chatServiceSid)) throw Errors.notFound(`/Conversations/${sid}`);
  return conv;
}

/**
 * Who sees a conversation's whispers (supervision.* events) on its stream: staff —
 * a token with a TaskRouter role or worker — never a guest and never a plain chat
 * user (a customer on an SDK). Whispers reach no one else by any path: they are
 * not Conversations messages.
 */
export function readsStaffNotes(claims: AccessClaims): boolean {
  return claims.conversationSid === undefined && (claims.workerSid !== undefined || (TOKEN_ROLES as readonly string[]).includes(claims.role ?? ''));
}
