import { h } from './dom.js';

const LEVEL = { pass: 0, warning: 1, fail: 2 };

/**
 * A signal's history with uPlot (served locally from /vendor/uplot): status as 0/1/2 and, when the signal
 * has one, its key metric. A text summary sits next to the chart for screen readers.
 */
export function historyChart(box, records, metricKey, days) {
  if (!records.length) {
    box.append(h('p', {}, 'No history in this range yet.'));
    return;
  }
  const xs = records.map((r) => Math.floor(new Date(r.finishedAt).getTime() / 1000));
  const windowStart = Date.now() / 1000 - (days || 30) * 86400;
  const status = records.map((r) => LEVEL[r.status] ?? null);
  const series = [
    {},
    { label: 'status (0 pass, 1 warning, 2 fail)', stroke: '#8a1c1c', width: 2, scale: 'status' },
  ];
  const data = [xs, status];
  const metric = metricKey
    ? records.map((r) => (typeof r.metrics[metricKey] === 'number' ? r.metrics[metricKey] : null))
    : null;
  if (metric && metric.some((v) => v !== null)) {
    series.push({ label: metricKey, stroke: '#1d4f91', width: 2, scale: 'metric' });
    data.push(metric);
  }
  const counts = records.reduce((acc, r) => ((acc[r.status] = (acc[r.status] || 0) + 1), acc), {});
  box.append(
    h(
      'p',
      { class: 'sr-only' },
      records.length +
        ' records: ' +
        Object.entries(counts)
          .map(([k, v]) => v + ' ' + k)
          .join(', ') +
        '.',
    ),
  );
  const UPlot = window.uPlot;
  if (!UPlot) return;
  const width = Math.max(260, Math.min(box.clientWidth || 480, 640));
  // uPlot styles its nodes through the CSSOM (el.style), which the CSP's style-src does not restrict.
  new UPlot(
    {
      width,
      height: 160,
      series,
      // The x axis always spans the requested window, so a single early record does not stretch it to years.
      scales: {
        x: {
          time: true,
          range: () => [
            xs[0] < windowStart ? xs[0] : windowStart,
            Math.max(Date.now() / 1000, xs[xs.length - 1]),
          ],
        },
        status: { range: [0, 2] },
      },
      axes: [
        {},
        { scale: 'status', values: (u, v) => v.map((x) => ['pass', 'warn', 'fail'][x] || '') },
        ...(data.length > 2 ? [{ scale: 'metric', side: 1 }] : []),
      ],
      legend: { show: true },
    },
    data,
    box,
  );
}

/** Factor distribution as <meter> bars: accessible as values, no inline styles needed. */
export function factorBars(factors) {
  const entries = Object.entries(factors).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((s, [, n]) => s + n, 0) || 1;
  return h(
    'div',
    { class: 'factors' },
    h('h4', {}, 'Factor distribution'),
    h(
      'ul',
      {},
      entries.map(([name, n], i) =>
        h(
          'li',
          {},
          h(
            'label',
            { for: 'f-' + name + i },
            name.replace(/_/g, ' ') + ': ' + n + ' (' + ((n / total) * 100).toFixed(1) + ' %)',
          ),
          h('meter', { id: 'f-' + name + i, min: 0, max: total, value: n }, n + ' of ' + total),
        ),
      ),
    ),
  );
}
