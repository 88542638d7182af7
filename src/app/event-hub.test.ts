import { describe, expect, it } from 'vitest';
import { createLogEventHub } from './event-hub.js';
import type { CollectedEvent } from './shared.js';

const event: CollectedEvent = { id: 'e1', stream: 'auth', orgId: 'o', orgSlug: 'acme', ts: 1, raw: {} };

describe('log event hub', () => {
  it('delivers to every subscriber even when one throws, and stops after unsubscribe', async () => {
    const errors: unknown[] = [];
    const hub = createLogEventHub((e) => errors.push(e));
    const seen: string[] = [];
    hub.subscribe(() => {
      throw new Error('boom');
    });
    const off = hub.subscribe((events) => {
      seen.push(...events.map((e) => e.id));
    });
    await hub.publish([event]);
    off();
    await hub.publish([{ ...event, id: 'e2' }]);
    expect(seen).toEqual(['e1']);
    expect(errors).toHaveLength(2);
  });
});
