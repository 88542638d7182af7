/** Rules over the authentication log (one event, or a sliding count per user). */
import { defineRule, MINUTE, type Firing } from '../rule.js';
import type { DetectEvent } from '../detect-event.js';
import { LastAnswer } from '../last-answer.js';
import { asDigest } from './digest.js';
import { bypassDaysSeen, hasHistory, isNew, LOCATION_PARAMS, orgKnown } from './history.js';

const one = (e: DetectEvent): Firing | null =>
  e.user === null ? null : { entity: e.user, eventIds: [e.id] };

/** A push or phone call the user refused, ignored or that timed out (the MFA-fatigue signal). */
const FATIGUE_REASONS = new Set(['user_mistake', 'no_response', 'user_cancelled', 'anomalous_push']);
const PUSH_FACTORS = new Set(['duo_push', 'phone_call', 'verified_duo_push']);
export function isFatigueDenial(e: DetectEvent): boolean {
  if (e.result !== 'denied' || e.reason === null) return false;
  if (FATIGUE_REASONS.has(e.reason)) return true;
  return e.reason.includes('timeout') && (e.factor === null || PUSH_FACTORS.has(e.factor));
}

export const fraud = defineRule({
  id: 'duo.fraud',
  title: 'User reported a Duo request as fraud',
  severity: 'high',
  mitre: 'T1621',
  entity: 'user',
  streams: ['auth'],
  results: ['fraud'],
  suppressionMs: 15 * MINUTE,
  logic: 'result == fraud (single event)',
  evaluate: (e) => (e.result === 'fraud' ? one(e) : null),
});

export const mfaFatigue = defineRule({
  id: 'duo.mfa_fatigue',
  title: 'MFA fatigue: many denied pushes or calls for one user',
  severity: 'high',
  mitre: 'T1621',
  entity: 'user',
  streams: ['auth'],
  results: ['denied'],
  windowMs: 10 * MINUTE,
  threshold: 5,
  suppressionMs: 30 * MINUTE,
  logic:
    '≥ 5 denied push/phone (user_mistake, no_response, user_cancelled, anomalous_push, timeout) per user in a sliding 10 min',
  evaluate(e, ctx) {
    if (ctx.entity === null || e.user === null || !isFatigueDenial(e)) return null;
    const w = ctx.window(ctx.entity);
    w.add(e.ts, e.id);
    const n = w.count(e.ts);
    return n >= ctx.settings.threshold
      ? { entity: e.user, eventIds: w.eventIds(), facts: { denials: n } }
      : null;
  },
});

export const mfaFatigueSuccess = defineRule({
  id: 'duo.mfa_fatigue_success',
  title: 'MFA fatigue followed by a successful login',
  severity: 'critical',
  mitre: 'T1621',
  entity: 'user',
  streams: ['auth'],
  results: ['denied', 'success'],
  windowMs: 10 * MINUTE,
  threshold: 5,
  suppressionMs: 30 * MINUTE,
  logic: 'a success for a user with ≥ 5 fatigue denials in the 10 min before it',
  evaluate(e, ctx) {
    if (ctx.entity === null || e.user === null) return null;
    if (isFatigueDenial(e)) {
      ctx.window(ctx.entity).add(e.ts, e.id);
      return null;
    }
    if (e.result !== 'success') return null;
    const w = ctx.existingWindow(ctx.entity); // a user never denied has none
    if (w === null) return null;
    const n = w.count(e.ts);
    if (n < ctx.settings.threshold) return null;
    const ids = [...w.eventIds(), e.id];
    w.clear(); // one success ends the burst
    return { entity: e.user, eventIds: ids, facts: { denials: n } };
  },
});

/**
 * A login without MFA. What a SOC needs to hear about is a bypass that is new or out of place, not every login
 * of an account that has been in bypass status for months (that is a posture finding: the compliance evidence
 * lists bypass users, and `duo.user_to_bypass` catches the change on the admin log). So:
 * - a bypass code from the company's own networks (`allow.trustedNetworks`) or an address the user already uses
 *   is the help-desk case: no alert; from a new address in a country the user knows: medium; from a new country,
 *   or for a user without history: high;
 * - bypass status fires (high) when the user has history but no bypass login in the baseline period (newly in
 *   bypass). A long-standing bypass account from a country new for it fires high when the country is new to the
 *   organization too, medium when colleagues passed MFA there recently (a company travel destination: the
 *   business trip of a user the help desk left in bypass; `duo.new_country` fires on it as well).
 */
