import { createRequire } from 'node:module';
import fc from 'fast-check';
import type * as IpAddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { internalAddress } from './rules/digest.js';
import { orgRules } from './settings.js';
import { catalogue } from './rules/index.js';
import { inIPv4Net, internalIPv4, parseIPv4 } from './ipv4.js';

const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof IpAddr;

const octet = fc.integer({ min: 0, max: 255 });
const quad = fc.tuple(octet, octet, octet, octet);
/** Text that looks like an address, often a little off: the reader must refuse what it does not own. */
const almost = fc.oneof(
  quad.map((q) => q.join('.')),
  fc
    .array(fc.constantFrom('0', '1', '9', '.', '00', '255', '256', 'x', ':', ' ', '07'), { maxLength: 12 })
    .map((p) => p.join('')),
  fc.string({ maxLength: 16 }),
);

describe('parseIPv4', () => {
  it('reads a dotted quad as ipaddr.js does, and refuses every other form', () => {
    fc.assert(
      fc.property(almost, (s) => {
        const n = parseIPv4(s);
        const decimal =
          /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(s) && ipaddr.IPv4.isValidFourPartDecimal(s);
        if (!decimal) return n === -1;
        return (
          n ===
          ipaddr.IPv4.parse(s)
            .toByteArray()
            .reduce((a, b) => a * 256 + b, 0)
        );
      }),
      { numRuns: 5000 },
    );
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIPv4('0.0.0.0')).toBe(0);
    for (const bad of [
      '010.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      '1..2.3',
      '1.2.3.256',
      '::1',
      '0x7f.0.0.1',
      ' 1.2.3.4',
    ])
      expect(parseIPv4(bad)).toBe(-1);
  });

  it('matches networks and internal ranges as ipaddr.js does', () => {
    fc.assert(
      fc.property(quad, quad, fc.integer({ min: 0, max: 32 }), (a, b, bits) => {
        const addr = a.join('.');
        const net = ipaddr.IPv4.parse(b.join('.'));
        const base = parseIPv4(b.join('.'));
        expect(inIPv4Net(parseIPv4(addr), { base, bits })).toBe(ipaddr.IPv4.parse(addr).match(net, bits));
        const range = ipaddr.IPv4.parse(addr).range();
        expect(internalIPv4(parseIPv4(addr))).toBe(['private', 'loopback', 'linkLocal'].includes(range));
        expect(internalAddress(addr)).toBe(internalIPv4(parseIPv4(addr)));
      }),
      { numRuns: 3000 },
    );
    // The edges of each internal range.
    for (const [ip, yes] of [
      ['10.255.255.255', true],
      ['11.0.0.0', false],
      ['172.15.255.255', false],
      ['172.16.0.0', true],
      ['172.31.255.255', true],
      ['172.32.0.0', false],
      ['169.254.1.1', true],
      ['127.0.0.1', true],
      ['192.168.0.1', true],
      ['192.169.0.1', false],
    ] as const)
      expect(internalAddress(ip)).toBe(yes);
  });

  it('leaves the trusted-network check unchanged for every form of address', () => {
    const trusted = ['198.51.100.0/24', '10.0.0.0/8', '2001:db8::/32', '203.0.113.7'];
    const allow = orgRules(
      { enabled: true, rules: {}, allow: { trustedNetworks: trusted }, orgs: {} },
      catalogue,
      'acme',
    ).allow;
    const expected = (ip: string): boolean => {
      try {
        let a = ipaddr.parse(ip);
        if (a.kind() === 'ipv6' && (a as IpAddr.IPv6).isIPv4MappedAddress())
          a = (a as IpAddr.IPv6).toIPv4Address();
        return trusted.some((t) => {
          const [net, bits] = t.includes('/') ? ipaddr.parseCIDR(t) : [ipaddr.parse(t), 32];
          return a.kind() === net.kind() && a.match(net, bits);
        });
      } catch {
        return false;
      }
    };
    const cases = [
      '198.51.100.9',
      '198.51.101.9',
      '10.1.2.3',
      '010.1.2.3', // octal: 8.1.2.3 to ipaddr.js, not trusted
      '203.0.113.7',
      '203.0.113.8',
      '::ffff:198.51.100.9',
      '2001:db8::1',
      '2001:db9::1',
      'not an address',
    ];
    for (const ip of cases) expect([ip, allow.trustedIp(ip)]).toEqual([ip, expected(ip)]);
    fc.assert(
      fc.property(quad, (q) => allow.trustedIp(q.join('.')) === expected(q.join('.'))),
      { numRuns: 2000 },
    );
  });
});
