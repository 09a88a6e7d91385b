import { Errors } from '../../platform/errors.js';

export const ADDRESS_TYPES = ['sms', 'whatsapp', 'messenger', 'gbm', 'email', 'rcs', 'apple', 'chat'] as const;
export type AddressType = (typeof ADDRESS_TYPES)[number];

const ADDRESS_MAX = 256;
const E164 = /^\+[1-9]\d{1,14}$/;
const SHORT_CODE = /^\d{3,8}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Twilio takes Type in any case (`SMS`, `WhatsApp`) and renders it lower-case. */
export function addressType(value: string): AddressType {
  const t = value.toLowerCase();
  if (!(ADDRESS_TYPES as readonly string[]).includes(t)) throw Errors.invalidParameter(`Type must be one of ${ADDRESS_TYPES.join(', ')}, got "${value}"`);
  return t as AddressType;
}

/**
 * Per-channel address shape. SMS numbers are E.164 or a short code (AddressCountry
 * exists for those). Twilio's own examples write WhatsApp senders as
 * `whatsapp:+E164`; a bare E.164 is accepted too and treated as the same sender.
 * Messenger (`messenger:<page id>`), GBM, RCS, Apple and chat addresses are opaque.
 */
export function validateAddress(type: AddressType, address: string): string {
  if (address.trim() === '' || address.length > ADDRESS_MAX) throw Errors.invalidParameter(`Address must be 1 to ${ADDRESS_MAX} characters`);
  switch (type) {
    case 'sms':
      if (!E164.test(address) && !SHORT_CODE.test(address)) throw Errors.invalidParameter(`Address for type sms must be an E.164 phone number or a short code, got "${address}"`);
      break;
    case 'whatsapp':
      if (!E164.test(address.replace(/^whatsapp:/, ''))) throw Errors.invalidParameter(`Address for type whatsapp must be whatsapp:+<E.164 number>, got "${address}"`);
      break;
    case 'email':
      if (!EMAIL.test(address)) throw Errors.invalidParameter(`Address for type email must be an email address, got "${address}"`);
      break;
    default:
      if (/\s/.test(address)) throw Errors.invalidParameter('Address must not contain whitespace');
  }
  return address;
}

/** The spellings that name the same sender: `whatsapp:+1555…` and `+1555…` for WhatsApp. */
export function addressSpellings(address: string, type?: AddressType): string[] {
  if (type !== undefined && type !== 'whatsapp') return [address];
  const bare = address.replace(/^whatsapp:/, '');
  if (!E164.test(bare)) return [address];
  return type === 'whatsapp' || address.startsWith('whatsapp:') ? [`whatsapp:${bare}`, bare] : [address, `whatsapp:${bare}`];
}
