// "Inside the network": for a convolutional model, the first layer's filters and the feature maps each
// convolution makes of the digit just drawn (sg.vis, the same code as `shadergrad visualize`).
import * as sg from '../../src/index.js';
import { demo, el } from '../../src/demo-kit/page.js';

/** Draws `image` on a new canvas, `scale` screen pixels per image pixel (nearest-neighbour). */
function grayCanvas(image: sg.vis.GrayImage, scale: number, title: string): HTMLCanvasElement {
  const canvas = el('canvas', { width: String(image.width), height: String(image.height), title, class: 'maps' });
  canvas.style.width = `${image.width * scale}px`;
  canvas.style.imageRendering = 'pixelated';
  canvas.getContext('2d')!.putImageData(new ImageData(sg.vis.toRgba(image), image.width, image.height), 0, 0);
  return canvas;
}

/** Fills `box` with the filters and feature maps of `model` for `pixels` (one digit [1, 1, 28, 28]). */
export async function showInside(box: HTMLElement, model: sg.nn.Module & { forward(x: sg.Tensor): sg.Tensor }, pixels: Float32Array): Promise<void> {
  const filters = await sg.vis.firstLayerFilters(model);
  const maps = await sg.vis.featureMaps(model, sg.tensor(pixels, [1, 1, 28, 28]));
  demo.featureMaps = maps.map((m) => ({ layer: m.layer, shape: m.shape }));
  box.replaceChildren(
    el('h3', {}, `first-layer filters (${filters.layer}: ${filters.shape.join('×')}; gray is 0)`),
    grayCanvas(filters.image, 8, 'filters'),
    ...maps.flatMap((m) => [
      el('h3', {}, `${m.layer}: ${m.shape[0]} feature maps of ${m.shape[1]}×${m.shape[2]} (before the activation)`),
      grayCanvas(sg.vis.tileImages(m.data, m.shape), m.shape[1] >= 20 ? 2 : 4, m.layer),
    ]),
  );
}
