// The live training of a demo page: the shared loop (src/train/loop.ts) with start/pause, one step at a
// time on the page's GPU queue, and loss, accuracy, samples/s and step time published after every step.
//
// Step time: the WALL time of a step, from the first op recorded to the loss read back (record + plan
// + submit + GPU + readback), and, where the adapter has timestamp queries, the GPU time of the step's
// one compute pass (sg.gpuTiming / sg.lastGpuMs).
import * as sg from '../index.js';
import { trainLoop, type StepGraph } from '../train/loop.js';
import { MetricsChart } from './chart.js';
import { GpuQueue, demo, fmt, pct, publish, setState, showError } from './page.js';

export interface TrainLoopOptions<B> {
  optimizer: sg.optim.Optimizer;
  /** The page's batches, endless (see endless()); pausing leaves them where they were. */
  batches: Iterator<B>;
  /** Records one batch's forward and loss (src/train/loop.ts's classification()). */
  record: (batch: B) => StepGraph;
  button: HTMLButtonElement;
  stats: HTMLElement;
  chart: MetricsChart;
  gpu: GpuQueue;
  /** Accuracy is averaged over this many recent steps (default 20). */
  window?: number;
  /** Called after each step (e.g. redraw a decision boundary every few steps). */
  afterStep?: (step: number) => Promise<void> | void;
  /** Extra chart series values per step, after loss and running accuracy. */
  extraSeries?: () => (number | null)[];
}

export class TrainLoop<B> {
  running = false;
  private recent: { correct: number; samples: number; ms: number }[] = [];
  private loopDone: Promise<void> = Promise.resolve();

  /** Whether the adapter can time the GPU work of a step. */
  private readonly gpuTimed: boolean;

  constructor(private readonly o: TrainLoopOptions<B>) {
    this.gpuTimed = sg.gpuTiming(true);
    o.button.addEventListener('click', () => (this.running ? this.pause() : this.start()));
    this.render();
  }

  start(): void {
    if (this.running || demo.state === 'error') return;
    this.running = true;
    this.o.button.textContent = 'Pause';
    setState('running');
    this.loopDone = this.loop();
  }

  /** Stops after the current step; resolves once it has. */
  async pause(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.o.button.textContent = 'Resume';
    await this.loopDone;
    if (demo.state === 'running') setState('paused');
  }

  private async loop(): Promise<void> {
    const windowSize = this.o.window ?? 20;
    try {
      await trainLoop({
        optimizer: this.o.optimizer,
        batches: this.o.batches,
        record: this.o.record,
        runStep: (step) => this.o.gpu.run(step),
        keepGoing: () => this.running,
        onStep: async ({ ms, ...r }) => {
          if (this.gpuTimed) demo.stepGpuMs = await sg.lastGpuMs();
          this.recent.push({ correct: r.correct, samples: r.samples, ms });
          if (this.recent.length > windowSize) this.recent.shift();
          const correct = this.recent.reduce((s, x) => s + x.correct, 0);
          const samples = this.recent.reduce((s, x) => s + x.samples, 0);
          const totalMs = this.recent.reduce((s, x) => s + x.ms, 0);
          demo.step += 1;
          demo.loss = r.loss;
          demo.accuracy = correct / samples;
          demo.samplesPerSec = (1000 * samples) / totalMs;
          demo.stepMs = ms;
          demo.history.push({ step: demo.step, loss: r.loss, accuracy: demo.accuracy });
          this.o.chart.push(demo.step, [r.loss, demo.accuracy, ...(this.o.extraSeries?.() ?? [])]);
          await this.o.afterStep?.(demo.step);
          this.render();
          publish();
          // let input events and the chart's frame in between steps
          await new Promise((resolve) => setTimeout(resolve, 0));
        },
      });
    } catch (e) {
      this.running = false;
      showError(e);
    }
  }

  private render(): void {
    this.o.stats.replaceChildren(
      ...[
        ['step', String(demo.step)],
        ['loss', fmt(demo.loss)],
        ['accuracy (last steps)', pct(demo.accuracy)],
        ['samples/s', demo.samplesPerSec === null ? '–' : Math.round(demo.samplesPerSec).toLocaleString('en-US')],
        ['step wall time (record → readback)', demo.stepMs === null ? '–' : `${demo.stepMs.toFixed(1)} ms`],
        ['step GPU time (timestamp queries)', !this.gpuTimed ? 'not offered by this adapter' : demo.stepGpuMs === null ? '–' : `${demo.stepGpuMs.toFixed(2)} ms`],
      ].map(([k, v]) => {
        const d = document.createElement('div');
        d.innerHTML = `<span class="k"></span><span class="v"></span>`;
        d.children[0].textContent = k;
        d.children[1].textContent = v;
        return d;
      }),
    );
  }
}
