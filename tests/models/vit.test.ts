// The Vision Transformer (src/models/vit.ts): token and output shapes of the pure and hybrid forms, the
// class token and every position receiving gradient, gradients against central differences, rejected
// configurations and inputs as typed errors, and a short convergence run on a subset of MNIST. The PyTorch
// twin (same outputs and gradients, both forms) is a case of tests/torch/twins.test.ts.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import { DataLoader } from '../../src/data/dataloader.js';
import { mnistDataset, type MnistSplit } from '../../src/data/mnist.js';
import { ViT } from '../../src/models/index.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

describe('ViT', () => {
  test('tokens and logits: 16 patches of 7 (+ the class token), 49 of 4, the hybrid 4 of its 14x14 map', () => {
    const x = sg.zeros([3, 1, 28, 28]);
    const vit = new ViT();
    expect(vit.patches).toBe(16);
    expect(vit.tokens(x).shape).toEqual([3, 17, 64]);
    expect(vit.forward(x).shape).toEqual([3, 10]);
    expect(new ViT({ patchSize: 4, dim: 16, heads: 2, depth: 1 }).tokens(x).shape).toEqual([3, 50, 16]);
    const hybrid = new ViT({ stem: [4, 8], dim: 16, heads: 2, depth: 1, classes: 7 });
    expect(hybrid.stem!.forward(x).shape).toEqual([3, 8, 14, 14]);
    expect(hybrid.tokens(x).shape).toEqual([3, 5, 16]);
    expect(hybrid.forward(x).shape).toEqual([3, 7]);
    expect(new ViT({ imageSize: 9, inChannels: 3, patchSize: 3, dim: 6, heads: 3, depth: 1 }).forward(sg.zeros([1, 3, 9, 9])).shape).toEqual([1, 10]);
  });

  test('state dict: PyTorch-style names, the class token and positions among the parameters', () => {
    const keys = Object.keys(new ViT({ stem: [4], dim: 8, heads: 2, depth: 1 }).stateDict());
    for (const k of ['stem.0.weight', 'stem.1.running_mean', 'patch_embed.weight', 'patch_embed.bias', 'cls_token', 'pos_emb.weight', 'blocks.0.self_attn.in_proj_weight', 'blocks.0.linear1.weight', 'norm.weight', 'head.weight'])
      expect(keys).toContain(k);
  });

  test('the class token and every position (class token included) receive gradient', async () => {
    const vit = new ViT({ dim: 16, heads: 2, depth: 2 });
    const x = sg.randn([4, 1, 28, 28], { seed: 3 });
    const y = sg.tensor(Int32Array.from([1, 4, 7, 9]), [4], { dtype: 'int32' });
    sg.nn.functional.crossEntropy(vit.forward(x), y).backward();
    const cls = await vit.clsToken.grad!.data();
    expect(Math.max(...cls.map(Math.abs))).toBeGreaterThan(1e-6);
    const pos = await vit.posEmb.weight.grad!.data();
    for (let row = 0; row < 17; row++) expect(Math.max(...pos.slice(16 * row, 16 * row + 16).map(Math.abs)), `position ${row}`).toBeGreaterThan(1e-6);
  });

  test('gradients of the class token, positions, patch embedding and head match central differences', async () => {
    // a tiny ViT (4 patches of 3 on a 6x6 image, dim 4, 2 heads, 1 layer), loss = Σ logits · r for fixed r
    const vit = new ViT({ imageSize: 6, patchSize: 3, dim: 4, heads: 2, depth: 1, mlpDim: 6, classes: 3, seed: 5 });
    const x = sg.randn([2, 1, 6, 6], { seed: 7 });
    const r = sg.randn([2, 3], { seed: 8 });
    const loss = () => vit.forward(x).mul(r).sum();
    loss().backward();
    const eps = 1e-3;
    for (const [name, p] of [['clsToken', vit.clsToken], ['posEmb', vit.posEmb.weight], ['patchEmbed', vit.patchEmbed.weight], ['head', vit.head.weight]] as const) {
      const grad = await p.grad!.data();
      const value = await p.data();
      const numeric = new Float32Array(value.length);
      for (let i = 0; i < value.length; i++) {
        const at = (d: number) => {
          const v = value.slice();
          v[i] += d;
          p.assign(sg.tensor(v, [...p.shape]));
          return sg.noGrad(loss).item();
        };
        numeric[i] = ((await at(eps)) - (await at(-eps))) / (2 * eps);
      }
      p.assign(sg.tensor(value, [...p.shape]));
      expect(grad, name).toBeAllClose(numeric, { rtol: 1e-2, atol: 2e-3 });
    }
  });

  test('rejected configurations and inputs name the argument and the shapes', () => {
    expect(() => new ViT({ patchSize: 5 })).toThrow(sg.ValueError);
    expect(() => new ViT({ patchSize: 5 })).toThrow(/patchSize 5 does not divide the 28x28 map/);
    expect(() => new ViT({ stem: [8], patchSize: 4 })).toThrow(/patchSize 4 does not divide the 14x14 map .*halved by the stem/);
    expect(() => new ViT({ dim: 10, heads: 4 })).toThrow(/heads 4 does not divide dim 10/);
    expect(() => new ViT({ stem: [] })).toThrow(/stem must be a non-empty array of positive integers/);
    expect(() => new ViT({ stem: [4, 0] })).toThrow(sg.ValueError);
    expect(() => new ViT({ depth: 0 })).toThrow(/depth/);
    expect(() => new ViT({ patch: 4 } as never)).toThrow(/patch/);
    const vit = new ViT({ dim: 8, heads: 2, depth: 1 });
    expect(() => vit.forward(sg.zeros([2, 28, 28]))).toThrow(sg.ShapeError);
    expect(() => vit.forward(sg.zeros([2, 3, 28, 28]))).toThrow(/input must be \[B, 1, 28, 28\], got shape \[2, 3, 28, 28\]/);
    expect(() => vit.forward(sg.zeros([2, 1, 27, 28]))).toThrow(/got shape \[2, 1, 27, 28\]/);
  });
});

