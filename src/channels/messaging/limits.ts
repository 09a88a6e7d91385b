import { baseContentType, CARRIER_TYPES } from '../../media/limits.js';

/** A conversation message's media as stored (Message `media[]`). */
export interface MediaItem {
  sid: string;
  content_type: string;
  size: number;
  filename: string | null;
}

export type OutboundPlan =
  | { ok: true; body: string | undefined; media: MediaItem[] }
  | { ok: false; errorCode: number; reason: string };

interface ChannelRule {
  maxFiles: number;
  /** Total of all files. */
  maxBytes: number;
  /** WhatsApp carries media without the text (reference §6). */
  dropsBodyWithMedia: boolean;
}

const MB = 1024 * 1024;
/**
 * Reference §6: MMS ≤ 10 files, ≤ 5 MB in total; WhatsApp one file ≤ 16 MB.
 * Messenger's limits are not documented there: treated like WhatsApp's, text kept.
 */
const RULES: Record<string, ChannelRule> = {
  sms: { maxFiles: 10, maxBytes: 5 * MB, dropsBodyWithMedia: false },
  whatsapp: { maxFiles: 1, maxBytes: 16 * MB, dropsBodyWithMedia: true },
  messenger: { maxFiles: 1, maxBytes: 16 * MB, dropsBodyWithMedia: false },
};

/** Carriers stop at 1600 characters (Twilio 21617). */
const BODY_MAX_CHARS = 1600;

/** The channels this adapter fans conversation messages out to. */
export const CARRIER_CHANNELS = Object.keys(RULES);

/**
 * What one non-chat recipient gets of a conversation message, or why it cannot
 * go. Twilio codes: 21623 too many media files, 12300 a content type the channel
 * does not carry, 11751 media over the channel's size limit, 21617 body too long,
 * 21619 nothing left to send.
 */
export function planOutbound(channel: string, body: string | null, media: MediaItem[]): OutboundPlan {
  const rule = RULES[channel] ?? RULES.sms!;
  if (media.length > rule.maxFiles) return { ok: false, errorCode: 21623, reason: `${channel} carries at most ${rule.maxFiles} media file(s) per message` };
  for (const m of media) {
    const type = baseContentType(m.content_type);
    if (!CARRIER_TYPES.has(type)) return { ok: false, errorCode: 12300, reason: `${channel} does not carry ${type} media` };
  }
  const total = media.reduce((n, m) => n + m.size, 0);
  if (total > rule.maxBytes) return { ok: false, errorCode: 11751, reason: `media of ${total} bytes exceeds the ${channel} limit of ${rule.maxBytes} bytes` };
  const text = body !== null && body !== '' && !(rule.dropsBodyWithMedia && media.length > 0) ? body : undefined;
  if (text !== undefined && [...text].length > BODY_MAX_CHARS) return { ok: false, errorCode: 21617, reason: `body exceeds ${BODY_MAX_CHARS} characters` };
  if (text === undefined && media.length === 0) return { ok: false, errorCode: 21619, reason: 'nothing to send: no body and no media' };
  return { ok: true, body: text, media };
}