export const bypassUsed = defineRule({
  id: 'duo.bypass_used',
  title: 'Login without MFA (bypass status or bypass code) that is new or out of place',
  severity: 'high',
  mitre: 'T1556',
  entity: 'user',
  streams: ['auth'],
  results: ['success'],
  suppressionMs: 5 * MINUTE,
  params: { ...LOCATION_PARAMS, orgUsers: 2 },
  logic:
    'success with factor == bypass_code from outside trusted networks and from an IP new for the user (medium; high from a new country or without history), or with reason == bypass_user when the user had no bypass login in the 14-day baseline (high) or comes from a new country (high; medium when 2 other users of the organization logged in from it)',
  evaluate(e, ctx) {
    if (e.result !== 'success' || e.user === null || ctx.allow.serviceAccount(e.user)) return null;
    if (e.factor !== 'bypass_code' && e.reason !== 'bypass_user') return null; // most logins: nothing to look up
    const b = ctx.baseline;
    const history = b !== null && hasHistory(e, ctx);
    const newCountry = b !== null && e.country !== null && isNew(b.countries, e.country, e, ctx);
    if (e.factor === 'bypass_code') {
      if (history && (ctx.allow.trustedIp(e.ip) || (e.ip !== null && !isNew(b.ips, e.ip, e, ctx))))
        return null;
      return {
        entity: e.user,
        eventIds: [e.id],
        severity: !history || newCountry ? 'high' : 'medium',
        facts: { bypass: 'code', history, newCountry },
      };
    }
    if (e.reason !== 'bypass_user' || !history) return null;
    const days = bypassDaysSeen(e, ctx);
    if (days > 0 && !newCountry) return null;
    const travel = days > 0 && e.country !== null && orgKnown('countries', e.country, e, ctx);
    return {
      entity: e.user,
      eventIds: [e.id],
      ...(travel ? { severity: 'medium' as const } : {}),
      facts: { bypass: 'status', bypassDaysInBaseline: days, newCountry, companyDestination: travel },
    };
  },
});

export const anomalousPushDenied = defineRule({
  id: 'duo.anomalous_push_denied',
  title: 'Duo denied an anomalous push',
  severity: 'medium',
  mitre: 'T1621',
  entity: 'user',
  streams: ['auth'],
  results: ['denied'],
  suppressionMs: 15 * MINUTE,
  logic: 'result == denied and reason == anomalous_push',
  evaluate: (e) => (e.result === 'denied' && e.reason === 'anomalous_push' ? one(e) : null),
});

const ENDPOINT_REASONS = new Set([
  'endpoint_is_not_in_management_system',
  'endpoint_failed_google_verification',
  'endpoint_is_not_trusted',
  'could_not_determine_if_endpoint_was_trusted',
  'invalid_device',
]);
/**
 * The rule reads every auth event's reason (it declares no `results`), and the set hashed each new event's string
 * again: 175 instructions per event in callgrind (docs/detect.md "Throughput, ninth pass"). The event view hands
 * out one string per run of equal reasons, so the last answer is found by identity.
 */
const endpointReason = new LastAnswer((r) => ENDPOINT_REASONS.has(r));

export const endpointTrustFailure = defineRule({
  id: 'duo.endpoint_trust_failure',
  title: 'Login refused: the endpoint is not trusted',
  severity: 'medium',
  mitre: 'T1078',
  entity: 'user',
  streams: ['auth'],
  suppressionMs: 15 * MINUTE,
  logic:
    'reason ∈ endpoint_is_not_in_management_system, endpoint_failed_google_verification, endpoint_is_not_trusted, could_not_determine_if_endpoint_was_trusted, invalid_device',
  evaluate: (e) => (e.reason !== null && endpointReason.of(e.reason) ? one(e) : null),
});

export const manyFailures = defineRule({
  id: 'duo.many_failures',
  title: 'Many failed or denied logins for one user',
  severity: 'medium',
  mitre: 'T1110',
  entity: 'user',
  streams: ['auth'],
  results: ['denied', 'failure'],
  windowMs: 10 * MINUTE,
  threshold: 11,
  suppressionMs: 30 * MINUTE,
  logic: '> 10 results denied or failure per user in a sliding 10 min',
  evaluate(e, ctx) {
    if (ctx.entity === null || e.user === null) return null;
    if (e.result !== 'denied' && e.result !== 'failure') return null;
    const w = ctx.window(ctx.entity);
    w.add(e.ts, e.id);
    const n = w.count(e.ts);
    return n >= ctx.settings.threshold
      ? { entity: e.user, eventIds: w.eventIds(), facts: { failures: n } }
      : null;
  },
});

/** Factors that skip or replace the second factor by policy, not by the user's choice. */
const POLICY_FACTORS = new Set(['trusted_network', 'remembered_device', 'bypass_code', 'not_available']);
/** The last answer kept: the engine hands the same factor string from event to event (detect-event.ts). */
const policyFactors = new LastAnswer((f) => POLICY_FACTORS.has(f));

export const unexpectedFactor = defineRule({
  id: 'duo.unexpected_factor',
  title: 'Logins with a factor outside the allowed list, e.g. SMS or phone call (daily digest)',
  severity: 'low',
  mitre: 'T1078',
  entity: 'org',
  streams: ['auth'],
  results: ['success'],
  suppressionMs: 24 * 60 * MINUTE,
  params: { digest: 1 },
  logic:
    'success with a factor not in allow.factors (default duo_push, duo_mobile_passcode, webauthn, hardware tokens); one digest per organization per day',
  evaluate: (e, ctx) =>
    e.result === 'success' &&
    e.user !== null &&
    e.factor !== null &&
    !policyFactors.of(e.factor) &&
    !ctx.allow.allowedFactor(e.factor) &&
    !ctx.allow.serviceAccount(e.user)
      ? asDigest('duo.unexpected_factor', e, ctx, {
          entity: e.user,
          eventIds: [e.id],
          facts: { phishableFactor: e.factor },
        })
      : null,
});
