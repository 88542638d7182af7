/**
 * Log sinks: where collected Duo events go (docs/log-sinks.md). The collector builds sinks with `createSink`
 * from the resolved `sinks` configuration or a `--sink` spec, and relies on the `LogSink` contract.
 */
export type {
  AlertEvent,
  DeliveryGuarantee,
  LogFormat,
  LogSink,
  SinkErrorCode,
  SinkEvent,
  SinkStats,
} from './types.js';
export { SinkError } from './types.js';
export { formatEvent, formatLines } from './format.js';
export { formatRaw } from './format-raw.js';
export { ECS_VERSION, ecsDataset, formatEcs, formatEcsAlert } from './format-ecs.js';
export { severityOf } from './event-fields.js';
export type { DuowatchTag } from './format-raw.js';
export { createFileSink } from './file-sink.js';
export type { FileSinkOptions } from './file-sink.js';
export { createStdoutSink } from './stdout-sink.js';
export type { LineWriter, StdoutSinkOptions } from './stdout-sink.js';
export {
  logStreamNames,
  resolveSinksConfig,
  sinkConfigSchema,
  sinkNameSchema,
  sinksConfigSchema,
} from './sink-config.js';
export type {
  ElasticsearchSinkConfig,
  FileSinkConfig,
  HecSinkConfig,
  ParsedSinkConfig,
  ResolveSinksOptions,
  ResolvedTls,
  SinkConfig,
  SinkConfigInput,
  StdoutSinkConfig,
  SyslogSinkConfig,
  WebhookSinkConfig,
} from './sink-config.js';
export { SinkSpecError, parseSinkSpec } from './sink-spec.js';
export type { SinkSpec } from './sink-spec.js';
export { createSink } from './create-sink.js';
export type { SinkDeps } from './create-sink.js';
export { createSyslogSink } from './syslog-sink.js';
export type { SyslogSinkOptions } from './syslog-sink.js';
export {
  FACILITIES,
  SD_ID,
  TRUNCATION_MARKER,
  frame,
  syslogMessage,
  syslogSeverity,
  truncateMessage,
} from './syslog-message.js';
export type { FacilityName, SyslogMessageOptions } from './syslog-message.js';
export { cefHeader, cefValue, formatCef } from './format-cef.js';
export { createReliableSink } from './reliable-sink.js';
export type { ReliableSinkOptions, ReliableState } from './reliable-sink.js';
export { createElasticsearchSink, dataStreamFor } from './elasticsearch-sink.js';
export type { ElasticsearchSinkOptions } from './elasticsearch-sink.js';
export { createHttpPoster, redactUrl } from './http-post.js';
export type { HttpAnswer, HttpPoster } from './http-post.js';
export { createHecSink } from './hec-sink.js';
export type { HecSinkOptions } from './hec-sink.js';
export { createWebhookSink, webhookSignature } from './webhook-sink.js';
export type { WebhookSinkOptions } from './webhook-sink.js';
