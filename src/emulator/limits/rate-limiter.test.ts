import { describe, expect, it } from 'vitest';
import { createRateLimiter, DEFAULT_RATE_LIMITS } from './index.js';

describe('rate limiter', () => {
  it('has the docs/duo-wire.md §6 defaults', () => {
    expect(DEFAULT_RATE_LIMITS).toEqual({
      modify: 300,
      get_one: 300,
      page: 200,
      get_all: 40,
      logs: 2,
      auth: 300,
      tenant_total: 1200,
    });
  });

  it('counts per tenant, credential, class and scope over a rolling minute', () => {
    const rl = createRateLimiter();
    const k = { tenant: 't', ikey: 'DI1', cls: 'logs' as const, scope: '/a' };
    expect(rl.take(k, 0)).toBe(true);
    expect(rl.take(k, 10_000)).toBe(true);
    expect(rl.take(k, 20_000)).toBe(false);
    expect(rl.take({ ...k, ikey: 'DI2' }, 20_000)).toBe(true);
    expect(rl.take({ ...k, scope: '/b' }, 20_000)).toBe(true);
    // The first request leaves the window after 60 s; the rejected one never counted.
    expect(rl.take(k, 60_001)).toBe(true);
    expect(rl.take(k, 60_002)).toBe(false);
  });

  it('caps the tenant total and can be configured or switched off', () => {
    const rl = createRateLimiter({ limits: { tenant_total: 3 } });
    for (let i = 0; i < 3; i++)
      expect(rl.take({ tenant: 't', ikey: `DI${String(i)}`, cls: 'page' }, 0)).toBe(true);
    expect(rl.take({ tenant: 't', ikey: 'DI9', cls: 'page' }, 0)).toBe(false);
    expect(rl.take({ tenant: 'other', ikey: 'DI9', cls: 'page' }, 0)).toBe(true);
    rl.configure({ enabled: false });
    expect(rl.take({ tenant: 't', ikey: 'DI9', cls: 'page' }, 0)).toBe(true);
    expect(rl.settings().enabled).toBe(false);
  });
});
