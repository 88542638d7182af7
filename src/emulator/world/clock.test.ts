import { describe, expect, it } from 'vitest';
import { createClock } from './index.js';

const flush = () => new Promise((r) => setImmediate(r));

describe('emulator clock', () => {
  it('is real time plus an offset that setOffset and advance move', () => {
    let real = 1_000_000;
    const c = createClock({ realNow: () => real, offsetMs: 500 });
    expect(c.now()).toBe(1_000_500);
    real += 10;
    expect(c.now()).toBe(1_000_510);
    c.advance(1000);
    expect(c.offset()).toBe(1500);
    c.setOffset(-200);
    expect(c.now()).toBe(999_810);
    expect(() => c.advance(-1)).toThrow(RangeError);
  });

  it('sleep resolves exactly when advance reaches the deadline', async () => {
    const c = createClock({ realNow: () => 0 });
    let done = false;
    const p = c.sleep(3000).then(() => (done = true));
    c.advance(2999);
    await flush();
    expect(done).toBe(false);
    c.advance(1);
    await p;
    expect(done).toBe(true);
  });

  it('sleep also resolves by real time passing', async () => {
    let real = 0;
    const c = createClock({ realNow: () => real });
    const p = c.sleep(5);
    real = 10; // the real timer fires after ~5 ms and finds the deadline passed
    await expect(p).resolves.toBeUndefined();
  });

  it('sleep rejects on abort and a zero sleep resolves at once', async () => {
    const c = createClock({ realNow: () => 0 });
    const ac = new AbortController();
    const p = c.sleep(60_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    await expect(c.sleep(0)).resolves.toBeUndefined();
  });
});
