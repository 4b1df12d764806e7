// One seeded training run, written once and run both in Node and in a browser page, so that a test can
// compare the two loss curves (tests/browser/parity.test.ts). It uses only the public API, passed in,
// so the same function drives 'shadergrad/node' (Dawn) and the browser bundle (navigator.gpu).
import type * as SG from '../index.js';

export interface ParityOptions {
  steps?: number;
  seed?: number;
}

/** The part of the API the run uses: both 'shadergrad' and 'shadergrad/node' provide it. */
export type ParityApi = Pick<typeof SG, 'data' | 'manualSeed' | 'nn' | 'optim' | 'tensor'>;

/** Losses of `steps` Adam steps of a seeded MLP 16-32-4 on fixed seeded data (64 samples, 4 classes). */
export async function seededMlpLosses(sg: ParityApi, { steps = 12, seed = 1234 }: ParityOptions = {}): Promise<number[]> {
  const n = 64;
  const features = 16;
  const classes = 4;
  const rng = new sg.data.Random(seed);
  const x = new Float32Array(n * features);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(classes);
    // class-dependent means, so there is something to learn
    for (let f = 0; f < features; f++) x[i * features + f] = rng.next() * 2 - 1 + (f % classes === y[i] ? 1 : 0);
  }
  sg.manualSeed(seed);
  const model = new sg.nn.Sequential(new sg.nn.Linear(features, 32), new sg.nn.ReLU(), new sg.nn.Linear(32, classes));
  const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-2 });
  const xt = sg.tensor(x, [n, features]);
  const yt = sg.tensor(y, [n], { dtype: 'int32' });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const loss = sg.nn.functional.crossEntropy(model.forward(xt), yt);
    loss.backward();
    opt.step();
    losses.push(await loss.item());
  }
  return losses;
}
