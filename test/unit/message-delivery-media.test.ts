import { describe, it, expect } from 'vitest';
import { summarize } from '../../src/conversations/messages/receipts.js';
import { checkChannelLimits } from '../../src/media/limits.js';

describe('delivery summary', () => {
  it('counts later happy-path states towards earlier ones', () => {
    expect(summarize({})).toEqual({ total: 0, sent: 'none', delivered: 'none', read: 'none', failed: 'none', undelivered: 'none' });
    expect(summarize({ read: 2 })).toEqual({ total: 2, sent: 'all', delivered: 'all', read: 'all', failed: 'none', undelivered: 'none' });
    expect(summarize({ sent: 1, delivered: 1, undelivered: 1 })).toEqual({ total: 3, sent: 'some', delivered: 'some', read: 'none', failed: 'none', undelivered: 'some' });
  });
});

describe('channel media limits', () => {
  it('applies the strictest limit of the conversation channels', () => {
    expect(() => checkChannelLimits({ content_type: 'text/plain', size: 1 }, [])).not.toThrow();
    expect(() => checkChannelLimits({ content_type: 'image/PNG', size: 1 }, ['sms'])).not.toThrow();
    expect(() => checkChannelLimits({ content_type: 'text/plain', size: 1 }, ['whatsapp'])).toThrow(expect.objectContaining({ code: 50511 }));
    expect(() => checkChannelLimits({ content_type: 'video/mp4', size: 6 * 1024 * 1024 }, ['whatsapp'])).not.toThrow();
    expect(() => checkChannelLimits({ content_type: 'video/mp4', size: 6 * 1024 * 1024 }, ['whatsapp', 'sms'])).toThrow(expect.objectContaining({ code: 50512 }));
    expect(() => checkChannelLimits({ content_type: 'application/zip', size: 1 }, ['email'])).not.toThrow();
  });
});
