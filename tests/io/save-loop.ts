// A child process for tests/io/checkpoint.test.ts: trains a small model and checkpoints after every step,
// forever, printing "saved <step>" once each checkpoint is on disk. The test kills it at random moments.
// Usage: node --import tsx --import ./scripts/register-wgsl.mjs tests/io/save-loop.ts <checkpoint path>
import * as sg from '../../src/node/index.js';

const path = process.argv[2];
await sg.init();
sg.manualSeed(1);
const model = new sg.nn.Sequential(new sg.nn.Linear(256, 512), new sg.nn.ReLU(), new sg.nn.Linear(512, 10));
const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-3 });
const x = sg.randn([32, 256], { seed: 2 });
const y = sg.tensor(Int32Array.from({ length: 32 }, (_, i) => i % 10), [32], { dtype: 'int32' });
for (let step = 1; ; step++) {
  opt.zeroGrad();
  sg.nn.functional.crossEntropy(model.forward(x), y).backward();
  opt.step();
  // a checksum of the weights as saved, so the test can tell a torn file from a whole one
  let sum = 0;
  for (const p of model.parameters()) for (const v of await p.data()) sum += v;
  await sg.saveCheckpoint(path, { model, optimizer: opt }, { epoch: 0, step, extra: { sum } });
  process.stdout.write(`saved ${step}\n`);
}
