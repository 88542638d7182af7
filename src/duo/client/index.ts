export { createDuoClient, type DuoClient, type DuoClientOptions } from './create-client.js';
export {
  createRequester,
  type DuoRequest,
  type DuoReply,
  type DuoCredentials,
  type RequestLogEvent,
} from './core.js';
export { systemClock, SkewTracker, type Clock } from './clock.js';
export {
  LimiterRegistry,
  DEFAULT_RATES,
  SLOT_MARGIN_MS,
  endpointClassOf,
  parseLogBudget,
  type EndpointClass,
  type LimiterRegistryOptions,
} from './limiter.js';
export { DEFAULT_RETRY, nextDelay, type RetryPolicy } from './retry.js';
export { sendHttp, type HttpDispatcher, type HttpRequest, type HttpReply } from './http.js';
