import { Errors } from '../../platform/errors.js';

/** Identities and addresses are limited to 256 characters (Twilio's documented limit). */
export const IDENTITY_MAX = 256;
export const ADDRESS_MAX = 256;

/**
 * The channel of a customer address, as Twilio derives it: a `whatsapp:`,
 * `messenger:` … prefix names the channel, an e-mail address is email, and a
 * bare number is sms.
 */
export function bindingType(address: string): string {
  const prefix = /^([a-z]+):/i.exec(address)?.[1]?.toLowerCase();
  if (prefix && CHANNEL_PREFIXES.includes(prefix)) return prefix;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) return 'email';
  return 'sms';
}
const CHANNEL_PREFIXES = ['whatsapp', 'messenger', 'rcs', 'gbm', 'apple'];
/** Channels whose proxy is a Twilio sender on the same channel (`whatsapp:+1…` to `whatsapp:+1…`). */
const PREFIXED_PROXY = ['whatsapp', 'messenger', 'rcs', 'gbm', 'apple'];

/** What a participant is bound by; exactly one of identity or address is set. */
export interface BindingInput {
  identity?: string;
  address?: string;
  proxyAddress?: string;
  projectedAddress?: string;
}

/** Checks the shape of a new participant's identity/binding; returns the binding type (null for chat). */
export function validateBinding(b: BindingInput): string | null {
  checkLength('Identity', b.identity, IDENTITY_MAX);
  checkLength('MessagingBinding.Address', b.address, ADDRESS_MAX);
  checkLength('MessagingBinding.ProxyAddress', b.proxyAddress, ADDRESS_MAX);
  checkLength('MessagingBinding.ProjectedAddress', b.projectedAddress, ADDRESS_MAX);
  if (b.identity !== undefined && b.address !== undefined) {
    throw Errors.invalidParameter('Identity and MessagingBinding.Address are mutually exclusive: a participant is either a chat user or an address binding');
  }
  if (b.identity === undefined && b.address === undefined) {
    throw Errors.invalidParameter('Either Identity or MessagingBinding.Address is required');
  }
  if (b.identity !== undefined) {
    if (b.proxyAddress !== undefined) throw Errors.invalidParameter('MessagingBinding.ProxyAddress requires MessagingBinding.Address; a chat participant may only have a MessagingBinding.ProjectedAddress');
    return b.projectedAddress !== undefined ? 'sms' : null;
  }
  if (b.projectedAddress !== undefined) throw Errors.invalidParameter('MessagingBinding.ProjectedAddress is for chat participants (with Identity) in group MMS');
  const type = bindingType(b.address!);
  checkProxy(type, b.proxyAddress);
  return type;
}

/** A proxy must speak the customer's channel; WhatsApp and the like cannot work without one. */
export function checkProxy(type: string, proxy: string | null | undefined): void {
  if (!PREFIXED_PROXY.includes(type)) return;
  if (proxy === undefined || proxy === null) throw Errors.invalidParameter(`MessagingBinding.ProxyAddress is required for a ${type} participant`);
  if (bindingType(proxy) !== type) throw Errors.invalidParameter(`MessagingBinding.ProxyAddress must be a ${type}: address for a ${type} participant`);
}

function checkLength(name: string, value: string | undefined, max: number): void {
  if (value === undefined) return;
  if (value.length === 0 || value.length > max) throw Errors.invalidParameter(`${name} must be 1 to ${max} characters`);
}

/**
 * The value of `open_binding_key` while the conversation is not closed: an
 * address+proxy pair may live in one open conversation per account. The column is
 * unique across the table, so the account is part of the key.
 */
export function openBindingKey(accountSid: string, address: string | null, proxy: string | null): string | null {
  if (address === null || proxy === null) return null;
  return `${accountSid}|${address}|${proxy}`;
}

/** Twilio's "null" removes a binding field on update. */
export function nullable(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  return value === 'null' || value === '' ? null : value;
}
