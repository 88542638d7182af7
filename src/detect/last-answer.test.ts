import { describe, expect, it } from 'vitest';
import { lastAnswer } from './last-answer.js';

describe('lastAnswer', () => {
  it('computes again only when the key differs from the last one, by value', () => {
    const asked: string[] = [];
    const upper = lastAnswer((k) => {
      asked.push(k);
      return k.toUpperCase();
    });
    const copy = ['su', 'ccess'].join(''); // the same value, another string
    expect([upper('success'), upper(copy), upper('denied'), upper('success')]).toEqual([
      'SUCCESS',
      'SUCCESS',
      'DENIED',
      'SUCCESS',
    ]);
    expect(asked).toEqual(['success', 'denied', 'success']);
  });
});
