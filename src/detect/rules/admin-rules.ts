/** Rules over the administrator log; the entity is the acting administrator. */
import { descriptionField, type DetectEvent } from '../detect-event.js';
import { defineRule, MINUTE, type Firing, type Rule, type RuleHeader } from '../rule.js';

const ADMIN_FIELDS: RuleHeader['fields'] = ['user', 'action', 'object', 'description'];
const by = (e: DetectEvent): Firing => ({ entity: e.user ?? 'unknown administrator', eventIds: [e.id] });

/** A single admin action, matched by name. */
function adminAction(
  spec: Pick<Rule, 'id' | 'title' | 'severity' | 'mitre' | 'logic'> & {
    actions: readonly string[];
    suppressionMs?: number;
    when?: (e: DetectEvent) => boolean;
  },
): Rule {
  const actions = new Set(spec.actions);
  return defineRule({
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    mitre: spec.mitre,
    logic: spec.logic,
    entity: 'admin',
    streams: ['admin'],
    suppressionMs: spec.suppressionMs ?? 15 * MINUTE,
    fields: ADMIN_FIELDS,
    evaluate: (e) =>
      e.action !== null && actions.has(e.action) && (spec.when === undefined || spec.when(e)) ? by(e) : null,
  });
}

/** A count of one admin action by the same administrator in a sliding window. */
function adminBurst(
  spec: Pick<Rule, 'id' | 'title' | 'severity' | 'mitre' | 'logic'> & {
    action: string;
    windowMs: number;
    threshold: number;
  },
): Rule {
  return defineRule({
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    mitre: spec.mitre,
    logic: spec.logic,
    entity: 'admin',
    streams: ['admin'],
    windowMs: spec.windowMs,
    threshold: spec.threshold,
    suppressionMs: 30 * MINUTE,
    fields: ADMIN_FIELDS,
    evaluate(e, ctx) {
      if (e.action !== spec.action || ctx.entity === null) return null;
      const w = ctx.window(ctx.entity);
      w.add(e.ts, e.id);
      const n = w.count(e.ts);
      return n >= ctx.settings.threshold
        ? { entity: e.user ?? 'unknown administrator', eventIds: w.eventIds(), facts: { count: n } }
        : null;
    },
  });
}

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? ''));

export const adminRules: readonly Rule[] = [
  adminAction({
    id: 'duo.admin_bypass_create',
    title: 'Administrator created a bypass code',
    severity: 'high',
    mitre: 'T1098',
    logic: 'admin action bypass_create',
    actions: ['bypass_create'],
    suppressionMs: 60 * MINUTE,
  }),
  adminAction({
    id: 'duo.admin_user_delete',
    title: 'Administrator deleted a user',
    severity: 'medium',
    mitre: 'T1098',
    logic: 'admin action user_delete',
    actions: ['user_delete'],
  }),
  adminBurst({
    id: 'duo.admin_user_delete_burst',
    title: 'Administrator deleted several users in a short time',
    severity: 'high',
    mitre: 'T1098',
    logic: '> 1 user_delete by the same administrator in a sliding 10 min',
    action: 'user_delete',
    windowMs: 10 * MINUTE,
    threshold: 2,
  }),
  adminAction({
    id: 'duo.admin_marked_fraud',
    title: 'An administrator login push was marked fraudulent',
    severity: 'high',
    mitre: 'T1621',
    logic: 'admin_2fa_error whose description mentions fraud',
    actions: ['admin_2fa_error'],
    when: (e) => /fraud/i.test(text(e.description)),
  }),
  adminBurst({
    id: 'duo.admin_2fa_failures',
    title: 'Many administrator 2FA failures',
    severity: 'high',
    mitre: 'T1110',
    logic: '> 10 admin_2fa_error by the same administrator in a sliding 10 min',
    action: 'admin_2fa_error',
    windowMs: 10 * MINUTE,
    threshold: 11,
  }),
  adminAction({
    id: 'duo.admin_created',
    title: 'Administrator account created',
    severity: 'high',
    mitre: 'T1098',
    logic: 'admin action admin_create',
    actions: ['admin_create'],
  }),
  adminAction({
    id: 'duo.admin_deleted',
    title: 'Administrator account deleted',
    severity: 'medium',
    mitre: 'T1098',
    logic: 'admin action admin_delete',
    actions: ['admin_delete'],
  }),
  adminAction({
    id: 'duo.admin_password_reset',
    title: 'Administrator password reset',
    severity: 'medium',
    mitre: 'T1098',
    logic: 'admin action admin_reset_password',
    actions: ['admin_reset_password'],
  }),
  adminAction({
    id: 'duo.admin_lockout',
    title: 'Administrator locked out',
    severity: 'medium',
    mitre: 'T1110',
    logic: 'admin action admin_lockout',
    actions: ['admin_lockout'],
  }),
  adminAction({
    id: 'duo.skey_viewed',
    title: 'An integration secret key was viewed',
    severity: 'medium',
    mitre: 'T1552',
    logic: 'admin action integration_skey_view',
    actions: ['integration_skey_view'],
  }),
  adminAction({
    id: 'duo.admin_api_created',
    title: 'New Admin API application created',
    severity: 'high',
    mitre: 'T1098',
    logic: 'integration_create whose description type is Admin API',
    actions: ['integration_create'],
    when: (e) => /admin api/i.test(text(descriptionField(e.description, 'type'))),
  }),
  adminAction({
    id: 'duo.policy_changed',
    title: 'Policy changed or deleted',
    severity: 'medium',
    mitre: 'T1556',
    logic: 'admin action policy_update or policy_delete',
    actions: ['policy_update', 'policy_delete'],
  }),
  adminBurst({
    id: 'duo.policy_bulk_delete',
    title: 'Several policies deleted in a short time',
    severity: 'high',
    mitre: 'T1556',
    logic: '> 3 policy_delete by the same administrator in a sliding 10 min',
    action: 'policy_delete',
    windowMs: 10 * MINUTE,
    threshold: 4,
  }),
  adminAction({
    id: 'duo.admin_sso_disabled',
    title: 'Administrator SSO requirement disabled',
    severity: 'high',
    mitre: 'T1556',
    logic: 'admin_single_sign_on_update with enforcement_status not required',
    actions: ['admin_single_sign_on_update'],
    when: (e) => {
      const status = descriptionField(e.description, 'enforcement_status');
      return typeof status === 'string' && status.toLowerCase() !== 'required';
    },
  }),
  adminAction({
    id: 'duo.user_to_bypass',
    title: 'User put in bypass status',
    severity: 'high',
    mitre: 'T1556',
    logic: 'user_update whose description sets status Bypass',
    actions: ['user_update'],
    when: (e) => {
      const status = descriptionField(e.description, 'status');
      return typeof status === 'string' && status.toLowerCase() === 'bypass';
    },
  }),
  adminAction({
    id: 'duo.bypass_viewed',
    title: 'Bypass code viewed',
    severity: 'medium',
    mitre: 'T1098',
    logic: 'admin action bypass_view',
    actions: ['bypass_view'],
  }),
];
