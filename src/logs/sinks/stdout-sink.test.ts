import { describe, expect, it } from 'vitest';
import { createSink } from './create-sink.js';
import { batchOf } from './events.test-helpers.js';
import type { LineWriter } from './stdout-sink.js';

describe('stdout sink', () => {
  it('writes one raw NDJSON line per event and resolves after the write callback', async () => {
    const chunks: string[] = [];
    const out: LineWriter = {
      write(chunk, callback) {
        chunks.push(chunk);
        setImmediate(() => callback(null));
        return true;
      },
    };
    const sink = createSink('stdout', { type: 'stdout', format: 'raw' }, { stdout: out });
    expect(sink.guarantee).toBe('at_least_once');
    await sink.send(batchOf(0, 3), new AbortController().signal);
    const lines = chunks.join('').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { duowatch: { id: string } }).duowatch.id)).toEqual(
      batchOf(0, 3).map((e) => e.id),
    );
  });

  it('fails the batch when the write fails', async () => {
    const out: LineWriter = {
      write(_chunk, callback) {
        callback(new Error('EPIPE'));
        return false;
      },
    };
    const sink = createSink('stdout', { type: 'stdout', format: 'raw' }, { stdout: out });
    await expect(sink.send(batchOf(0, 1), new AbortController().signal)).rejects.toMatchObject({
      code: 'sink.unavailable',
    });
  });
});
