export {
  createRateLimiter,
  DEFAULT_RATE_LIMITS,
  type RateClass,
  type RateLimiter,
  type RateLimitOptions,
} from './rate-limiter.js';
