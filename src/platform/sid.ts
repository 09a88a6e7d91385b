import { pooledRandom } from './crypto.js';

/** Twilio SID prefixes used by Parley (reference §1.7). */
export const SidPrefix = {
  Account: 'AC',
  ApiKey: 'SK',
  Service: 'IS',
  Conversation: 'CH',
  Participant: 'MB',
  Message: 'IM',
  DeliveryReceipt: 'DY',
  Webhook: 'WH',
  User: 'US',
  Role: 'RL',
  Credential: 'CR',
  Binding: 'BS',
  AddressConfiguration: 'IG',
  Media: 'ME',
  MessagingService: 'MG',
  ContentTemplate: 'HX',
  StudioFlow: 'FW',
} as const;
export type SidPrefix = (typeof SidPrefix)[keyof typeof SidPrefix];

/**
 * A new SID: the two-letter prefix and 32 lowercase hex digits — 12 of the
 * creation time in ms, then 80 random bits. Time first keeps every SID index
 * appending at its right edge: random SIDs made each insert touch a random index
 * page, the biggest share of the bytes a busy routing pass wrote to the WAL.
 * Unique by the random part; nothing may read meaning into the order.
 */
export function newSid(prefix: string): string {
  return prefix + Date.now().toString(16).padStart(12, '0').slice(-12) + pooledRandom(10).toString('hex');
}

export function isSid(value: string, prefix: string): boolean {
  return value.length === 34 && value.startsWith(prefix) && /^[0-9a-fA-F]{32}$/.test(value.slice(2));
}

/** True when the value has the shape of any SID (two uppercase letters + 32 hex). */
export function looksLikeSid(value: string): boolean {
  return /^[A-Z]{2}[0-9a-fA-F]{32}$/.test(value);
}
