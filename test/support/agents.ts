import { request, type Server } from './harness.js';

export interface AgentResponse {
  status: number;
  body: any;
  headers: Headers;
}

/** A request to /agent-api with a session cookie (or none): what a browser on the desktop sends. */
export function agentHttp(server: Server, token: string | undefined, method: string, pathname: string, body?: Record<string, string | string[]> | string | Uint8Array, headers: Record<string, string> = {}): Promise<AgentResponse> {
  return request(server.origin, method, pathname, body, { ...(token ? { Cookie: `parley_session=${token}` } : {}), ...headers });
}

/** Logs in and returns the session token (the cookie's value) and the agent. */
export async function login(server: Server, username: string, password: string, accountSid?: string): Promise<{ token: string; agent: any }> {
  const res = await agentHttp(server, undefined, 'POST', '/agent-api/v1/Session', { Username: username, Password: password, ...(accountSid ? { AccountSid: accountSid } : {}) });
  if (res.status !== 201) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token = /parley_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!token) throw new Error('no session cookie');
  return { token, agent: res.body };
}

/** Creates an agent account (with its own worker unless a role without one is asked for) and logs it in. */
export async function agentSession(server: Server, username: string, opts: { role?: string; workerSid?: string; workspaceSid?: string; password?: string; createWorker?: boolean } = {}): Promise<{ token: string; agent: any }> {
  const password = opts.password ?? 'long enough';
  const res = await server.http('POST', '/parley/v1/Agents', {
    Username: username,
    Password: password,
    ...(opts.role ? { Role: opts.role } : {}),
    ...(opts.workspaceSid ? { WorkspaceSid: opts.workspaceSid } : {}),
    ...(opts.workerSid ? { WorkerSid: opts.workerSid } : (opts.createWorker ?? (!opts.role || opts.role === 'agent')) ? { CreateWorker: 'true' } : {}),
  });
  if (res.status !== 201) throw new Error(`agent ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return login(server, username, password);
}
