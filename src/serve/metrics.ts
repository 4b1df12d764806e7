// Prometheus metrics of `shadergrad serve` (prom-client), on a registry of the server's own (so two
// servers in one process, as in the tests, do not share counters). Names follow Prometheus' conventions:
// base units (seconds), _total for counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the per-model gauges read at a scrape. */
export interface ModelState {
  latestVersion: number;
  driftAlert: boolean;
}

export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'shadergrad_requests_total', help: 'HTTP requests answered, by route and status code', labelNames: ['route', 'code'], registers: [this.registry] });
  readonly errors = new Counter({ name: 'shadergrad_request_errors_total', help: 'Requests answered with a 4xx or 5xx, by status code', labelNames: ['code'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'shadergrad_request_duration_seconds',
    help: 'Time from a request arriving to its answer, by route',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly instances = new Counter({ name: 'shadergrad_predicted_instances_total', help: 'Instances classified, by model and version', labelNames: ['model', 'version'], registers: [this.registry] });
  readonly batchSize = new Histogram({
    name: 'shadergrad_batch_size',
    help: 'Instances per GPU realization (dynamic batching: >1 when requests arrive together)',
    labelNames: ['model'],
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly gpuSeconds = new Histogram({
    name: 'shadergrad_gpu_seconds',
    help: 'Seconds per batch realization on the GPU: upload, every dispatch, read back (wall time around the submit)',
    labelNames: ['model'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly modelVersion: Gauge;
  readonly driftAlert: Gauge;

  /** `now()`: each model's latest version and drift alert, read at every scrape. */
  constructor(now: () => Record<string, ModelState>) {
    /** A gauge per model whose value is read from `now()` when Prometheus scrapes. */
    const stateGauge = (name: string, help: string, value: (s: ModelState) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['model'],
        registers: [this.registry],
        collect() {
          for (const [model, s] of Object.entries(now())) this.set({ model }, value(s));
        },
      });
    this.modelVersion = stateGauge('shadergrad_model_latest_version', 'The version a request without /versions/{v} gets, by model', (s) => s.latestVersion);
    this.driftAlert = stateGauge('shadergrad_drift_alert', '1 while the drift monitor of GET /v1/models/{name}/monitoring alerts, by model', (s) => (s.driftAlert ? 1 : 0));
    collectDefaultMetrics({ register: this.registry, prefix: 'shadergrad_process_' });
  }
}
