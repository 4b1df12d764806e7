// 2-D toy classifier: three spiral arms, an MLP, and its decision regions redrawn as it trains.
import * as sg from '../../src/index.js';
import { MetricsChart } from '../../src/demo-kit/chart.js';
import { GpuQueue, bootDemo, byId, demo, showError } from '../../src/demo-kit/page.js';
import { TrainLoop } from '../../src/demo-kit/trainer.js';
import { classification, endless } from '../../src/train/loop.js';

const CLASSES = 3;
const PER_CLASS = 100;
const GRID = 64;
const EXTENT = 1.2; // the field shows [-EXTENT, EXTENT]²
const COLORS: [number, number, number][] = [[231, 76, 60], [52, 152, 219], [46, 204, 113]];

/** Spiral arms as in CS231n: class k's points at angle 4r + 2πk/3 (+ noise), radius r in [0, 1]. */
function spiral(seed: number): { x: Float32Array; y: Int32Array } {
  const rng = new sg.data.Random(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const n = CLASSES * PER_CLASS;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let k = 0; k < CLASSES; k++)
    for (let i = 0; i < PER_CLASS; i++) {
      const j = k * PER_CLASS + i;
      const r = i / (PER_CLASS - 1);
      const t = (k * 2 * Math.PI) / CLASSES + 4 * r + 0.2 * gauss();
      x[2 * j] = r * Math.sin(t);
      x[2 * j + 1] = r * Math.cos(t);
      y[j] = k;
    }
  return { x, y };
}

async function main(): Promise<void> {
  if (!(await bootDemo())) return;
  const gpu = new GpuQueue();
  const button = byId<HTMLButtonElement>('toggle');
  const data = spiral(7);
  const n = data.y.length;
  sg.manualSeed(0);
  const model = new sg.nn.Sequential(new sg.nn.Linear(2, 64), new sg.nn.ReLU(), new sg.nn.Linear(64, 64), new sg.nn.ReLU(), new sg.nn.Linear(64, CLASSES));
  const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-2 });
  const x = sg.tensor(data.x, [n, 2]);
  const y = sg.tensor(data.y, [n], { dtype: 'int32' });

  // the grid of points whose class the background shows
  const grid = new Float32Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++)
    for (let c = 0; c < GRID; c++) {
      grid[2 * (r * GRID + c)] = -EXTENT + ((c + 0.5) * 2 * EXTENT) / GRID;
      grid[2 * (r * GRID + c) + 1] = EXTENT - ((r + 0.5) * 2 * EXTENT) / GRID;
    }
  const gridTensor = sg.tensor(grid, [GRID * GRID, 2]);
  const canvas = byId<HTMLCanvasElement>('field');
  const ctx = canvas.getContext('2d')!;
  const small = document.createElement('canvas');
  small.width = small.height = GRID;
  const sctx = small.getContext('2d')!;

  const drawField = async () => {
    const probs = await gpu.run(() => sg.noGrad(() => model.forward(gridTensor).softmax(1)).data());
    const img = sctx.createImageData(GRID, GRID);
    for (let i = 0; i < GRID * GRID; i++) {
      let best = 0;
      for (let k = 1; k < CLASSES; k++) if (probs[i * CLASSES + k] > probs[i * CLASSES + best]) best = k;
      const conf = (probs[i * CLASSES + best] - 1 / CLASSES) / (1 - 1 / CLASSES);
      const mix = 0.25 + 0.45 * conf;
      for (let ch = 0; ch < 3; ch++) img.data[i * 4 + ch] = Math.round(255 * (1 - mix) + COLORS[best][ch] * mix);
      img.data[i * 4 + 3] = 255;
    }
    sctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
    drawPoints();
    demo.fieldDraws = ((demo.fieldDraws as number) ?? 0) + 1;
  };
  const drawPoints = () => {
    const s = canvas.width / (2 * EXTENT);
    for (let j = 0; j < n; j++) {
      ctx.beginPath();
      ctx.arc((data.x[2 * j] + EXTENT) * s, (EXTENT - data.x[2 * j + 1]) * s, 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${COLORS[data.y[j]].join(',')})`;
      ctx.fill();
      ctx.strokeStyle = '#222';
      ctx.lineWidth = 0.8;
      ctx.stroke();
    }
  };

  const chart = new MetricsChart(byId('chart'), [
    { label: 'loss', color: '#c0392b', scale: 'loss' },
    { label: 'accuracy', color: '#3d6fd8', scale: 'acc' },
  ]);
  new TrainLoop({ optimizer: opt, batches: endless([{ x, y }]), record: (b) => classification(model.forward(b.x), b.y, data.y), button, stats: byId('stats'), chart, gpu, window: 1, afterStep: (k) => (k % 5 === 0 ? drawField() : undefined) });
  demo.fieldDraws = 0;
  await drawField();
  button.disabled = false;
  button.textContent = 'Start training';
}

main().catch(showError);
