// The shared training loop (src/train/loop.ts): what the CLI and the demo pages rely on.
import { expect, test } from 'vitest';
import { classification, endless, trainLoop, type StepReport } from '../../src/train/loop.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

/** Four linearly separable points of two classes, one full batch. */
function problem() {
  const labels = Int32Array.from([0, 1, 0, 1]);
  const x = sg.tensor([[-1, 0], [1, 0], [-2, 1], [2, -1]]);
  const y = sg.tensor(labels, [4], { dtype: 'int32' });
  sg.manualSeed(0);
  const model = new sg.nn.Linear(2, 2);
  const optimizer = new sg.optim.Adam(model.parameters(), { lr: 0.1 });
  return { record: () => classification(model.forward(x), y, labels), optimizer };
}

test('steps until keepGoing() says stop, one submit-carrying step each, and the next loop goes on from there', async () => {
  const { record, optimizer } = problem();
  const batches = endless([null]);
  const schedule = new sg.optim.StepLR(optimizer, 1, 0.5);
  const reports: StepReport[] = [];
  const submitsBefore = sg.stats().submits;
  const first = await trainLoop({ optimizer, batches, record, schedule, keepGoing: () => reports.length < 3, onStep: (r) => void reports.push(r) });
  expect(first.steps).toBe(3);
  expect(first.samples).toBe(12);
  expect(optimizer.stepCount).toBe(3);
  expect(optimizer.lr).toBeCloseTo(0.1 * 0.5 ** 3, 12); // the schedule stepped after every step
  // one submit for the step, the loss and prediction readbacks at most one more each
  expect(sg.stats().submits - submitsBefore).toBeLessThanOrEqual(3 * 3);
  for (const r of reports) {
    expect(r.samples).toBe(4);
    expect(r.correct).toBeGreaterThanOrEqual(0);
    expect(r.correct).toBeLessThanOrEqual(4);
    expect(Number.isFinite(r.loss) && r.ms > 0).toBe(true);
  }
  expect(first.loss).toBeCloseTo(reports.reduce((s, r) => s + r.loss, 0) / 3, 6);
  const second = await trainLoop({ optimizer, batches, record, keepGoing: () => reports.length < 5, onStep: (r) => void reports.push(r) });
  expect(second.steps).toBe(2);
  expect(optimizer.stepCount).toBe(5);
});

test('an epoch ends with its batches; the loss falls on a separable problem', async () => {
  const { record, optimizer } = problem();
  const losses: number[] = [];
  const stats = await trainLoop({ optimizer, batches: Array(30).fill(null)[Symbol.iterator](), record, onStep: (r) => void losses.push(r.loss) });
  expect(stats.steps).toBe(30);
  expect(losses[29]).toBeLessThan(losses[0] / 2);
  expect(stats.accuracy).toBeGreaterThan(0.5);
});

test('a NaN loss stops the loop at that step with NonFiniteLossError; onNonFiniteLoss: "continue" goes on', async () => {
  const labels = Int32Array.from([0, 1]);
  const y = sg.tensor(labels, [2], { dtype: 'int32' });
  sg.manualSeed(0);
  const model = new sg.nn.Linear(2, 2);
  const optimizer = new sg.optim.SGD(model.parameters(), { lr: 0.1 });
  // steps 1 and 2 see clean data, step 3 a NaN feature (as bad data with allowNonFinite would give)
  const inputs = [[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[NaN, 0], [0, 1]], [[1, 0], [0, 1]]];
  const record = (x: number[][]) => classification(model.forward(sg.tensor(x, undefined, { allowNonFinite: true })), y, labels);
  const seen: number[] = [];
  const err = await trainLoop({ optimizer, batches: inputs[Symbol.iterator](), record, epoch: 2, onStep: (r) => void seen.push(r.loss) }).catch((e) => e);
  expect(err).toBeInstanceOf(sg.NonFiniteLossError);
  expect(err).toMatchObject({ step: 3, epoch: 2 });
  expect(err.message).toMatch(/loss is NaN at step 3 of epoch 2: training stopped/);
  expect(seen).toHaveLength(2); // the hook never saw the NaN step
  const going = await trainLoop({ optimizer, batches: inputs[Symbol.iterator](), record, onNonFiniteLoss: 'continue' });
  expect(going.steps).toBe(4);
  expect(Number.isNaN(going.loss)).toBe(true);
  await expect(trainLoop({ optimizer, batches: inputs[Symbol.iterator](), record, onNonFiniteLoss: 'skip' as never })).rejects.toThrow(/onNonFiniteLoss must be 'stop' or 'continue', got string "skip"/);
});

test('alsoRealize: asked for each step by number; what it returns is realized in that step, before the update', async () => {
  const { record, optimizer } = problem();
  const asked: number[] = [];
  const params = optimizer.params;
  const stats = await trainLoop({
    optimizer, batches: [null, null][Symbol.iterator](), record,
    alsoRealize: (step) => {
      asked.push(step);
      return step === 2 ? params.map((p) => p.grad!) : [];
    },
  });
  expect(stats.steps).toBe(2);
  expect(asked).toEqual([1, 2]);
  // the last step's gradients are still readable after its update (unrealized, they would be stale)
  const [weightGrad, biasGrad] = await Promise.all(params.map((p) => p.grad!.data()));
  expect(weightGrad.length).toBe(4);
  // cross-entropy's gradient with respect to the bias sums to 0 over the classes, and is not 0
  expect(Math.abs(biasGrad[0] + biasGrad[1])).toBeLessThan(1e-6);
  expect(Math.abs(biasGrad[0])).toBeGreaterThan(1e-4);
});
