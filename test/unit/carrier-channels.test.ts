import { describe, it, expect } from 'vitest';
import twilio from 'twilio';
import { planOutbound, type MediaItem } from '../../src/channels/messaging/limits.js';
import { MediaLinks } from '../../src/channels/messaging/media-links.js';
import { advances } from '../../src/conversations/messages/receipts.js';
import { eventSource } from '../../src/conversations/addresses/inbound.js';
import { validTwilioSignature } from '../../src/platform/signature.js';
import { parseConfig, ConfigError } from '../../src/platform/config.js';

const MB = 1024 * 1024;
const file = (content_type: string, size: number): MediaItem => ({ sid: 'ME' + '0'.repeat(32), content_type, size, filename: null });

describe('planOutbound (per-recipient channel limits)', () => {
  it('keeps MMS within 10 files and 5 MB of carrier types', () => {
    expect(planOutbound('sms', 'hi', [])).toEqual({ ok: true, body: 'hi', media: [] });
    const ten = Array.from({ length: 10 }, () => file('image/jpeg', 100));
    expect(planOutbound('sms', 'pics', ten)).toMatchObject({ ok: true, body: 'pics' });
    expect(planOutbound('sms', 'pics', [...ten, file('image/png', 1)])).toMatchObject({ ok: false, errorCode: 21623 });
    expect(planOutbound('sms', null, [file('image/png', 3 * MB), file('image/png', 2 * MB)])).toMatchObject({ ok: true });
    expect(planOutbound('sms', null, [file('image/png', 3 * MB), file('image/png', 2 * MB + 1)])).toMatchObject({ ok: false, errorCode: 11751 });
    expect(planOutbound('sms', null, [file('text/vcard', 10)])).toMatchObject({ ok: false, errorCode: 12300 });
    expect(planOutbound('sms', null, [file('IMAGE/PNG; charset=binary', 10)])).toMatchObject({ ok: true });
  });

  it('sends WhatsApp one file up to 16 MB, without the body', () => {
    expect(planOutbound('whatsapp', 'caption', [file('video/mp4', 16 * MB)])).toEqual({ ok: true, body: undefined, media: [file('video/mp4', 16 * MB)] });
    expect(planOutbound('whatsapp', 'caption', [file('video/mp4', 16 * MB + 1)])).toMatchObject({ ok: false, errorCode: 11751 });
    expect(planOutbound('whatsapp', 'x', [file('image/png', 1), file('image/png', 1)])).toMatchObject({ ok: false, errorCode: 21623 });
    expect(planOutbound('whatsapp', 'just text', [])).toEqual({ ok: true, body: 'just text', media: [] });
  });

  it('refuses bodies over 1600 characters and empty messages', () => {
    expect(planOutbound('sms', 'é'.repeat(1600), [])).toMatchObject({ ok: true });
    expect(planOutbound('sms', 'é'.repeat(1601), [])).toMatchObject({ ok: false, errorCode: 21617 });
    expect(planOutbound('sms', '', [])).toMatchObject({ ok: false, errorCode: 21619 });
    expect(planOutbound('messenger', null, [])).toMatchObject({ ok: false, errorCode: 21619 });
  });
});

describe('receipt progress (advanceOnly)', () => {
  it('moves forward, never back, and ignores repeats', () => {
    expect(advances({ status: 'sent', error_code: null }, 'delivered', null)).toBe(true);
    expect(advances({ status: 'delivered', error_code: null }, 'sent', null)).toBe(false);
    expect(advances({ status: 'delivered', error_code: null }, 'delivered', null)).toBe(false);
    expect(advances({ status: 'read', error_code: null }, 'delivered', null)).toBe(false);
    expect(advances({ status: 'sent', error_code: null }, 'undelivered', 30003)).toBe(true);
    expect(advances({ status: 'undelivered', error_code: 30003 }, 'undelivered', 30005)).toBe(true);
    expect(advances({ status: 'delivered', error_code: null }, 'read', null)).toBe(true);
  });
});

