/**
 * Cadences from the compliance specification ("Sync schedule"), in UTC. The scheduler owns the timers; these are the
 * values it should register. "Sync now" queues an identity sync only; the auth-log poll keeps its slot.
 */
export const IDENTITY_SYNC_CRON = '0 */4 * * *';
/** :30 rather than :00 to spread load away from other hourly integrations (specification). */
export const AUTH_LOG_POLL_CRON = '30 * * * *';
