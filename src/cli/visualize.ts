// `shadergrad visualize --checkpoint f --out dir`: what a trained MNIST CNN learned — its first layer's
// filters, and the feature maps every convolution makes of one held-out digit — written as PNGs.
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ValueError } from '../core/errors.js';
import { loadMnist } from '../node/mnist-files.js';
import { MNIST_PIXELS } from '../data/mnist.js';
import { writeFileAtomic } from '../node/files.js';
import * as sg from '../node/index.js';
import { grayImagePng } from '../node/plot.js';
import { convLayers, featureMaps, firstLayerFilters, tileImages, upscale, type GrayImage } from '../vis/feature-maps.js';
import { openMnistCheckpoint } from './fit.js';
import { printJsonLine } from './json-line.js';

export interface VisualizeOptions {
  checkpoint: string;
  out: string;
  /** Which held-out digit (0-based, in the test split's order). */
  index: number;
  /** Pixels per filter weight and per feature-map pixel in the PNGs. */
  scale: number;
  json: boolean;
}

/** Filters are tiny (5×5): drawn this many times larger than the feature maps. */
const FILTER_SCALE_FACTOR = 4;

export async function visualize(o: VisualizeOptions): Promise<void> {
  const { source } = await openMnistCheckpoint(o.checkpoint, '--checkpoint');
  const outStat = await stat(o.out).catch(() => null);
  if (outStat && !outStat.isDirectory()) throw new ValueError(`--out ${o.out}: exists and is not a folder`);
  if (source.entry.sampleShape.length !== 3) throw new ValueError(`--checkpoint ${o.checkpoint}: ${source.name} has no convolutions to show (it takes flat digits); train a CNN (lenet, resnet, mobilenet, ...)`);
  const [mnist] = await Promise.all([loadMnist(), sg.init()]);
  try {
    if (o.index >= mnist.test.count) throw new ValueError(`--index ${o.index}: the test split has ${mnist.test.count} digits (0 to ${mnist.test.count - 1})`);
    const model = source.build(sg) as sg.nn.Module & { forward(x: sg.Tensor): sg.Tensor };
    if (convLayers(model).length === 0) throw new ValueError(`--checkpoint ${o.checkpoint}: ${source.name} has no Conv2d layer`);
    await mkdir(o.out, { recursive: true });
    const pixels = mnist.test.images.slice(o.index * MNIST_PIXELS, (o.index + 1) * MNIST_PIXELS);
    const x = sg.tensor(pixels, [1, 1, 28, 28]);
    const probs = await sg.noGrad(() => model.forward(x).softmax(1)).data();
    const predicted = probs.indexOf(Math.max(...probs));
    const files: string[] = [];
    const write = async (name: string, image: GrayImage) => {
      const path = join(o.out, name);
      await writeFileAtomic(path, grayImagePng(image));
      files.push(path);
    };
    await write('digit.png', upscale({ width: 28, height: 28, data: pixels }, o.scale));
    const filters = await firstLayerFilters(model);
    await write('filters.png', upscale(filters.image, o.scale * FILTER_SCALE_FACTOR));
    const maps = await featureMaps(model, x);
    const layers = [];
    for (const [i, m] of maps.entries()) {
      const name = `maps-${i + 1}-${m.layer.replace(/[^\w.-]+/g, '_')}.png`;
      await write(name, upscale(tileImages(m.data, m.shape), o.scale));
      layers.push({ layer: m.layer, channels: m.shape[0], height: m.shape[1], width: m.shape[2], file: join(o.out, name) });
    }
    if (!o.json) {
      console.log(`${source.name}: held-out digit ${o.index} (label ${mnist.test.labels[o.index]}, predicted ${predicted} at ${(100 * probs[predicted]).toFixed(1)}%)`);
      console.log(`first-layer filters (${filters.layer}, ${filters.shape.join('x')}) → ${join(o.out, 'filters.png')}`);
      for (const l of layers) console.log(`feature maps of ${l.layer}: ${l.channels} × ${l.height}x${l.width} → ${l.file}`);
    }
    if (o.json)
      printJsonLine({
        command: 'visualize', model: source.name, config: { index: o.index, scale: o.scale },
        metrics: { label: mnist.test.labels[o.index], predicted, probability: probs[predicted], conv_layers: layers.length, files: files.length },
        filters: { layer: filters.layer, shape: filters.shape, file: join(o.out, 'filters.png') }, layers, files,
      });
  } finally {
    sg.destroy();
  }
}