describe('carrier webhook signatures', () => {
  const token = '12345678901234567890123456789012';
  it('accepts exactly what the official helper signs, for the URL as called or with its default port', () => {
    const url = 'https://parley.example.com/webhooks/twilio/messaging?x=1';
    const params = { From: '+15551234567', Body: 'héllo & <bye>', MediaUrl0: 'https://api.twilio.com/m' };
    const sig = twilio.getExpectedTwilioSignature(token, url, params);
    expect(validTwilioSignature(token, sig, url, params)).toBe(true);
    expect(validTwilioSignature(token, sig, 'https://parley.example.com:443/webhooks/twilio/messaging?x=1', params)).toBe(true);
    expect(validTwilioSignature(token, sig, url, { ...params, Body: 'changed' })).toBe(false);
    expect(validTwilioSignature(token, sig, 'https://parley.example.com/webhooks/twilio/messaging', params)).toBe(false);
    expect(validTwilioSignature('x'.repeat(32), sig, url, params)).toBe(false);
    expect(validTwilioSignature(token, undefined, url, params)).toBe(false);
    const withPort = 'http://127.0.0.1:3000/webhooks/twilio/messaging/status';
    expect(validTwilioSignature(token, twilio.getExpectedTwilioSignature(token, withPort, { A: '1' }), withPort, { A: '1' })).toBe(true);
  });
});

describe('signed media links', () => {
  it('verify only unchanged, unexpired links signed with the account token', async () => {
    let now = 1_700_000_000_000;
    const tokens: Record<string, string> = { ACa: 'token-a' };
    const links = new MediaLinks(async (sid) => tokens[sid] ?? Promise.reject(new Error('no account')), { now: () => now });
    const url = new URL(await links.url('https://p.example', 'ACa', 'ISs', 'MEm'));
    expect(url.pathname).toBe('/channels/media/ACa/ISs/MEm');
    const e = url.searchParams.get('Expires')!;
    const s = url.searchParams.get('Signature')!;
    expect(await links.verify('ACa', 'ISs', 'MEm', e, s)).toBe(true);
    expect(await links.verify('ACa', 'ISs', 'MEother', e, s)).toBe(false);
    expect(await links.verify('ACa', 'ISs', 'MEm', String(Number(e) + 1), s)).toBe(false);
    expect(await links.verify('ACb', 'ISs', 'MEm', e, s)).toBe(false);
    expect(await links.verify('ACa', 'ISs', 'MEm', undefined, s)).toBe(false);
    now += 25 * 60 * 60 * 1000;
    expect(await links.verify('ACa', 'ISs', 'MEm', e, s)).toBe(false);
  });
});

describe('carrier configuration', () => {
  const sid = 'AC' + 'a'.repeat(32);
  it('reads PARLEY_TWILIO_* together, with a default API URL', () => {
    expect(parseConfig({})).toMatchObject({ twilioMessaging: undefined, twilioApiUrl: 'https://api.twilio.com' });
    expect(parseConfig({ PARLEY_TWILIO_ACCOUNT_SID: sid, PARLEY_TWILIO_AUTH_TOKEN: 'tok', PARLEY_TWILIO_API_URL: 'http://localhost:9999/' })).toMatchObject({
      twilioMessaging: { accountSid: sid, authToken: 'tok' },
      twilioApiUrl: 'http://localhost:9999',
    });
    expect(() => parseConfig({ PARLEY_TWILIO_ACCOUNT_SID: sid })).toThrow(ConfigError);
    expect(() => parseConfig({ PARLEY_TWILIO_ACCOUNT_SID: 'SK' + 'a'.repeat(32), PARLEY_TWILIO_AUTH_TOKEN: 'x' })).toThrow(ConfigError);
    expect(() => parseConfig({ PARLEY_TWILIO_API_URL: 'api.twilio.com' })).toThrow(ConfigError);
  });

  it('names channel sources as Twilio does', () => {
    expect(['sms', 'mms', 'whatsapp', 'messenger', 'chat'].map(eventSource)).toEqual(['SMS', 'SMS', 'WHATSAPP', 'MESSENGER', 'API']);
  });
});
