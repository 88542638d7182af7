import type { Rule } from '../rule.js';
import { activityRules } from './activity-rules.js';
import { adminRules } from './admin-rules.js';
import {
  anomalousPushDenied,
  bypassUsed,
  endpointTrustFailure,
  fraud,
  manyFailures,
  mfaFatigue,
  mfaFatigueSuccess,
  unexpectedFactor,
} from './auth-rules.js';
import {
  impossibleTravel,
  newCountry,
  newIp,
  rememberedDeviceExcessive,
  rememberedDeviceNewLocation,
} from './location-rules.js';
import { telephonyCredits, telephonyManyNumbers, trustMonitor } from './other-rules.js';

/** The whole catalogue (docs/detect.md lists each with its logic, window and default threshold). */
export const catalogue: readonly Rule[] = [
  fraud,
  mfaFatigue,
  mfaFatigueSuccess,
  bypassUsed,
  newIp,
  newCountry,
  impossibleTravel,
  rememberedDeviceExcessive,
  rememberedDeviceNewLocation,
  anomalousPushDenied,
  endpointTrustFailure,
  manyFailures,
  unexpectedFactor,
  ...adminRules,
  telephonyCredits,
  telephonyManyNumbers,
  trustMonitor,
  ...activityRules,
];
