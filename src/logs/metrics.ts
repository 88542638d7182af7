import { Gauge, type Registry } from 'prom-client';
import type { LogsService, StreamView } from './service.js';

/**
 * Per stream and per sink, read at scrape time (as the health capability does): counters the database or
 * the sinks keep are exposed as gauges of monotonic values (`_total`), so they survive restarts where the
 * store keeps them and a scrape never changes them.
 */
export function registerLogsMetrics(registry: Registry, service: LogsService): void {
  const registers = [registry];
  let snapshot: { at: number; streams: Promise<StreamView[]> } | null = null;
  // One database read per scrape, shared by every stream gauge.
  const streams = (): Promise<StreamView[]> => {
    const now = Date.now();
    if (snapshot === null || now - snapshot.at > 1000) snapshot = { at: now, streams: service.streams() };
    return snapshot.streams;
  };
  const streamLabels = ['org', 'integration', 'account', 'stream'];
  const labels = (s: StreamView) => ({
    org: s.org,
    integration: s.integration,
    account: s.account,
    stream: s.stream,
  });
  const streamGauge = (name: string, help: string, value: (s: StreamView) => number | null): void => {
    if (registry.getSingleMetric(name) !== undefined) return;
    new Gauge({
      name,
      help,
      labelNames: streamLabels,
      registers,
      async collect() {
        this.reset();
        for (const s of await streams()) {
          const v = value(s);
          if (v !== null) this.set(labels(s), v);
        }
      },
    });
  };
  streamGauge(
    'duowatch_log_events_delivered_total',
    'Events delivered to every sink of the route, per stream',
    (s) => s.eventsTotal,
  );
  streamGauge(
    'duowatch_log_lag_seconds',
    'Seconds between the newest delivered event and now',
    (s) => s.lagSeconds,
  );
  streamGauge(
    'duowatch_log_backlog_events',
    'Estimated events not yet read from Duo',
    (s) => s.backlogEstimate,
  );
  streamGauge(
    'duowatch_log_events_per_second',
    'Events delivered per second over the last 10 minutes (this process)',
    (s) => s.eventsPerSecond,
  );
  streamGauge(
    'duowatch_log_stream_up',
    '1 when the stream is ok, 0 in back-off, paused or needing a grant',
    (s) => (s.status === 'ok' ? 1 : 0),
  );
  streamGauge(
    'duowatch_log_stream_needs_grant',
    '1 when Duo answered 40301: the Admin API application needs "Grant read log"',
    (s) => (s.needsGrant ? 1 : 0),
  );
  streamGauge('duowatch_log_newest_event_timestamp_seconds', 'Time of the newest delivered event', (s) =>
    s.newest === null ? null : s.newest / 1000,
  );

  if (registry.getSingleMetric('duowatch_log_sink_queue_events') === undefined)
    new Gauge({
      name: 'duowatch_log_sink_queue_events',
      help: "Events waiting in the sink's retry/spill queue",
      labelNames: ['sink', 'type'],
      registers,
      collect() {
        this.reset();
        for (const s of service.sinkViews()) this.set({ sink: s.name, type: s.type }, s.queueEvents);
      },
    });
  if (registry.getSingleMetric('duowatch_log_sink_queue_full') === undefined)
    new Gauge({
      name: 'duowatch_log_sink_queue_full',
      help: '1 when the spill queue is full: the routes to this sink stop advancing (nothing is dropped)',
      labelNames: ['sink', 'type'],
      registers,
      collect() {
        this.reset();
        for (const s of service.sinkViews()) this.set({ sink: s.name, type: s.type }, s.queueFull ? 1 : 0);
      },
    });
  if (registry.getSingleMetric('duowatch_log_sink_last_ack_timestamp_seconds') === undefined)
    new Gauge({
      name: 'duowatch_log_sink_last_ack_timestamp_seconds',
      help: 'When the receiver last acknowledged a batch (network sinks)',
      labelNames: ['sink', 'type'],
      registers,
      collect() {
        this.reset();
        for (const s of service.sinkViews())
          if (s.lastAck !== null) this.set({ sink: s.name, type: s.type }, s.lastAck / 1000);
      },
    });
  if (registry.getSingleMetric('duowatch_log_sink_counter_total') === undefined)
    new Gauge({
      name: 'duowatch_log_sink_counter_total',
      help: "The sink's own monotonic counters since start (sent, truncated, deadLettered, conflicts, failures …)",
      labelNames: ['sink', 'type', 'counter'],
      registers,
      collect() {
        this.reset();
        for (const s of service.sinkViews())
          for (const [counter, v] of Object.entries(s.stats))
            if (
              ![
                'queueEvents',
                'queueBatches',
                'queueBytes',
                'queueFull',
                'lastAckAt',
                'consecutiveFailures',
              ].includes(counter)
            )
              this.set({ sink: s.name, type: s.type, counter }, v);
      },
    });
}
