import { describe, expect, it } from 'vitest';
import { LastAnswer } from './last-answer.js';

describe('LastAnswer', () => {
  it('computes again only for a key that differs from the last two, by value', () => {
    const asked: string[] = [];
    const memo = new LastAnswer((k) => {
      asked.push(k);
      return k.toUpperCase();
    });
    const upper = (k: string) => memo.of(k);
    const copy = ['su', 'ccess'].join(''); // the same value, another string
    const keys = ['success', copy, 'denied', 'success', 'denied', 'fraud', 'success', 'fraud', 'denied'];
    expect(keys.map(upper)).toEqual(keys.map((k) => k.toUpperCase()));
    // `success` and `denied` alternate from the two kept; `fraud` pushes `success` out, `success` then `denied`.
    expect(asked).toEqual(['success', 'denied', 'fraud', 'success', 'denied']);
  });
});
