// Detection page: the grid detector (src/models/detector.ts) runs on the tab's GPU over what the user
// draws. The drawing (384×384) is scaled to the 64×64 canvases the detector was trained on (area
// averaging), detected, decoded and NMS'd on the CPU (src/train/detection.ts), and the boxes scoring at
// least SHOWN_SCORE are drawn over it. Weights: a `train --model detector --checkpoint` file, by default
// the one shipped in demos/detect/ (copied to dist/data/ by the build), or ?weights=<url>, or the file picker.
// Results go to window.sgDemo.detections for tests.
import * as sg from '../../src/index.js';
import { CANVAS_SIZE } from '../../src/data/digit-canvases.js';
import { bootDemo, byId, demo, el, GpuQueue, setState, showError } from '../../src/demo-kit/page.js';
import { drawingPad } from '../../src/demo-kit/drawing-pad.js';
import { Detector } from '../../src/models/detector.js';
import { detectImages, type Detection } from '../../src/train/detection.js';

const DEFAULT_WEIGHTS = '../../dist/data/detector.safetensors';
const SHOWN_SCORE = 0.5;
/** Stroke width on the 384-pixel pad: 3 pixels of 64, about MNIST's stroke on the training canvases. */
const STROKE = 17;
const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** A detector with the width its state dict says (backbone.0.weight is [width, 1, 3, 3]), loaded strictly. */
async function loadDetector(bytes: ArrayBuffer): Promise<Detector> {
  const sd = await sg.load(bytes);
  const first = sd['backbone.0.weight'];
  if (!first) throw new sg.FormatError('these weights are not a detector\'s: no backbone.0.weight (save them with `shadergrad train --model detector --checkpoint FILE`)');
  const model = new Detector({ width: first.shape[0] });
  model.loadStateDict(sd);
  return model.eval();
}

/** The pad as a 64×64 image in [0, 1] (white ink on black), or null when nothing is drawn. */
function padImage(pad: HTMLCanvasElement): Float32Array | null {
  const small = document.createElement('canvas');
  small.width = small.height = CANVAS_SIZE;
  const ctx = small.getContext('2d', { willReadFrequently: true })!;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(pad, 0, 0, CANVAS_SIZE, CANVAS_SIZE);
  const rgba = ctx.getImageData(0, 0, CANVAS_SIZE, CANVAS_SIZE).data;
  const img = Float32Array.from({ length: CANVAS_SIZE * CANVAS_SIZE }, (_, i) => rgba[4 * i] / 255);
  return img.some((v) => v > 0.2) ? img : null;
}

function drawBoxes(overlay: HTMLCanvasElement, dets: Detection[]): void {
  const ctx = overlay.getContext('2d')!;
  const k = overlay.width / CANVAS_SIZE;
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  ctx.lineWidth = 3;
  ctx.font = 'bold 18px sans-serif';
  for (const d of dets) {
    ctx.strokeStyle = ctx.fillStyle = COLOURS[d.cls];
    ctx.strokeRect(d.x0 * k, d.y0 * k, (d.x1 - d.x0) * k, (d.y1 - d.y0) * k);
    ctx.fillText(`${d.cls} ${(100 * d.score).toFixed(0)}%`, d.x0 * k + 2, Math.max(16, d.y0 * k - 4));
  }
  byId('detections').replaceChildren(...dets.map((d) => el('li', {}, `${d.cls} (score ${d.score.toFixed(2)}) at [${[d.x0, d.y0, d.x1, d.y1].map((v) => v.toFixed(1)).join(', ')}] of 64`)));
  byId('summary').textContent = dets.length ? `${dets.length} digit${dets.length === 1 ? '' : 's'} found: ${dets.map((d) => d.cls).join(', ')}` : 'no digit found';
}

async function main(): Promise<void> {
  if (!(await bootDemo())) return;
  const gpu = new GpuQueue();
  const pad = byId<HTMLCanvasElement>('pad');
  const overlay = byId<HTMLCanvasElement>('boxes');
  let model: Detector | null = null;
  demo.detections = null as Detection[] | null;
  demo.detectRuns = 0;

  const detect = async () => {
    const img = padImage(pad);
    if (!model || !img) {
      demo.detections = img ? null : [];
      drawBoxes(overlay, []);
      return;
    }
    const m = model;
    const [dets] = await gpu.run(() => detectImages(m, img, 1, { imageSize: CANVAS_SIZE }));
    const shown = dets.filter((d) => d.score >= SHOWN_SCORE);
    demo.detections = shown;
    demo.detectRuns = (demo.detectRuns as number) + 1;
    drawBoxes(overlay, shown);
  };
  const useWeights = async (bytes: ArrayBuffer, name: string) => {
    model = await loadDetector(bytes);
    demo.weights = name;
    byId('weights-name').textContent = `${name} (width ${model.width})`;
    await detect();
  };

  const { clear } = drawingPad(pad, {
    lineWidth: STROKE,
    onEnd: () => {
      demo.detections = null; // until this drawing's detections are in
      detect().catch(showError);
    },
    onClear: () => {
      demo.detections = [];
      drawBoxes(overlay, []);
    },
  });
  byId('clear').addEventListener('click', clear);
  byId<HTMLInputElement>('file').addEventListener('change', (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (file) void file.arrayBuffer().then((b) => useWeights(b, file.name)).catch(showError);
  });

  const url = new URLSearchParams(location.search).get('weights') ?? DEFAULT_WEIGHTS;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not fetch the detector's weights ${url}: HTTP ${res.status}`);
  await useWeights(await res.arrayBuffer(), url);
  byId('summary').textContent = 'draw some digits';
  setState('ready');
}

main().catch(showError);
