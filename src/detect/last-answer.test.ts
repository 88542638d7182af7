import { describe, expect, it } from 'vitest';
import { LastAnswer } from './last-answer.js';

describe('LastAnswer', () => {
  it('computes again only when the key differs from the last one, by value', () => {
    const asked: string[] = [];
    const memo = new LastAnswer((k) => {
      asked.push(k);
      return k.toUpperCase();
    });
    const upper = (k: string) => memo.of(k);
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
