/**
 * The logs capability's door (docs/logs.md): the collector (streams, cursors, checkpoints, delivery) and its
 * sinks (docs/log-sinks.md). Outside code imports only this file.
 */
export { logsCapability } from './capability.js';
export { LogsError, type LogsErrorCode } from './errors.js';
export { LOG_STREAMS, STREAM_SPECS, eventId, type LogStream } from './streams.js';
export {
  checkpointRepository,
  type CheckpointRepository,
  type StreamKey,
  type StreamRecord,
} from './checkpoint.repository.js';
export { collectOrg, type CollectOptions, type CollectorDeps, type StreamReport } from './collect-org.js';
export { logsConfigSchema, ROUTE_STREAMS, type RouteStream, type RouteCondition } from './config-schema.js';
export {
  normaliseLogsConfig,
  sinkSettings,
  type ConfiguredSink,
  type LogRoute,
  type LogsConfig,
} from './logs-config.js';
