// Dropout's position in its seed stream is module state: a non-persistent int32 "calls" buffer (runState()), so a run
// resumed from a checkpoint draws the same masks, and ends with the same weights, as an uninterrupted one.
import { describe, expect, test } from 'vitest';
import { checkpointBytes, restoreCheckpoint } from '../../src/io/checkpoint.js';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

const { nn } = sg;

function makeRun() {
  sg.manualSeed(12);
  const model = new nn.Sequential(new nn.Linear(6, 32), new nn.ReLU(), new nn.Dropout(0.5, { seed: 3 }), new nn.Linear(32, 3));
  const optimizer = new sg.optim.SGD(model.parameters(), { lr: 0.1 });
  return { model, optimizer };
}

const x = () => sg.tensor(Float32Array.from({ length: 8 * 6 }, (_, i) => Math.sin(i * 0.7)), [8, 6]);
const y = () => sg.tensor(Int32Array.from({ length: 8 }, (_, i) => i % 3), [8], { dtype: 'int32' });

async function train(run: ReturnType<typeof makeRun>, steps: number): Promise<number[]> {
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    run.optimizer.zeroGrad();
    const loss = sg.nn.functional.crossEntropy(run.model.forward(x()), y());
    loss.backward();
    run.optimizer.step();
    losses.push((await loss.data())[0]);
  }
  return losses;
}

describe('Dropout state', () => {
  test('the call counter is a non-persistent int32 buffer (runState(), not stateDict(): PyTorch Dropout has no state), counting training forwards only', async () => {
    const d = new nn.Dropout(0.5, { seed: 1 });
    expect(Object.keys(d.stateDict())).toEqual([]);
    expect(Object.keys(d.runState())).toEqual(['calls']);
    expect(d.namedBuffers().map(([n]) => n)).toEqual(['calls']);
    expect(d.calls.dtype).toBe('int32');
    const v = sg.ones([64]);
    const m1 = await d.forward(v).data();
    const m2 = await d.forward(v).data();
    expect(Array.from(m2)).not.toEqual(Array.from(m1));
    d.eval();
    d.forward(v);
    expect(Array.from(await d.calls.data())).toEqual([2]);
    // loading the counter back rewinds the stream: the same mask again
    d.train();
    d.loadRunState({ calls: sg.tensor(Int32Array.of(1), [1]) });
    expect(Array.from(await d.forward(v).data())).toEqual(Array.from(m2));
  });

  test('a run resumed from a checkpoint ends exactly like an uninterrupted one', async () => {
    const straight = makeRun();
    const lossesStraight = await train(straight, 6);

    const first = makeRun();
    const lossesFirst = await train(first, 3);
    const bytes = await checkpointBytes({ model: first.model, optimizer: first.optimizer }, { epoch: 0, step: 3 });
    const resumed = makeRun(); // a fresh process would build the same model; its counter starts at 0
    restoreCheckpoint(bytes, { model: resumed.model, optimizer: resumed.optimizer });
    expect(Array.from(await (resumed.model.runState()['2.calls'] as sg.Tensor).data())).toEqual([3]);
    const lossesResumed = await train(resumed, 3);

    expect([...lossesFirst, ...lossesResumed]).toEqual(lossesStraight);
    const a = { ...straight.model.stateDict(), ...straight.model.runState() };
    const b = { ...resumed.model.stateDict(), ...resumed.model.runState() };
    for (const k of Object.keys(a)) expect(Array.from(await b[k].data()), k).toEqual(Array.from(await a[k].data()));

    // without the counter (a fresh stream after the restore) the masks, and so the losses, differ
    const forgetful = makeRun();
    restoreCheckpoint(bytes, { model: forgetful.model, optimizer: forgetful.optimizer });
    forgetful.model.loadRunState({ '2.calls': sg.tensor(Int32Array.of(0), [1]) });
    expect(await train(forgetful, 3)).not.toEqual(lossesResumed);
  });
});
