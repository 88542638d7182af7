export * from './admin.js';
export * from './logs.js';
export * from './auth-api.js';
export * from './device-api.js';
export * from './accounts.js';
export { openEnum } from './lenient.js';
export {
  parseEnvelope,
  parseResponse,
  v1PagingSchema,
  type RawReply,
  type ReplyContext,
  type DuoEnvelope,
} from './envelope.js';
