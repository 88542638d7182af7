import { describe, expect, it } from 'vitest';
import { adviceForDuoCode, adviceForResult, cleanStatusMsg } from './advice.js';
import { runAuthAction } from './auth-actions.js';
import type { DuoClient } from '../duo/index.js';

describe('what to do about Duo answers', () => {
  it('names the cause for each Duo code and answer', () => {
    expect(adviceForDuoCode(40002, 'username')).toMatch(/does not know this user/);
    expect(adviceForDuoCode(40002, 'no capable device')).toMatch(/no device for this factor/);
    expect(adviceForDuoCode(40301, undefined)).toMatch(/not an Auth API integration/);
    expect(adviceForDuoCode(42901, undefined)).toMatch(/rate-limiting/);
    expect(adviceForResult({ result: 'deny', status: 'fraud' })).toMatch(/compromised/);
    expect(adviceForResult({ result: 'deny', status: 'timeout' })).toMatch(/did not answer/);
    expect(adviceForResult({ result: 'enroll' })).toMatch(/not enrolled/);
    expect(adviceForResult({ result: 'deny', status_msg: 'Your account has been locked out.' })).toMatch(
      /unlock/,
    );
    expect(adviceForResult({ result: 'deny', status: 'deny' })).toMatch(/denied/);
    expect(adviceForResult({ result: 'allow', status: 'allow' })).toBeNull();
  });

  it('strips control characters and ANSI escapes from Duo status messages', () => {
    expect(cleanStatusMsg('\u001b[31mDenied\u001b[0m\u0007 now')).toBe('Denied now');
    expect(cleanStatusMsg('x'.repeat(600))).toHaveLength(501);
  });

  it('returns status_msg cleaned in what an action prints', async () => {
    // A leaf-edge fake of Duo's reply (the emulator never sends escapes): only the Auth endpoint used here.
    const client = {
      auth: {
        auth: () => Promise.resolve({ result: 'deny', status: 'deny', status_msg: '\u001b[2JNo\u0000!' }),
      },
    } as unknown as Pick<DuoClient, 'auth'>;
    expect(await runAuthAction(client, 'push', { user: 'u' })).toEqual({
      result: 'deny',
      status: 'deny',
      status_msg: 'No!',
    });
  });
});
