import { describe, it, expect } from 'vitest';
import { bindingType, openBindingKey, validateBinding } from '../../src/conversations/participants/binding.js';

describe('participant bindings', () => {
  it('derives the channel from the address', () => {
    expect(bindingType('+15558675310')).toBe('sms');
    expect(bindingType('whatsapp:+15558675310')).toBe('whatsapp');
    expect(bindingType('messenger:1234567')).toBe('messenger');
    expect(bindingType('rcs:+15558675310')).toBe('rcs');
    expect(bindingType('someone@example.com')).toBe('email');
    expect(bindingType('tel:+1555')).toBe('sms');
  });

  it('keeps identity and address bindings apart', () => {
    expect(validateBinding({ identity: 'a' })).toBeNull();
    expect(validateBinding({ identity: 'a', projectedAddress: '+1555' })).toBe('sms');
    expect(validateBinding({ address: '+1555', proxyAddress: '+1666' })).toBe('sms');
    expect(validateBinding({ address: '+1555' })).toBe('sms');
    expect(() => validateBinding({ identity: 'a', address: '+1555' })).toThrow(/mutually exclusive/);
    expect(() => validateBinding({ identity: 'a', proxyAddress: '+1666' })).toThrow();
    expect(() => validateBinding({ address: '+1555', projectedAddress: '+1666' })).toThrow();
    expect(() => validateBinding({})).toThrow(/required/);
    expect(() => validateBinding({ address: 'whatsapp:+1555' })).toThrow(/ProxyAddress is required/);
    expect(() => validateBinding({ address: 'whatsapp:+1555', proxyAddress: '+1666' })).toThrow(/whatsapp:/);
    expect(() => validateBinding({ identity: 'x'.repeat(257) })).toThrow(/256/);
  });

  it('keys an open binding by account, address and proxy', () => {
    expect(openBindingKey('AC1', '+1555', '+1666')).toBe('AC1|+1555|+1666');
    expect(openBindingKey('AC1', '+1555', null)).toBeNull();
    expect(openBindingKey('AC1', null, null)).toBeNull();
  });
});
