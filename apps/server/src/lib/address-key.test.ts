import { describe, expect, it } from 'vitest';
import { addressKey } from './address-key';

describe('addressKey', () => {
  it('keeps an IPv4 address, and maps an IPv4-mapped IPv6 address to it', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::FFFF:127.0.0.1')).toBe('127.0.0.1');
  });

  it('keys an IPv6 address by its /64, however it is written', () => {
    const key = '2001:db8:0:0::/64';
    for (const address of ['2001:db8::1', '2001:0db8:0000:0000:ffff:0000:0000:0009', '2001:DB8::abcd:1', '2001:db8:0:0:1::', '2001:db8::1%eth0']) {
      expect(addressKey(address), address).toBe(key);
    }
    expect(addressKey('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.7')).toBe('64:ff9b:0:0::/64');
    expect(addressKey('fe80:1:2:3:4:5:6:7')).toBe('fe80:1:2:3::/64');
  });

  it('leaves anything else as it is', () => {
    expect(addressKey('')).toBe('');
    expect(addressKey('not-an-address')).toBe('not-an-address');
  });
});
