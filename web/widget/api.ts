/** The widget's calls to Parley's browser API (/webchat/v1, docs/webchat.md). */

export interface GuestToken {
  accountSid: string;
  conversationSid: string;
  identity: string;
  token: string;
  expiresAt: string;
}

export interface StartedSession extends GuestToken {
  resumeSecret: string;
}

export interface MediaRef {
  sid: string;
  contentType: string;
  filename: string | null;
  size: number;
}

export interface ChatMessage {
  index: number;
  sid: string;
  author: string;
  body: string | null;
  media: MediaRef[];
  dateCreated: string;
}

export interface ChatParticipant {
  sid: string;
  identity: string | null;
  friendlyName: string | null;
  lastReadMessageIndex: number | null;
  self: boolean;
}

export interface Snapshot {
  conversationSid: string;
  identity: string;
  state: string;
  seq: number;
  messages: ChatMessage[];
  participants: ChatParticipant[];
}

export interface QueuePosition {
  status: 'none' | 'waiting' | 'assigned';
  position: number | null;
  queueSize: number | null;
  estimatedWaitSeconds: number | null;
  availableAgents: number | null;
}

/** A refusal from the server, with Twilio's code (20003 origin/secret, 20106 grants, 20404…). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

export class WebChatApi {
  constructor(private readonly base: string) {}

  private async call<T>(method: string, path: string, init: { json?: unknown; token?: string; body?: Blob; type?: string } = {}): Promise<T> {
    const headers: Record<string, string> = {};
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    if (init.json !== undefined) headers['Content-Type'] = 'application/json';
    if (init.type) headers['Content-Type'] = init.type;
    const res = await fetch(`${this.base}/webchat/v1${path}`, { method, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body ?? null });
    const text = await res.text();
    const data = text ? (JSON.parse(text) as T & { code?: number; message?: string }) : ({} as T & { code?: number; message?: string });
    if (!res.ok) throw new ApiError(res.status, data.code, data.message ?? `HTTP ${res.status}`);
    return data;
  }

  start(input: { address: string; accountSid?: string; friendlyName?: string; email?: string; question?: string; userToken?: string }): Promise<StartedSession> {
    return this.call('POST', '/Sessions', { json: input });
  }

  refresh(accountSid: string, conversationSid: string, resumeSecret: string): Promise<GuestToken> {
    return this.call('POST', `/Sessions/${conversationSid}/Token`, { json: { accountSid, resumeSecret } });
  }

  snapshot(conversationSid: string, token: string): Promise<Snapshot> {
    return this.call('GET', `/Sessions/${conversationSid}`, { token });
  }

  queue(conversationSid: string, token: string): Promise<QueuePosition> {
    return this.call('GET', `/Sessions/${conversationSid}/Queue`, { token });
  }

  upload(conversationSid: string, token: string, file: File): Promise<MediaRef> {
    return this.call('POST', `/Sessions/${conversationSid}/Media?filename=${encodeURIComponent(file.name)}`, { token, body: file, type: file.type || 'application/octet-stream' });
  }

  async media(conversationSid: string, token: string, mediaSid: string): Promise<Blob> {
    const res = await fetch(`${this.base}/webchat/v1/Sessions/${conversationSid}/Media/${mediaSid}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) throw new ApiError(res.status, undefined, `HTTP ${res.status}`);
    return res.blob();
  }
}