/** The first `n` digits of a split in a fixed shuffled order (the splits are sorted by class). */
function subset(split: MnistSplit, n: number, seed: number): MnistSplit {
  const order = Array.from({ length: split.count }, (_, i) => i);
  let s = seed;
  for (let i = order.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const pick = order.slice(0, n);
  const images = new Float32Array(n * 784);
  pick.forEach((g, k) => images.set(split.images.subarray(784 * g, 784 * g + 784), 784 * k));
  return { images, labels: Int32Array.from(pick, (g) => split.labels[g]), count: n };
}

// the hybrid form (a one-conv stem, 4 patches): the pure ViT needs more steps than a CI test has (README)
const EPOCHS = 2;
test(`a small hybrid ViT learns MNIST digits: ≥ 80% on 500 held-out digits after ${EPOCHS} epochs on 1,500`, async () => {
  const mnist = await loadMnist();
  const train = new DataLoader(mnistDataset(subset(mnist.train, 1500, 1), [1, 28, 28]), { batchSize: 32, shuffle: true, seed: 0 });
  const held = subset(mnist.test, 500, 2);
  sg.manualSeed(0);
  const vit = new ViT({ stem: [8], dim: 32, heads: 2, depth: 1, mlpDim: 64 });
  const opt = new sg.optim.AdamW(vit.parameters(), { lr: 3e-3, weightDecay: 1e-2 });
  for (let epoch = 0; epoch < EPOCHS; epoch++)
    for (const b of train) {
      opt.zeroGrad();
      sg.nn.functional.crossEntropy(vit.forward(sg.tensor(b.x, b.xShape)), sg.tensor(b.y, b.yShape, { dtype: 'int32' })).backward();
      opt.step();
    }
  vit.eval();
  const pred = await sg.noGrad(() => vit.forward(sg.tensor(held.images, [held.count, 1, 28, 28])).argmax(1)).data();
  const accuracy = Array.from(pred).reduce((a, p, i) => a + Number(p === held.labels[i]), 0) / held.count;
  console.log(`small hybrid ViT, ${EPOCHS} epochs on 1,500 digits: ${(100 * accuracy).toFixed(1)}% on 500 held out`);
  expect(accuracy).toBeGreaterThanOrEqual(0.8);
}, 300_000);
