/**
 * The agent desktop's calls to /agent-api/v1 (the session cookie, set by
 * login, authenticates every one; see src/agents/).
 */
import { ApiError, request, type FormParams } from '../shared/http';

export const API = '/agent-api/v1';

export interface WorkerSummary {
  sid: string;
  friendly_name: string;
  activity_sid: string;
  activity_name: string;
  available: boolean;
  attributes: Record<string, unknown>;
}

export interface Activity {
  sid: string;
  friendly_name: string;
  available: boolean;
}

export interface Agent {
  sid: string;
  account_sid: string;
  username: string;
  friendly_name: string;
  role: 'agent' | 'supervisor' | 'admin';
  workspace_sid: string;
  worker_sid: string | null;
}

export interface Session extends Agent {
  identity: string;
  worker: WorkerSummary | null;
  token: string;
  token_expires: string;
  session_expires: string;
}

export interface Task {
  sid: string;
  assignment_status: string;
  reservation_sid: string | null;
  reservation_status: string | null;
  task_channel: string | null;
  queue_name: string | null;
  age: number;
  channel_type: string | null;
  direction: string | null;
  customer_address: string | null;
  customer_name: string | null;
  conversation_sid: string | null;
  interaction_sid: string | null;
  disposition: string | null;
  transfer_target_type: string | null;
  attributes: Record<string, unknown>;
  date_created: string;
}

export interface Reservation {
  sid: string;
  status: string;
  task_sid: string;
  timeout_date: string | null;
  date_created: string;
  task: Task;
}

export interface MediaRef {
  sid: string;
  content_type: string;
  filename: string | null;
  size: number;
  url: string;
}

export interface Delivery {
  total: number;
  sent: 'all' | 'some' | 'none';
  delivered: 'all' | 'some' | 'none';
  read: 'all' | 'some' | 'none';
  failed: 'all' | 'some' | 'none';
  undelivered: 'all' | 'some' | 'none';
}

export interface Message {
  sid: string;
  index: number;
  author: string;
  participant_sid: string | null;
  body: string | null;
  media: MediaRef[];
  delivery: Delivery | null;
  date_created: string;
}

export interface Participant {
  sid: string;
  identity: string | null;
  address: string | null;
  proxy_address: string | null;
  channel: string;
  last_read_message_index: number | null;
}

export interface ConversationInfo {
  sid: string;
  friendly_name: string | null;
  state: string;
  attributes: Record<string, unknown>;
  last_message_index: number;
  date_created: string;
  date_updated: string;
}

export interface Transcript {
  conversation: ConversationInfo;
  participants: Participant[];
  messages: Message[];
  truncated: boolean;
}

/** A note on a conversation that only agents and supervisors see (src/supervision/). */
export interface Whisper {
  sid: string;
  conversation_sid: string;
  author: string;
  author_role: string;
  body: string;
  date_created: string;
}

export interface CustomerContext {
  task: Task;
  channel_type: string | null;
  customer: { address: string | null; name: string | null; details: Record<string, unknown> | null };
  conversation_sid: string | null;
  previous_conversations: Array<ConversationInfo & { dispositions: string[] }>;
}

export interface Directory {
  workers: Array<{ sid: string; friendly_name: string; activity_name: string; available: boolean }>;
  queues: Array<{ sid: string; friendly_name: string }>;
}

const post = <T>(path: string, params: FormParams = {}) => request<T>(`${API}${path}`, { method: 'POST', params });
const get = <T>(path: string) => request<T>(`${API}${path}`);

export const agentApi = {
  login: (username: string, password: string, accountSid?: string) => post<Agent>('/Session', { Username: username, Password: password, AccountSid: accountSid || undefined }),
  session: () => get<Session>('/Session'),
  logout: () => request<void>(`${API}/Session`, { method: 'DELETE' }),
  worker: () => get<{ worker: WorkerSummary; activities: Activity[] }>('/Worker'),
  setActivity: (activitySid: string) => post<{ worker: WorkerSummary; activities: Activity[] }>('/Worker', { ActivitySid: activitySid }),
  reservations: async () => (await get<{ reservations: Reservation[] }>('/Reservations')).reservations,
  answer: (sid: string, status: 'accepted' | 'rejected') => post<Reservation>(`/Reservations/${sid}`, { Status: status }),
  tasks: async () => (await get<{ tasks: Task[] }>('/Tasks')).tasks,
  context: (taskSid: string) => get<CustomerContext>(`/Tasks/${taskSid}/Context`),
  history: async (taskSid: string) => (await get<{ conversations: Transcript[] }>(`/Tasks/${taskSid}/History`)).conversations,
  wrapup: (taskSid: string, disposition?: string) => post<Task>(`/Tasks/${taskSid}/Wrapup`, { Disposition: disposition || undefined }),
  complete: (taskSid: string, disposition?: string) => post<Task>(`/Tasks/${taskSid}/Complete`, { Disposition: disposition || undefined }),
  transfer: (taskSid: string, to: string, type: 'cold' | 'warm') => post<{ sid: string }>(`/Tasks/${taskSid}/Transfer`, { To: to, Type: type }),
  invite: (taskSid: string, to: string) => post<{ sid: string }>(`/Tasks/${taskSid}/Invite`, { To: to }),
  directory: () => get<Directory>('/Directory'),
  outbound: (channel: string, to: string, from?: string, body?: string, subject?: string) =>
    post<{ conversation_sid: string | null; task: Task | null }>('/Outbound', { Channel: channel, To: to, From: from || undefined, Body: body || undefined, Subject: subject || undefined }),
  transcript: (conversationSid: string) => get<Transcript>(`/Conversations/${conversationSid}`),
  whispers: async (conversationSid: string) => (await get<{ whispers: Whisper[] }>(`/Conversations/${conversationSid}/Whispers`)).whispers,
  whisper: (conversationSid: string, body: string) => post<Whisper>(`/Conversations/${conversationSid}/Whispers`, { Body: body }),
  /** The file's bytes as the body, its type as Content-Type: checked against the conversation's channels. */
  async upload(conversationSid: string, file: File): Promise<MediaRef> {
    const res = await fetch(`${API}/Conversations/${conversationSid}/Media?Filename=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      body: file,
      headers: { 'Content-Type': file.type || 'application/octet-stream', Accept: 'application/json' },
      credentials: 'same-origin',
    });
    const json = (await res.json().catch(() => ({}))) as MediaRef & { code?: number; message?: string; more_info?: string };
    if (!res.ok) throw new ApiError(res.status, json.code, json.message ?? res.statusText, json.more_info);
    return json;
  },
};
