/** The detect capability's door: outside code imports only this file. */
export { detectCapability } from './capability.js';
export { detectConfigSchema, type DetectConfig } from './config-schema.js';
export { checkDetectConfig } from './settings.js';
export { catalogue } from './rules/index.js';
export type { Rule, RuleHeader } from './rule.js';
export { DetectError } from './errors.js';
