import path from 'node:path';

/**
 * Everything Parley reads from the environment, parsed once at boot.
 * Nothing else in the codebase touches process.env.
 */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** postgres://… selects PostgreSQL; undefined means embedded SQLite in dataDir. */
  databaseUrl: string | undefined;
  /** Base for url/links/paging URLs; undefined derives it from the request's Host. */
  publicUrl: string | undefined;
  accountSid: string | undefined;
  authToken: string | undefined;
  /** 64 hex chars (32 bytes) for AES-256-GCM; undefined means generated into dataDir. */
  masterKey: string | undefined;
  redisUrl: string | undefined;
  logLevel: string;
  /** Seconds a pre-action webhook may take before Parley publishes unchanged (Twilio: 5 s). */
  preWebhookTimeoutMs: number;
  /** Polling interval of the outbox dispatcher and job runner. */
  workerPollMs: number;
  /**
   * The Twilio Programmable Messaging account the main account's SMS/WhatsApp
   * traffic goes through (accounts may set their own via /parley/v1/Channels);
   * undefined: the built-in simulated carrier.
   */
  twilioMessaging: { accountSid: string; authToken: string } | undefined;
  /** Base of the Messaging API (https://api.twilio.com, or a proxy / test double). */
  twilioApiUrl: string;
  /** PARLEY_SMTP_URL (smtp[s]://user:pass@host:port): the main account's outbound email relay unless it configured its own. */
  smtpUrl: string | undefined;
  /** How long realtime stream events stay replayable for reconnecting clients. */
  realtimeRetentionSeconds: number;
  /** The most events one resubscription replays; a client further behind is told to resync. */
  realtimeMaxCatchUp: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

export function parseConfig(env: Env, cwd = process.cwd()): Config {
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be a postgres:// URL (leave it unset for embedded SQLite), got "${databaseUrl}"`);
  }
  const publicUrl = optional(env, 'PUBLIC_URL');
  if (publicUrl !== undefined) {
    try {
      const u = new URL(publicUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, got "${publicUrl}"`);
    }
  }
  const accountSid = optional(env, 'PARLEY_ACCOUNT_SID');
  if (accountSid !== undefined && !/^AC[0-9a-f]{32}$/.test(accountSid)) {
    throw new ConfigError('PARLEY_ACCOUNT_SID must be "AC" followed by 32 lowercase hex digits');
  }
  const authToken = optional(env, 'PARLEY_AUTH_TOKEN');
  if (authToken !== undefined && authToken.length < 16) {
    throw new ConfigError('PARLEY_AUTH_TOKEN must be at least 16 characters');
  }
  if ((accountSid === undefined) !== (authToken === undefined)) {
    throw new ConfigError('PARLEY_ACCOUNT_SID and PARLEY_AUTH_TOKEN must be set together');
  }
  const masterKey = optional(env, 'PARLEY_MASTER_KEY');
  if (masterKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(masterKey)) {
    throw new ConfigError('PARLEY_MASTER_KEY must be 64 hex digits (32 bytes)');
  }
  const redisUrl = optional(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError(`REDIS_URL must be a redis:// URL, got "${redisUrl}"`);
  }
  const twilioSid = optional(env, 'PARLEY_TWILIO_ACCOUNT_SID');
  const twilioToken = optional(env, 'PARLEY_TWILIO_AUTH_TOKEN');
  if (twilioSid !== undefined && !/^AC[0-9a-fA-F]{32}$/.test(twilioSid)) throw new ConfigError('PARLEY_TWILIO_ACCOUNT_SID must be "AC" followed by 32 hex digits');
  if ((twilioSid === undefined) !== (twilioToken === undefined)) throw new ConfigError('PARLEY_TWILIO_ACCOUNT_SID and PARLEY_TWILIO_AUTH_TOKEN must be set together');
  const twilioApiUrl = optional(env, 'PARLEY_TWILIO_API_URL') ?? 'https://api.twilio.com';
  if (!/^https?:\/\/[^/]+/.test(twilioApiUrl)) throw new ConfigError(`PARLEY_TWILIO_API_URL must be an absolute http(s) URL, got "${twilioApiUrl}"`);
  const smtpUrl = optional(env, 'PARLEY_SMTP_URL');
  if (smtpUrl !== undefined && !isSmtpUrl(smtpUrl)) throw new ConfigError('PARLEY_SMTP_URL must be an smtp:// or smtps:// URL with a host (smtp://user:pass@host:587)');
  return {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: optional(env, 'HOST') ?? '0.0.0.0',
    dataDir: path.resolve(cwd, optional(env, 'DATA_DIR') ?? 'data'),
    databaseUrl,
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    accountSid,
    authToken,
    masterKey,
    redisUrl,
    logLevel: optional(env, 'LOG_LEVEL') ?? 'info',
    preWebhookTimeoutMs: int(env, 'PARLEY_PRE_WEBHOOK_TIMEOUT_MS', 5000, 100, 15000),
    workerPollMs: int(env, 'PARLEY_WORKER_POLL_MS', 250, 10, 60000),
    twilioMessaging: twilioSid !== undefined && twilioToken !== undefined ? { accountSid: twilioSid, authToken: twilioToken } : undefined,
    twilioApiUrl: twilioApiUrl.replace(/\/+$/, ''),
    smtpUrl,
    realtimeRetentionSeconds: int(env, 'PARLEY_REALTIME_RETENTION_SECONDS', 86400, 60, 30 * 86400),
    realtimeMaxCatchUp: int(env, 'PARLEY_REALTIME_MAX_CATCHUP', 10000, 10, 1_000_000),
  };
}

/** An SMTP relay URL: smtp:// (STARTTLS when offered) or smtps:// (TLS), with a host. */
export function isSmtpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
  } catch {
    return false;
  }
}
