import { describe, expect, it } from 'vitest';
import { ForbiddenAddressError, forbiddenAddressReason, vetAddresses } from './address-guard.js';

describe('address guard: IPv4-compatible IPv6 (::/96)', () => {
  it.each([
    ['::7f00:1', '127.0.0.1 embedded'],
    ['::a00:1', '10.0.0.1 embedded'],
    ['::a9fe:a9fe', '169.254.169.254 embedded'],
    ['::808:808', 'even a public IPv4 embedded'],
  ])('refuses %s (%s)', (address) => {
    expect(forbiddenAddressReason(address)).toMatch(/::\/96/);
    expect(() => vetAddresses('api-x.duosecurity.com', [{ address, family: 6 }])).toThrow(
      ForbiddenAddressError,
    );
  });

  it('still passes public unicast IPv6 and IPv4, and names :: and ::1 by their own ranges', () => {
    expect(forbiddenAddressReason('2600:1f18::1')).toBeNull();
    expect(forbiddenAddressReason('52.1.2.3')).toBeNull();
    expect(forbiddenAddressReason('::1')).toBe('in the loopback range');
    expect(forbiddenAddressReason('::')).toBe('in the unspecified range');
  });
});
