import { describe, it, expect } from 'vitest';
import twilio from 'twilio';
import { twilioSignature } from '../../src/platform/signature.js';
import { createCipher } from '../../src/platform/crypto.js';
import { parseConfig, ConfigError } from '../../src/platform/config.js';
import { durationParam, dateParam } from '../../src/platform/http/params.js';
import { pageRequest, readPage, encodeToken, PageLimits } from '../../src/platform/paging.js';
import { newSid, isSid } from '../../src/platform/sid.js';
import { matchesTrigger } from '../../src/conversations/hooks.js';
import { randomBytes } from 'node:crypto';

describe('X-Twilio-Signature', () => {
  it('matches the official SDK for form params, repeated keys and unicode', () => {
    const token = '12345678901234567890123456789012';
    const url = 'https://example.com/hook?x=1&y=%20z';
    const params = { EventType: 'onMessageAdded', Body: 'héllo wörld 🎉', Filters: ['b', 'a', 'b'], Empty: '' };
    const ours = twilioSignature(token, url, params);
    expect(twilio.validateRequest(token, ours, url, params)).toBe(true);
    expect(ours).toBe(twilio.getExpectedTwilioSignature(token, url, params));
  });
});

describe('AES-256-GCM cipher', () => {
  it('round-trips text and bytes, and detects tampering', () => {
    const c = createCipher(randomBytes(32));
    const sealed = c.encrypt('secret body');
    expect(sealed).not.toContain('secret');
    expect(c.decrypt(sealed)).toBe('secret body');
    const bytes = c.encryptBytes(Buffer.from([1, 2, 3]));
    expect([...c.decryptBytes(bytes)]).toEqual([1, 2, 3]);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered!').toString('base64');
    expect(() => c.decrypt(parts.join('.'))).toThrow();
    expect(() => createCipher(randomBytes(16))).toThrow();
  });

  it('answers a value it sealed with recall (or opened) lately without opening it, and still refuses anything else', () => {
    const key = randomBytes(32);
    const c = createCipher(key);
    const kept = c.encrypt('{"skill":"billing"}', true);
    expect(c.decrypt(kept)).toBe('{"skill":"billing"}');
    // Another process with the key opens it the long way: the stored form is the same format.
    expect(createCipher(key).decrypt(kept)).toBe('{"skill":"billing"}');
    // A forgery of a recalled value is not it: opened, and refused.
    const parts = kept.split('.');
    parts[3] = Buffer.from('{"skill":"admin"}').toString('base64');
    expect(() => c.decrypt(parts.join('.'))).toThrow();
    // Bounded: thousands of values later the first is opened again, still right.
    for (let i = 0; i < 3000; i++) c.encrypt(String(i), true);
    expect(c.decrypt(kept)).toBe('{"skill":"billing"}');
  });
});

describe('configuration', () => {
  it('applies defaults and fails fast with a clear message', () => {
    const c = parseConfig({}, '/srv');
    expect(c).toMatchObject({ port: 3000, dataDir: '/srv/data', databaseUrl: undefined, publicUrl: undefined });
    expect(() => parseConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => parseConfig({ PUBLIC_URL: 'not a url' })).toThrow(/PUBLIC_URL/);
    expect(() => parseConfig({ PARLEY_ACCOUNT_SID: 'AC123' })).toThrow(/PARLEY_ACCOUNT_SID/);
    expect(() => parseConfig({ PARLEY_ACCOUNT_SID: 'AC' + 'a'.repeat(32) })).toThrow(/together/);
    expect(() => parseConfig({ PARLEY_MASTER_KEY: 'short' })).toThrow(/PARLEY_MASTER_KEY/);
    expect(parseConfig({ PUBLIC_URL: 'https://parley.example.com/' }).publicUrl).toBe('https://parley.example.com');
  });
});

describe('parameter parsing', () => {
  it('parses ISO 8601 durations and refuses malformed ones', () => {
    expect(durationParam('T', 'PT1M')).toBe(60_000);
    expect(durationParam('T', 'PT1H30M')).toBe(5_400_000);
    expect(durationParam('T', 'P1DT1S')).toBe(86_401_000);
    expect(durationParam('T', 'P1W')).toBe(604_800_000);
    for (const bad of ['P', 'PT', '1M', 'PT1X', 'P1H']) expect(() => durationParam('T', bad)).toThrow();
  });
  it('parses ISO dates', () => {
    expect(dateParam('D', '2025-01-02T03:04:05Z')).toBe(Date.UTC(2025, 0, 2, 3, 4, 5));
    expect(() => dateParam('D', 'yesterday')).toThrow();
  });
});

describe('keyset paging', () => {
  const rows = Array.from({ length: 10 }, (_, i) => ({ seq: i + 1 }));
  const fetch = async (w: { gt?: number; lt?: number; ascending: boolean; limit: number }) =>
    rows
      .filter((r) => (w.gt === undefined || r.seq > w.gt) && (w.lt === undefined || r.seq < w.lt))
      .sort((a, b) => (w.ascending ? a.seq - b.seq : b.seq - a.seq))
      .slice(0, w.limit);

  it('walks forward, backward and in descending order', async () => {
    const p1 = await readPage(pageRequest({ PageSize: 4 }, PageLimits.standard), fetch);
    expect(p1.rows.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(p1).toMatchObject({ hasNext: true, hasPrevious: false });
    const p2 = await readPage(pageRequest({ PageSize: 4, PageToken: encodeToken({ a: 4 }) }, PageLimits.standard), fetch);
    expect(p2.rows.map((r) => r.seq)).toEqual([5, 6, 7, 8]);
    const back = await readPage(pageRequest({ PageSize: 4, PageToken: encodeToken({ b: 5 }) }, PageLimits.standard), fetch);
    expect(back.rows.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    const desc = await readPage(pageRequest({ PageSize: 3 }, PageLimits.standard, true), fetch);
    expect(desc.rows.map((r) => r.seq)).toEqual([10, 9, 8]);
    const descNext = await readPage(pageRequest({ PageSize: 3, PageToken: encodeToken({ a: 8 }) }, PageLimits.standard, true), fetch);
    expect(descNext.rows.map((r) => r.seq)).toEqual([7, 6, 5]);
  });
  it('caps the page size at the resource maximum and refuses forged tokens', () => {
    expect(pageRequest({ PageSize: 500 }, PageLimits.conversations).pageSize).toBe(100);
    expect(pageRequest({}, PageLimits.scopedWebhooks).pageSize).toBe(5);
    expect(() => pageRequest({ PageToken: 'garbage' }, PageLimits.standard)).toThrow();
    expect(() => pageRequest({ PageToken: 'PT' + Buffer.from('{"a":"x"}').toString('base64url') }, PageLimits.standard)).toThrow();
  });
});

describe('SIDs and triggers', () => {
  it('makes SIDs of prefix + 32 lowercase hex', () => {
    const sid = newSid('CH');
    expect(sid).toMatch(/^CH[0-9a-f]{32}$/);
    expect(isSid(sid, 'CH')).toBe(true);
    expect(isSid(sid, 'IS')).toBe(false);
  });
  it('matches trigger keywords as words, case-insensitively', () => {
    expect(matchesTrigger(['help'], 'I need HELP now')).toBe(true);
    expect(matchesTrigger(['help'], 'helpful people')).toBe(false);
    expect(matchesTrigger(['talk to agent'], 'please talk to agent')).toBe(true);
    expect(matchesTrigger(['x'], undefined)).toBe(false);
  });
});
