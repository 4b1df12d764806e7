// Gradient accumulation over micro-batches: backward() adds into .grad, so N micro-batches whose losses are
// each divided by N give the gradient of the whole batch, and one optimizer step every N micro-batches
// trains as the big batch would (PyTorch's recipe: loss / N, backward per micro-batch, step, zero_grad).
import { expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

function model(seed: number) {
  sg.manualSeed(seed);
  return new sg.nn.Sequential(new sg.nn.Linear(5, 7), new sg.nn.Tanh(), new sg.nn.Linear(7, 3));
}

test('two accumulated micro-batches of 4 equal one batch of 8, gradient and step', async () => {
  const x = sg.randn([8, 5], { seed: 1 });
  const y = sg.tensor([0, 1, 2, 0, 1, 2, 2, 1], [8], { dtype: 'int32' });
  const ce = sg.nn.functional.crossEntropy;

  const whole = model(3);
  const optWhole = new sg.optim.Adam(whole.parameters(), { lr: 1e-2 });
  ce(whole.forward(x), y).backward();
  const wholeGrads = await Promise.all(whole.parameters().map((p) => p.grad!.data()));
  optWhole.step();

  const micro = model(3);
  const optMicro = new sg.optim.Adam(micro.parameters(), { lr: 1e-2 });
  const accumulate = 2;
  for (let k = 0; k < accumulate; k++) {
    ce(micro.forward(x.slice([4 * k, 0], [4 * k + 4, 5])), y.slice([4 * k], [4 * k + 4])).div(accumulate).backward();
  }
  const microGrads = await Promise.all(micro.parameters().map((p) => p.grad!.data()));
  microGrads.forEach((g, i) => Array.from(g).forEach((v, j) => expect(v).toBeCloseTo(wholeGrads[i][j], 6)));
  optMicro.step();
  const [a, b] = [whole, micro].map((m) => Promise.all(m.parameters().map((p) => p.data())));
  const [wa, wb] = await Promise.all([a, b]);
  wa.forEach((w, i) => Array.from(w).forEach((v, j) => expect(wb[i][j]).toBeCloseTo(v, 6)));
  // a gradient not zeroed goes on accumulating into the next step: zeroGrad() is what ends a round
  optMicro.zeroGrad();
  expect(micro.parameters().every((p) => p.grad === null)).toBe(true);
});
