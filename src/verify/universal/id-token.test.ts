import { describe, expect, it } from 'vitest';
import { signHs512, verifyHs512 } from '../../shared/jwt-hs512.js';
import { checkIdToken, type IdTokenExpectations } from './id-token.js';

const SECRET = 'S'.repeat(40);
const NOW = 1_800_000_000;
const x: IdTokenExpectations = {
  clientId: 'DIAAAAAAAAAAAAAAAAAA',
  clientSecret: SECRET,
  issuer: 'https://api-1.duosecurity.com/oauth/v1/token',
  nonce: 'n'.repeat(43),
  duoUsername: 'alice',
  nowS: NOW,
};
const claims = {
  iss: x.issuer,
  aud: x.clientId,
  sub: 'alice',
  exp: NOW + 300,
  iat: NOW,
  nonce: x.nonce,
  preferred_username: 'alice',
  auth_result: { result: 'allow', status: 'allow', status_msg: 'Login Successful' },
};

const refusal = (token: string, e: Partial<IdTokenExpectations> = {}): string => {
  try {
    checkIdToken(token, { ...x, ...e });
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'accepted';
};

describe('the id_token check', () => {
  it('accepts a token for this sign-in', () => {
    expect(checkIdToken(signHs512(claims, SECRET), x)['preferred_username']).toBe('alice');
  });

  it('refuses a wrong nonce, an expired token, another audience or issuer, another user, a deny', () => {
    expect(refusal(signHs512({ ...claims, nonce: 'm'.repeat(43) }, SECRET))).toBe('universal_nonce');
    expect(refusal(signHs512({ ...claims, nonce: undefined }, SECRET))).toBe('universal_nonce');
    expect(refusal(signHs512({ ...claims, exp: NOW - 61 }, SECRET))).toBe('universal_token');
    expect(refusal(signHs512({ ...claims, exp: undefined }, SECRET))).toBe('universal_token');
    expect(refusal(signHs512({ ...claims, iat: undefined }, SECRET))).toBe('universal_token');
    expect(refusal(signHs512({ ...claims, iat: NOW + 3600 }, SECRET))).toBe('universal_token');
    expect(refusal(signHs512({ ...claims, aud: 'DIBBBBBBBBBBBBBBBBBB' }, SECRET))).toBe('universal_token');
    expect(refusal(signHs512({ ...claims, iss: 'https://evil.example/oauth/v1/token' }, SECRET))).toBe(
      'universal_token',
    );
    expect(refusal(signHs512({ ...claims, preferred_username: 'mallory' }, SECRET))).toBe(
      'universal_username',
    );
    expect(refusal(signHs512({ ...claims, auth_result: { result: 'deny', status: 'deny' } }, SECRET))).toBe(
      'universal_denied',
    );
  });

  it('refuses a tampered payload, another secret, and an unsigned (alg none) token', () => {
    const good = signHs512(claims, SECRET);
    const [h, , sig] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, preferred_username: 'alice', sub: 'x' })).toString(
      'base64url',
    );
    expect(refusal(`${String(h)}.${forged}.${String(sig)}`)).toBe('universal_token');
    expect(refusal(signHs512(claims, 'T'.repeat(40)))).toBe('universal_token');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expect(refusal(none)).toBe('universal_token');
    const hs256 = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${String(good.split('.')[1])}.${String(sig)}`;
    expect(refusal(hs256)).toBe('universal_token');
  });

  it('errors never carry the token or the secret', () => {
    const token = signHs512({ ...claims, exp: NOW - 3600 }, SECRET);
    try {
      verifyHs512(token, SECRET, { nowS: NOW });
      expect.unreachable();
    } catch (e) {
      expect(String(e)).not.toContain(SECRET);
      expect(String(e)).not.toContain(token.split('.')[2]);
    }
  });
});
