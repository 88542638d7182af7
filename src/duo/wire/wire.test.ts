import { describe, expect, it } from 'vitest';
import {
  adminLogRowSchema,
  authLogPageSchema,
  DuoApiError,
  parseEnvelope,
  parseResponse,
  policySchema,
  preauthSchema,
  userSchema,
} from '../index.js';

const ctx = { request: 'GET /x', secrets: [] };

describe('wire schemas are lenient where Duo is', () => {
  it('accepts nulls, "unknown", missing fields and keeps unknown extras', () => {
    const page = authLogPageSchema.parse({
      authlogs: [
        {
          txid: 'abc',
          timestamp: 1532951962,
          result: 'success',
          factor: null,
          reason: 'new_reason_duo_added_later',
          access_device: {
            is_encryption_enabled: 'unknown',
            is_firewall_enabled: true,
            security_agents: 'unknown',
            location: null,
          },
          brand_new_field: { x: 1 },
        },
        {
          txid: 'def',
          access_device: { security_agents: [] },
          auth_device: null,
          user: { key: 'DU1', name: 'a', groups: [] },
        },
      ],
      metadata: { next_offset: null },
    });
    expect(page.authlogs[0]?.['brand_new_field']).toEqual({ x: 1 });
    expect(page.authlogs[0]?.access_device?.is_encryption_enabled).toBe('unknown');
  });

  it('parses a user with nested phones, tokens and groups and a null last_login', () => {
    const u = userSchema.parse({
      user_id: 'DU0123456789ABCDEFGH',
      username: 'ana',
      status: 'locked out',
      last_login: null,
      phones: [{ phone_id: 'DP1', capabilities: ['push', 'sms'], activated: true }],
      tokens: [{ token_id: 'DH1', type: 'yk' }],
      groups: [{ group_id: 'DG1', name: 'Admins' }],
    });
    expect(u.phones?.[0]?.capabilities).toEqual(['push', 'sms']);
  });

  it('keeps policy sections open, including authentication_policy', () => {
    const p = policySchema.parse({
      policy_key: 'PO1',
      is_global_policy: true,
      sections: { authentication_policy: { require_2fa: true }, new_user: { new_user_behavior: 'no-mfa' } },
    });
    expect(p.sections?.['new_user']).toEqual({ new_user_behavior: 'no-mfa' });
  });

  it('accepts administrator-log descriptions as JSON text or object', () => {
    expect(
      adminLogRowSchema.parse({ action: 'bypass_create', timestamp: 1, description: '{"count": 1}' })
        .description,
    ).toBe('{"count": 1}');
  });
});

describe('edge validation', () => {
  it('names the failing paths but never the values (which may be PII)', () => {
    let error: unknown;
    try {
      parseResponse(
        preauthSchema,
        { result: 42, devices: [{ device: 'secret-looking-value', capabilities: 'push' }] },
        ctx,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DuoApiError);
    const err = error as DuoApiError;
    expect(err.kind).toBe('bad_response');
    expect(err.message).toMatch(/result/);
    expect(err.message).toMatch(/devices\.0\.capabilities/);
    expect(err.message).not.toContain('secret-looking-value');
  });

  it('reads v1 paging metadata beside the response', () => {
    const env = parseEnvelope(
      {
        status: 200,
        contentType: 'application/json',
        text: '{"stat": "OK", "response": [], "next_offset": 300, "total_objects": 301}',
      },
      ctx,
    );
    expect(env.paging.next_offset).toBe(300);
  });

  it('accepts a string response (enroll_status, user delete)', () => {
    expect(
      parseEnvelope(
        { status: 200, contentType: 'application/json', text: '{"stat": "OK", "response": ""}' },
        ctx,
      ).response,
    ).toBe('');
  });
});
