import { describe, expect, it } from 'vitest';
import type { Integration, Organization } from '../store/index.js';
import type { LogsConfig } from './logs-config.js';
import { budgetFor } from './service.js';

const org = { id: 'o1', slug: 'acme' } as Organization;
const admin = { id: 'i-1', label: 'main' } as Integration;
const other = { id: 'i-2', label: 'eu' } as Integration;
const config = (budgets: LogsConfig['budgets']) => ({ budgets }) as LogsConfig;

describe('per-integration log budgets', () => {
  it('take the most specific entry: the integration (by label or id), then the organization, then *', () => {
    const c = config([
      { org: '*', requestsPerMinute: 1 },
      { org: 'acme', requestsPerMinute: 4 },
      { org: 'acme', integration: 'eu', requestsPerMinute: 0 },
      { org: 'globex', requestsPerMinute: 9 },
    ]);
    expect(budgetFor(c, org, other)).toBe(0);
    expect(budgetFor(c, org, admin)).toBe(4);
    expect(budgetFor(c, { id: 'o3', slug: 'initech' } as Organization, admin)).toBe(1);
    expect(budgetFor(config([{ org: 'acme', integration: 'i-1', requestsPerMinute: 7 }]), org, admin)).toBe(
      7,
    );
    expect(budgetFor(config([]), org, admin)).toBeNull();
  });
});
