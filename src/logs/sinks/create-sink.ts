import { hostname } from 'node:os';
import { createFileSink } from './file-sink.js';
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
      return createSyslogSink({
        name,
        transport: config.transport,
        host: config.host,
        port: config.port ?? (config.transport === 'tls' ? 6514 : 514),
        // RFC 5425: TLS always uses octet counting.
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
      });
    default:
      throw new SinkError('sink.config', name, `sink type ${config.type} is not available in this build yet`);
  }
}
