import { hostname } from 'node:os';
import { join } from 'node:path';
import { createReliableSink } from './reliable-sink.js';
import type { AlertRaiser } from '../../app/index.js';
import { createElasticsearchSink } from './elasticsearch-sink.js';
import { createFileSink } from './file-sink.js';
import { createHecSink } from './hec-sink.js';
import { createHttpPoster } from './http-post.js';
import { createWebhookSink } from './webhook-sink.js';
import { createSyslogSink } from './syslog-sink.js';
import type { SinkConfig } from './sink-config.js';
import { createStdoutSink } from './stdout-sink.js';
import type { LineWriter } from './stdout-sink.js';
import type { LogSink } from './types.js';
import { SinkError } from './types.js';

/** What sinks take from the process around them; every field has a default. */
export interface SinkDeps {
  readonly clock?: () => number;
  readonly stdout?: LineWriter;
  /** The data directory: spill queues default to `<dataDir>/spill/<sink>`, dead letters to `<dataDir>/dead-letter/`. */
  readonly dataDir?: string;
  /** Raises alerts (the Elasticsearch sink's dead letters). */
  readonly alerts?: AlertRaiser;
  /** Told about failed attempts of network sinks (they are retried; this is for logs). */
  readonly onError?: (error: SinkError, context: { queued: number; attempt: number }) => void;
}

type NetworkConfig = Extract<SinkConfig, { spill: unknown }>;

/** RELP has no registered port; 2514 is the one rsyslog's imrelp documentation uses. */
const DEFAULT_SYSLOG_PORT = { udp: 514, tcp: 514, tls: 6514, relp: 2514, 'relp-tls': 2514 } as const;

/** Network sinks get retry + the disk spill queue (docs/log-sinks.md, "When a SIEM is down"). */
function reliable(name: string, config: NetworkConfig, inner: LogSink, deps: SinkDeps): LogSink {
  const spillDir =
    config.spill.maxBytes === 0
      ? null
      : (config.spill.dir ??
        (deps.dataDir === undefined ? null : join(deps.dataDir, 'spill', safeName(name))));
  return createReliableSink(inner, {
    spillDir,
    maxSpillBytes: config.spill.maxBytes,
    baseDelayMs: config.retry.baseDelayMs,
    maxDelayMs: config.retry.maxDelayMs,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
}

/** Splits large batches into requests of at most `size` events, in order. */
function batched(inner: LogSink, size: number): LogSink {
  return {
    ...inner,
    name: inner.name,
    guarantee: inner.guarantee,
    async send(batch, signal): Promise<void> {
      for (let i = 0; i < batch.length; i += size) await inner.send(batch.slice(i, i + size), signal);
    },
    close: () => inner.close(),
  };
}

/** A sink name as a directory name (CLI names like `file:/x` carry slashes). */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Builds one sink from its resolved configuration (`resolveSinksConfig` or `parseSinkSpec`). */
export function createSink(name: string, config: SinkConfig, deps: SinkDeps = {}): LogSink {
  switch (config.type) {
    case 'stdout':
      return createStdoutSink({ name, format: config.format, ...(deps.stdout ? { out: deps.stdout } : {}) });
    case 'file':
      return createFileSink({
        name,
        path: config.path,
        format: config.format,
        maxBytes: config.rotate.maxBytes,
        maxAgeMs: config.rotate.maxAgeHours * 3_600_000,
        gzip: config.rotate.gzip,
        maxFiles: config.rotate.maxFiles,
        ...(deps.clock ? { clock: deps.clock } : {}),
      });
    case 'syslog':
      return reliable(
        name,
        config,
        createSyslogSink({
          name,
          transport: config.transport,
          host: config.host,
          port: config.port ?? DEFAULT_SYSLOG_PORT[config.transport],
          // RFC 5425: TLS always uses octet counting (RELP has its own framing and ignores this).
          framing: config.transport === 'tls' ? 'octet-counting' : config.framing,
          maxMessageBytes: config.maxMessageBytes,
          message: {
            facility: config.facility,
            facilities: config.facilities,
            appName: config.appName,
            hostname: config.hostname ?? hostname(),
            msgids: config.msgids,
            body: config.body,
            format: config.format,
            bom: config.bom,
          },
          tls: config.tls,
          timeoutMs: config.timeoutMs,
          window: config.window,
        }),
        deps,
      );
    case 'elasticsearch': {
      const deadLetterFile =
        config.deadLetterFile ??
        (deps.dataDir === undefined ? null : join(deps.dataDir, 'dead-letter', `${safeName(name)}.ndjson`));
      if (deadLetterFile === null) {
        throw new SinkError('sink.config', name, 'set deadLetterFile (or run with a data directory)');
      }
      const inner = createElasticsearchSink({
        name,
        url: config.url,
        apiKey: config.apiKey,
        namespace: config.namespace,
        deadLetterFile,
        http: createHttpPoster(name, config.tls, config.timeoutMs),
        ...(deps.alerts ? { alerts: deps.alerts } : {}),
        ...(deps.clock ? { clock: deps.clock } : {}),
      });
      return reliable(name, config, batched(inner, config.batchSize), deps);
    }
    case 'hec': {
      const inner = createHecSink({
        name,
        url: config.url,
        token: config.token,
        format: config.format,
        ...(config.index === undefined ? {} : { index: config.index }),
        sourcetype: config.sourcetype,
        source: config.source,
        ...(config.host === undefined ? {} : { host: config.host }),
        gzip: config.gzip,
        ack: config.ack,
        http: createHttpPoster(name, config.tls, config.timeoutMs),
        ...(deps.clock ? { clock: deps.clock } : {}),
      });
      return reliable(name, config, batched(inner, config.batchSize), deps);
    }
    case 'webhook': {
      const inner = createWebhookSink({
        name,
        url: config.url,
        format: config.format,
        secret: config.secret,
        headers: config.headers,
        http: createHttpPoster(name, config.tls, config.timeoutMs),
        ...(deps.clock ? { clock: deps.clock } : {}),
      });
      return reliable(name, config, batched(inner, config.batchSize), deps);
    }
  }
}
