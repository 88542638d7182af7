/** Telephony fraud (per organization) and Duo Trust Monitor. */
import { defineRule, HOUR, MINUTE } from '../rule.js';

const hour = (ts: number): number => Math.floor(ts / HOUR);

export const telephonyCredits = defineRule({
  id: 'duo.telephony_credit_spike',
  title: 'Telephony credits far above the usual hourly use',
  severity: 'high',
  mitre: 'T1496',
  entity: 'org',
  streams: ['telephony'],
  windowMs: 60 * MINUTE,
  threshold: 100,
  suppressionMs: 6 * HOUR,
  fields: ['phone', 'credits'],
  params: { multiplier: 5, minHistoryHours: 24 },
  logic:
    'credits in a sliding hour ≥ 100 and > 5 × the average hour of the previous 14 days (needs ≥ 24 h of history)',
  evaluate(e, ctx) {
    const w = ctx.window(ctx.org);
    w.add(e.ts, e.id, e.credits);
    const used = w.sum(e.ts);
    if (used < ctx.settings.threshold) return null;
    const b = ctx.orgBaseline;
    const now = hour(e.ts);
    const from = Math.max(hour(b.firstTs), now - 14 * 24);
    const hours = now - from;
    let total = 0;
    for (const [h, c] of Object.entries(b.creditHours)) if (Number(h) >= from && Number(h) < now) total += c;
    // No verdict before there is a day of history to compare with (the first collection backfills it).
    if (hours < (ctx.settings.params['minHistoryHours'] ?? 24)) return null;
    const average = total / hours;
    if (used <= (ctx.settings.params['multiplier'] ?? 5) * average) return null;
    return {
      entity: e.orgSlug,
      eventIds: w.eventIds(50),
      facts: { creditsLastHour: used, averageHour: Math.round(average * 100) / 100 },
    };
  },
});

export const telephonyManyNumbers = defineRule({
  id: 'duo.telephony_many_numbers',
  title: 'Calls or SMS to many distinct phone numbers',
  severity: 'high',
  mitre: 'T1496',
  entity: 'org',
  streams: ['telephony'],
  windowMs: 60 * MINUTE,
  threshold: 40,
  suppressionMs: 6 * HOUR,
  fields: ['phone', 'credits'],
  logic: '≥ 40 distinct phone numbers called or texted in a sliding hour',
  evaluate(e, ctx) {
    if (e.phone === null) return null;
    const w = ctx.window(ctx.org); // the ids of the recent events
    w.add(e.ts, e.id);
    const distinct = ctx.distinct(ctx.org);
    distinct.add(e.ts, e.phone);
    const n = distinct.count(e.ts);
    w.count(e.ts);
    return n >= ctx.settings.threshold
      ? { entity: e.orgSlug, eventIds: w.eventIds(50), facts: { distinctNumbers: n } }
      : null;
  },
});

export const trustMonitor = defineRule({
  id: 'duo.trust_monitor',
  title: 'Duo Trust Monitor surfaced an event',
  severity: 'medium',
  mitre: 'T1078',
  entity: 'user',
  streams: ['trust_monitor'],
  suppressionMs: 15 * MINUTE,
  logic: 'any new Trust Monitor event; priority events are high',
  evaluate(e) {
    const priority = e.raw['priority_event'] === true;
    const explanations = e.raw['explanations'];
    return {
      entity: e.user ?? (typeof e.raw['sekey'] === 'string' ? e.raw['sekey'] : 'unknown'),
      eventIds: [e.id],
      ...(priority ? { severity: 'high' as const } : {}),
      facts: {
        type: e.raw['type'] ?? null,
        explanations: Array.isArray(explanations)
          ? explanations.map((x) => (x as { summary?: unknown }).summary ?? null)
          : [],
      },
    };
  },
});
