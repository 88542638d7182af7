/**
 * Rules over the activity log (who did what in the Admin Panel, the Admin API and self-service) and the offline
 * enrollment log (Windows Logon offline access). The entity is the actor: an administrator, an API application,
 * a user.
 */
import { descriptionField, type DetectEvent } from '../detect-event.js';
import { defineRule, HOUR, MINUTE, type RuleHeader } from '../rule.js';

const ACTIVITY_FIELDS: RuleHeader['fields'] = ['user', 'action', 'result', 'ip', 'location', 'application'];
const actor = (e: DetectEvent): string => e.user ?? e.userKey ?? 'unknown actor';

export const activityFailures = defineRule({
  id: 'duo.activity_failures',
  title: 'Many failed actions by one actor (activity log)',
  severity: 'medium',
  mitre: 'T1110',
  entity: 'admin',
  streams: ['activity'],
  windowMs: 10 * MINUTE,
  threshold: 11,
  suppressionMs: 30 * MINUTE,
  fields: ACTIVITY_FIELDS,
  logic: '> 10 activity-log actions with outcome FAILURE by the same actor in a sliding 10 min',
  evaluate(e, ctx) {
    if (e.result !== 'failure' || ctx.entity === null) return null;
    const w = ctx.window(ctx.entity);
    w.add(e.ts, e.id);
    const n = w.count(e.ts);
    return n >= ctx.settings.threshold
      ? { entity: actor(e), eventIds: w.eventIds(), facts: { failures: n } }
      : null;
  },
});

export const activityUserDeleteBurst = defineRule({
  id: 'duo.activity_user_delete_burst',
  title: 'Mass deletion of users (activity log)',
  severity: 'high',
  mitre: 'T1098',
  entity: 'admin',
  streams: ['activity'],
  windowMs: 10 * MINUTE,
  threshold: 5,
  suppressionMs: 30 * MINUTE,
  fields: ACTIVITY_FIELDS,
  logic:
    '≥ 5 successful user_delete actions by the same actor (administrator or Admin API application) in a sliding 10 min',
  evaluate(e, ctx) {
    if (e.action !== 'user_delete' || e.result === 'failure' || ctx.entity === null) return null;
    const w = ctx.window(ctx.entity);
    w.add(e.ts, e.id);
    const n = w.count(e.ts);
    return n >= ctx.settings.threshold
      ? { entity: actor(e), eventIds: w.eventIds(), facts: { deleted: n } }
      : null;
  },
});

export const activityApiBypassCode = defineRule({
  id: 'duo.activity_api_bypass_code',
  title: 'An Admin API application created bypass codes',
  severity: 'medium',
  mitre: 'T1098',
  entity: 'admin',
  streams: ['activity'],
  suppressionMs: 1 * HOUR,
  fields: ACTIVITY_FIELDS,
  logic:
    'activity bypass_code_create performed by an API actor (a script or a stolen Admin API key minting codes)',
  evaluate: (e) =>
    e.action === 'bypass_code_create' && e.actorType === 'api' && e.result !== 'failure'
      ? { entity: actor(e), eventIds: [e.id] }
      : null,
});

/** Offline access lets a workstation log in without Duo's service: many new hosts for one user is a red flag. */
export const offlineManyHosts = defineRule({
  id: 'duo.offline_many_hosts',
  title: 'Offline access enrolled on many workstations for one user',
  severity: 'medium',
  mitre: 'T1556',
  entity: 'user',
  streams: ['offline_enrollment'],
  windowMs: 24 * HOUR,
  threshold: 3,
  suppressionMs: 24 * HOUR,
  fields: ['user', 'action', 'object', 'description'],
  logic: 'o2fa_user_provisioned or o2fa_user_reenrolled for one user on ≥ 3 distinct hosts in a sliding 24 h',
  evaluate(e, ctx) {
    if (e.action !== 'o2fa_user_provisioned' && e.action !== 'o2fa_user_reenrolled') return null;
    if (ctx.entity === null || e.user === null) return null;
    const host = descriptionField(e.description, 'hostname');
    if (typeof host !== 'string' || host === '') return null;
    const w = ctx.window(ctx.entity);
    w.add(e.ts, e.id);
    w.count(e.ts);
    const hosts = ctx.distinct(ctx.entity);
    hosts.add(e.ts, host.toLowerCase());
    const n = hosts.count(e.ts);
    return n >= ctx.settings.threshold
      ? { entity: e.user, eventIds: w.eventIds(20), facts: { hosts: n } }
      : null;
  },
});

export const activityRules = [
  activityFailures,
  activityUserDeleteBurst,
  activityApiBypassCode,
  offlineManyHosts,
];
