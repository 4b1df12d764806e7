// The dashboard's Prometheus-text reader (src/monitor/prometheus-text.ts) on prom-client's own output.
import { Counter, Histogram, Registry } from 'prom-client';
import { expect, test } from 'vitest';
import { buckets, parsePrometheusText, quantileBetween, total } from '../../src/monitor/prometheus-text.js';

test('samples, sums by label, and histogram quantiles between two scrapes as histogram_quantile computes them', async () => {
  const registry = new Registry();
  const c = new Counter({ name: 'reqs_total', help: 'h', labelNames: ['code', 'route'], registers: [registry] });
  const h = new Histogram({ name: 'lat_seconds', help: 'h', buckets: [0.1, 0.2, 0.4], registers: [registry] });
  c.inc({ code: '200', route: 'a "quoted" \\ route' }, 5);
  c.inc({ code: '400', route: 'b' }, 2);
  h.observe(0.05);
  const before = parsePrometheusText(await registry.metrics());
  for (const v of [0.15, 0.15, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 5]) h.observe(v); // 2 in (0.1, 0.2], 7 in (0.2, 0.4], 1 above
  const after = parsePrometheusText(await registry.metrics());
  expect(total(after, 'reqs_total')).toBe(7);
  expect(total(after, 'reqs_total', { code: '400' })).toBe(2);
  expect(after.find((s) => s.name === 'reqs_total' && s.labels.code === '200')!.labels.route).toBe('a "quoted" \\ route');
  expect([...buckets(after, 'lat_seconds')]).toEqual([[0.1, 1], [0.2, 3], [0.4, 10], [Infinity, 11]]);
  const b0 = buckets(before, 'lat_seconds');
  const b1 = buckets(after, 'lat_seconds');
  // 10 new observations: the median's rank 5 lies 3 into the 7 of (0.2, 0.4]
  expect(quantileBetween(b0, b1, 0.5)).toBeCloseTo(0.2 + (0.2 * 3) / 7, 12);
  expect(quantileBetween(b0, b1, 0.1)).toBeCloseTo(0.1 + 0.1 * (1 / 2), 12);
  expect(quantileBetween(b0, b1, 0.99)).toBe(0.4); // in the +Inf bucket: its lower bound
  expect(quantileBetween(b1, b1, 0.5)).toBeNull(); // nothing observed in between
});
