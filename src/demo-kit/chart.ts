// A live line chart over uPlot: x = training step, one line per metric, loss on the left axis and
// accuracies (0..1) on the right. push() is cheap; the redraw happens at most once per animation frame.
import uPlot from 'uplot';

export interface MetricSeries {
  label: string;
  color: string;
  /** 'loss' (left axis, auto range) or 'acc' (right axis, 0..1). */
  scale: 'loss' | 'acc';
  /** Draw each point as a dot (for sparse series, e.g. a test accuracy measured every 100 steps). */
  points?: boolean;
  /** Dash pattern of the line (e.g. [6, 4] for a reference level such as a baseline). */
  dash?: number[];
}

export class MetricsChart {
  readonly plot: uPlot;
  private data: number[][];
  private pending = false;

  constructor(parent: HTMLElement, series: MetricSeries[], { width = 560, height = 260 } = {}) {
    this.data = [[], ...series.map(() => [])];
    this.plot = new uPlot(
      {
        width,
        height,
        scales: { x: { time: false }, loss: { auto: true }, acc: { range: [0, 1] } },
        axes: [
          { label: 'step' },
          { scale: 'loss', label: 'loss' },
          { scale: 'acc', side: 1, label: 'accuracy', grid: { show: false } },
        ],
        series: [{ label: 'step' }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, scale: s.scale, spanGaps: true, points: { show: s.points ?? false, size: 7, fill: s.color }, ...(s.dash ? { dash: s.dash } : {}) }))],
        legend: { live: false },
      },
      this.data as uPlot.AlignedData,
      parent,
    );
  }

  /** Adds one point per series at x (null leaves a gap in that series). */
  push(x: number, ys: (number | null)[]): void {
    this.data[0].push(x);
    ys.forEach((y, i) => this.data[i + 1].push(y as number));
    if (this.pending) return;
    this.pending = true;
    const redraw = () => {
      this.pending = false;
      this.plot.setData(this.data as uPlot.AlignedData);
    };
    // animation frames stop in background tabs; a timer keeps the chart current there too
    if (typeof document !== 'undefined' && document.visibilityState === 'visible') requestAnimationFrame(redraw);
    else setTimeout(redraw, 250);
  }

  get points(): number {
    return this.data[0].length;
  }
}
