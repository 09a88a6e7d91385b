/**
 * The console talks to the same Twilio-compatible APIs as any SDK, same-origin,
 * with HTTP Basic (Account SID + Auth Token). The credentials live in
 * sessionStorage only: they leave with the tab, never touch localStorage or cookies.
 */
import { listAll, request, type FormParams } from '../shared/http';

export interface Credentials {
  accountSid: string;
  authToken: string;
}

const KEY = 'parley.console.credentials';

export function loadCredentials(): Credentials | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    const c = raw ? (JSON.parse(raw) as Partial<Credentials>) : undefined;
    return c?.accountSid && c.authToken ? { accountSid: c.accountSid, authToken: c.authToken } : undefined;
  } catch {
    return undefined;
  }
}

export function saveCredentials(c: Credentials): void {
  sessionStorage.setItem(KEY, JSON.stringify(c));
}

export function clearCredentials(): void {
  sessionStorage.removeItem(KEY);
}

export class ConsoleApi {
  private readonly headers: Record<string, string>;

  constructor(readonly credentials: Credentials) {
    this.headers = { Authorization: `Basic ${btoa(`${credentials.accountSid}:${credentials.authToken}`)}` };
  }

  get accountSid(): string {
    return this.credentials.accountSid;
  }

  get<T>(path: string, params?: FormParams): Promise<T> {
    return request<T>(path, { headers: this.headers, ...(params ? { params } : {}) });
  }

  post<T>(path: string, params: FormParams = {}): Promise<T> {
    return request<T>(path, { method: 'POST', headers: this.headers, params });
  }

  delete(path: string): Promise<void> {
    return request<void>(path, { method: 'DELETE', headers: this.headers });
  }

  /** Every item of a Twilio list (page by page, bounded). */
  list<T>(path: string, key: string, pageSize = 50): Promise<T[]> {
    return listAll<T>(`${path}${path.includes('?') ? '&' : '?'}PageSize=${pageSize}`, key, this.headers);
  }

  /** Proves the credentials by fetching the account itself. */
  verify(): Promise<{ sid: string; friendly_name: string; status: string }> {
    return this.get(`/api/2010-04-01/Accounts/${encodeURIComponent(this.accountSid)}.json`);
  }
}

/** Resource shapes the console reads (the fields it uses). */
export interface AddressConfiguration {
  sid: string;
  type: string;
  address: string;
  friendly_name: string | null;
  auto_creation: {
    enabled: boolean;
    type: string;
    conversation_service_sid: string | null;
    webhook_url?: string | null;
    webhook_method?: string | null;
    webhook_filters?: string[] | null;
    studio_flow_sid?: string | null;
    studio_retry_count?: number | null;
  };
  date_updated: string;
}

export interface Flow {
  sid: string;
  friendly_name: string;
  definition: unknown;
  status: string;
  revision: number;
  commit_message: string | null;
  valid: boolean;
  errors: Array<{ message: string; property_path?: string }>;
  warnings: Array<{ message: string; property_path?: string }>;
  date_updated: string;
}

export interface Workspace {
  sid: string;
  friendly_name: string;
}

export interface Activity {
  sid: string;
  friendly_name: string;
  available: boolean;
}

export interface TaskQueue {
  sid: string;
  friendly_name: string;
  target_workers: string;
  max_reserved_workers: number;
  task_order: string;
  reservation_activity_sid: string | null;
  assignment_activity_sid: string | null;
}

export interface Workflow {
  sid: string;
  friendly_name: string;
  configuration: string;
  assignment_callback_url: string | null;
  fallback_assignment_callback_url: string | null;
  task_reservation_timeout: number;
}

export interface Worker {
  sid: string;
  friendly_name: string;
  activity_sid: string;
  activity_name: string;
  available: boolean;
  attributes: string;
}

export interface WorkerChannel {
  sid: string;
  task_channel_unique_name: string;
  configured_capacity: number;
  available: boolean;
  assigned_tasks: number;
  available_capacity_percentage: number;
}

export interface Agent {
  sid: string;
  username: string;
  friendly_name: string | null;
  role: string;
  workspace_sid: string | null;
  worker_sid: string | null;
  date_created?: string;
}

export interface ChatService {
  sid: string;
  friendly_name: string;
}

export interface CarrierSettings {
  provider: string;
  source: string | null;
  carrier_account_sid: string | null;
  api_url: string | null;
  inbound_webhook_url: string;
  status_callback_url: string | null;
  date_updated: string | null;
}

export const tr = (ws: string, rest = '') => `/taskrouter/v1/Workspaces/${ws}${rest}`;
