import { Errors } from '../platform/errors.js';

/**
 * Parley stores media in its database, so one file is capped at the HTTP body
 * limit (20 MB) instead of Twilio's 150 MB for chat-only conversations.
 */
export const MEDIA_MAX_BYTES = 20 * 1024 * 1024;

/** Types that SMS/MMS and WhatsApp carry (reference §6: JPG, PNG, MP3, AMR, MP4, PDF). */
export const CARRIER_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png', 'audio/mpeg', 'audio/mp3', 'audio/amr', 'video/mp4', 'application/pdf']);
const CARRIER_TYPES_TEXT = 'JPG, PNG, MP3, AMR, MP4, PDF';

interface ChannelLimit {
  label: string;
  maxBytes: number;
}

/** Per-channel limits for media fanned out to non-chat participants. */
const CHANNEL_LIMITS: Record<string, ChannelLimit> = {
  sms: { label: 'SMS/MMS', maxBytes: 5 * 1024 * 1024 },
  mms: { label: 'SMS/MMS', maxBytes: 5 * 1024 * 1024 },
  whatsapp: { label: 'WhatsApp', maxBytes: 16 * 1024 * 1024 },
};

export function baseContentType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/**
 * Refuses media a conversation's non-chat participants could not receive.
 * Twilio silently skips the fan-out instead; an explicit error is kinder to
 * integrators, who otherwise learn of it only from a failed delivery receipt.
 */
export function checkChannelLimits(media: { content_type: string; size: number }, channels: readonly string[]): void {
  for (const channel of channels) {
    const limit = CHANNEL_LIMITS[channel];
    if (!limit) continue;
    const type = baseContentType(media.content_type);
    if (!CARRIER_TYPES.has(type)) throw Errors.mediaTypeNotAllowed(type, limit.label, CARRIER_TYPES_TEXT);
    if (media.size > limit.maxBytes) throw Errors.mediaTooLarge(limit.maxBytes, limit.label);
  }
}
