// The serving dashboard: polls a `shadergrad serve` (?server=URL&model=NAME) once a second and charts
// request rate, errors, p50/p99 latency and mean batch size (from differences of /metrics scrapes) and
// the drift statistics of /v1/models/{name}/monitoring. Needs no WebGPU: it only reads the server.
import uPlot from 'uplot';
import { byId, demo, el, setState, showError } from '../../src/demo-kit/page.js';
import { buckets, parsePrometheusText, quantileBetween, total, type Sample } from '../../src/monitor/prometheus-text.js';

const POLL_MS = 1000;
const KEEP = 300; // points per chart (5 minutes)

/** A uPlot line chart against wall-clock seconds; push() appends one point per series. */
class TimeChart {
  private data: number[][];
  private plot: uPlot;
  constructor(parent: HTMLElement, series: { label: string; color: string; scale?: string }[], axes: { scale: string; label: string; side?: number }[]) {
    this.data = [[], ...series.map(() => [])];
    this.plot = new uPlot(
      {
        width: 520,
        height: 220,
        scales: { x: { time: true } },
        axes: [{}, ...axes.map((a) => ({ scale: a.scale, label: a.label, side: a.side ?? 3, grid: { show: a.side !== 1 } }))],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, scale: s.scale ?? axes[0].scale, spanGaps: true }))],
      },
      this.data as uPlot.AlignedData,
      parent,
    );
  }
  push(ys: (number | null)[]): void {
    this.data[0].push(Date.now() / 1000);
    ys.forEach((y, i) => this.data[i + 1].push(y as number));
    if (this.data[0].length > KEEP) for (const d of this.data) d.shift();
    this.plot.setData(this.data as uPlot.AlignedData);
  }
}

interface Drift {
  alert: boolean;
  reasons: string[];
  count: number;
  enough: boolean;
  inputs: { psi: number[]; maxPsi: number };
  predictions: { js: number };
  dataQuality: { outOfRangeFraction: number; blankInstances: number; totalInstances: number };
  thresholds: { psi: number; js: number };
}

/** PSI as a colour: green below 0.1, amber to 0.25, red above. */
const psiColour = (p: number) => (p < 0.1 ? '#b7e4c7' : p < 0.25 ? '#ffe08a' : '#f4a6a6');

function main(): void {
  const params = new URLSearchParams(location.search);
  const serverInput = byId<HTMLInputElement>('server');
  const modelInput = byId<HTMLInputElement>('model');
  serverInput.value = params.get('server') ?? 'http://127.0.0.1:8501';
  modelInput.value = params.get('model') ?? 'mnist';
  byId('connect').addEventListener('click', () => (location.search = `?server=${encodeURIComponent(serverInput.value)}&model=${encodeURIComponent(modelInput.value)}`));
  const server = serverInput.value.replace(/\/$/, '');
  const model = modelInput.value;

  const traffic = new TimeChart(byId('traffic'), [{ label: 'requests/s', color: '#3d6fd8' }, { label: 'errors/s', color: '#c0392b' }], [{ scale: 'y', label: 'per second' }]);
  const latency = new TimeChart(
    byId('latency'),
    [{ label: 'p50 ms', color: '#1a8a3a' }, { label: 'p99 ms', color: '#c0392b' }, { label: 'mean batch', color: '#7a4fd8', scale: 'batch' }],
    [{ scale: 'y', label: 'ms' }, { scale: 'batch', label: 'instances per batch', side: 1 }],
  );
  const drift = new TimeChart(byId('drift'), [{ label: 'max input PSI', color: '#c0392b' }, { label: 'class JS divergence', color: '#3d6fd8' }], [{ scale: 'y', label: 'divergence' }]);

  let last: { t: number; samples: Sample[] } | null = null;
  demo.polls = 0;
  const predictRoute = { route: 'POST /v1/models/:name' };
  const tick = async () => {
    try {
      const [metricsText, monitoring] = await Promise.all([
        fetch(`${server}/metrics`).then((r) => r.text()),
        fetch(`${server}/v1/models/${encodeURIComponent(model)}/monitoring`).then((r) => r.json() as Promise<{ drift?: Drift; error?: string }>),
      ]);
      if (!monitoring.drift) throw new Error(monitoring.error ?? 'no drift report');
      const now = { t: performance.now(), samples: parsePrometheusText(metricsText) };
      if (last) {
        const dt = (now.t - last.t) / 1000;
        const rate = (name: string, match = {}) => (total(now.samples, name, match) - total(last!.samples, name, match)) / dt;
        const lat = ['shadergrad_request_duration_seconds', predictRoute] as const;
        const q = (p: number) => quantileBetween(buckets(last!.samples, ...lat), buckets(now.samples, ...lat), p);
        const batches = rate('shadergrad_batch_size_count');
        traffic.push([rate('shadergrad_requests_total', predictRoute), rate('shadergrad_request_errors_total')]);
        latency.push([q(0.5) === null ? null : 1000 * q(0.5)!, q(0.99) === null ? null : 1000 * q(0.99)!, batches > 0 ? rate('shadergrad_batch_size_sum') / batches : null]);
      }
      last = now;
      showDrift(monitoring.drift, drift);
      byId('conn').textContent = `● connected to ${server}`;
      demo.polls = (demo.polls as number) + 1;
      setState('running');
    } catch (e) {
      byId('conn').textContent = `✕ cannot read ${server} (${(e as Error).message}): is it running with --cors?`;
      demo.lastError = (e as Error).message;
    }
  };
  void tick();
  setInterval(tick, POLL_MS);
  setState('ready');
}

function showDrift(d: Drift, chart: TimeChart): void {
  demo.drift = d;
  chart.push([d.count ? d.inputs.maxPsi : null, d.count ? d.predictions.js : null]);
  const alert = byId('alert');
  alert.textContent = d.enough ? (d.alert ? 'ON' : 'off') : `off (only ${d.count} instances seen: not enough to judge)`;
  alert.className = d.alert ? 'on' : 'off';
  byId('reasons').textContent = d.reasons.join('; ');
  byId('psi').replaceChildren(...d.inputs.psi.map((p) => el('div', { style: `background:${psiColour(p)}`, title: `PSI ${p.toFixed(4)}` }, p.toFixed(2))));
  byId('quality').textContent =
    `window: ${d.count} instances; pixels outside [0, 1]: ${(100 * d.dataQuality.outOfRangeFraction).toFixed(2)}%; ` +
    `blank digits: ${d.dataQuality.blankInstances}; instances seen since start: ${d.dataQuality.totalInstances}. ` +
    `Thresholds: PSI ${d.thresholds.psi}, JS ${d.thresholds.js}.`;
}

try {
  main();
} catch (e) {
  showError(e);
}
