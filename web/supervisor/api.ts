/**
 * The supervisor view's server calls: the agent session (cookie set by the
 * server, HttpOnly — this page never sees it), the supervisor endpoints and
 * whispers. Same origin, so the cookie travels with every request.
 */
import { ApiError, request } from '../shared/http';
import type { OverviewResponse } from './model';

export interface SessionInfo {
  sid: string;
  username: string;
  friendly_name: string;
  role: 'agent' | 'supervisor' | 'admin';
  workspace_sid: string;
  identity: string;
  token: string;
  token_expires: string;
}

const BASE = '/agent-api/v1';

/** The current session, or undefined when nobody is logged in (401). */
export async function currentSession(): Promise<SessionInfo | undefined> {
  try {
    return await request<SessionInfo>(`${BASE}/Session`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return undefined;
    throw err;
  }
}

export async function logIn(username: string, password: string): Promise<SessionInfo> {
  await request(`${BASE}/Session`, { method: 'POST', params: { Username: username, Password: password } });
  const s = await currentSession();
  if (!s) throw new ApiError(401, 20003, 'The session did not start');
  return s;
}

export function logOut(): Promise<void> {
  return request(`${BASE}/Session`, { method: 'DELETE' });
}

export function overview(): Promise<OverviewResponse> {
  return request(`${BASE}/Supervisor/Overview`);
}

export interface MonitoredMessage {
  sid: string;
  index: number;
  author: string;
  participant_sid: string | null;
  body: string | null;
  media: Array<{ sid: string; content_type: string; filename: string | null; size: number }> | null;
  date_created: string;
}

export interface Whisper {
  sid: string;
  conversation_sid: string;
  author: string;
  author_role: string;
  body: string;
  date_created: string;
}

export interface MonitoredParticipant {
  sid: string;
  identity: string | null;
  channel: string;
  address: string | null;
}

export interface ConversationSnapshot {
  conversation: { sid: string; friendly_name: string | null; unique_name: string | null; state: string; date_created: string };
  participants: MonitoredParticipant[];
  messages: MonitoredMessage[];
  whispers: Whisper[];
}

export function monitor(conversationSid: string): Promise<ConversationSnapshot> {
  return request(`${BASE}/Supervisor/Conversations/${conversationSid}`);
}

export const mediaUrl = (conversationSid: string, mediaSid: string) => `${BASE}/Supervisor/Conversations/${conversationSid}/Media/${mediaSid}`;

export function sendWhisper(conversationSid: string, body: string): Promise<Whisper> {
  return request(`${BASE}/Conversations/${conversationSid}/Whispers`, { method: 'POST', params: { Body: body } });
}
