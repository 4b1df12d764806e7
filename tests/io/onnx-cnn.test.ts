// ONNX for convolutional networks: LeNet, the small ResNet (BatchNorm running statistics, projection skips)
// and every conv/pool/norm layer exported, run in onnxruntime-node (CPU) and agreeing with ours within 1e-4
// in eval mode; imported back, they agree with ours. Refusals name the layer and the reason.
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { LeNet, ResNet } from '../../src/models/index.js';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { DataType, decodeModel, encodeModel, type ModelMsg, type NodeMsg } from '../../src/onnx/proto.js';
import { Random } from '../../src/core/random.js';

useGpu();

const { nn } = sg;

async function runOrt(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; shape: number[] }>): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.shape)])));
  const t = out[session.outputNames[0]];
  return { data: t.data as Float32Array, dims: t.dims };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Export (eval), compare with onnxruntime at the example batch and another one, import back and compare again. */
async function roundTrip(model: sg.nn.Module, inShape: number[], o: { otherBatch?: boolean } = {}) {
  model.eval();
  const x = sg.randn(inShape, { seed: 7 });
  const bytes = await sg.onnx.exportModel(model, x);
  const ourOut = sg.noGrad(() => model.forward(x));
  const ours = (await ourOut.data()) as Float32Array;
  const theirs = await runOrt(bytes, { input: { data: (await x.data()) as Float32Array, shape: inShape } });
  expect([...theirs.dims]).toEqual(ourOut.shape);
  const diff = maxAbsDiff(theirs.data, ours);
  expect(diff).toBeLessThan(1e-4);
  if (o.otherBatch ?? true) {
    const shape2 = [3, ...inShape.slice(1)];
    const x2 = sg.randn(shape2, { seed: 8 });
    const ours2 = (await sg.noGrad(() => model.forward(x2)).data()) as Float32Array;
    expect(maxAbsDiff((await runOrt(bytes, { input: { data: (await x2.data()) as Float32Array, shape: shape2 } })).data, ours2)).toBeLessThan(1e-4);
  }
  const back = sg.onnx.importModel(bytes);
  // every weight and running statistic comes back by name (BatchNorm's batch counter is training state: not exported)
  expect(Object.keys(back.stateDict()).sort()).toEqual(Object.keys(model.stateDict()).filter((k) => !/(^|\.)num_batches_tracked$/.test(k)).sort());
  // running statistics come back as buffers: in stateDict(), not trainable
  expect(back.parameters().length).toBe(model.parameters().length);
  const backDiff = maxAbsDiff((await back.forward(x).data()) as Float32Array, ours);
  expect(backDiff).toBeLessThan(1e-5);
  return { bytes, back, x, ours, diff };
}

describe('LeNet and ResNet run in onnxruntime and agree within 1e-4', () => {
  // freshly initialised: a training step would compile every gradient kernel (half a minute on a cold shader
  // cache on lavapipe); trained weights are covered by the MLP cases in onnx.test.ts
  test('LeNet-5', async () => {
    sg.manualSeed(3);
    const model = new LeNet();
    const { bytes } = await roundTrip(model, [2, 1, 28, 28], { otherBatch: false });
    const ops = decodeModel(bytes).graph!.node!.map((n) => n.op_type);
    expect(ops).toEqual(['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
  });

  test('small ResNet (identity and projection skips, BatchNorm running statistics from train-mode steps)', async () => {
    sg.manualSeed(4);
    const model = new ResNet({ widths: [4, 8, 8] });
    // train-mode forwards (no backward: it would compile every gradient kernel) update the running statistics
    model.train();
    const xt = sg.randn([2, 1, 8, 8], { seed: 11 }).mul(2).add(0.5);
    for (let i = 0; i < 2; i++) await sg.noGrad(() => model.forward(xt)).data();
    // the statistics are not the initial 0 / 1, so exporting them matters
    const rm = (await model.blocks[1].bn1.runningMean!.data()) as Float32Array;
    const rv = (await model.blocks[1].bn1.runningVar!.data()) as Float32Array;
    expect(rm.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    expect(rv.some((v) => Math.abs(v - 1) > 1e-3)).toBe(true);
    const { bytes, back } = await roundTrip(model, [2, 1, 8, 8], { otherBatch: false });
    expect(decodeModel(bytes).graph!.input![0].type!.tensor_type!.shape!.dim![0]).toEqual({ dim_param: 'batch' });
    const graph = decodeModel(bytes).graph!;
    const ops = graph.node!.map((n) => n.op_type);
    expect(ops.filter((o) => o === 'Conv').length).toBe(1 + 2 + 3 + 3); // stem, identity block, two projection blocks
    expect(ops.filter((o) => o === 'BatchNormalization').length).toBe(9);
    expect(ops.filter((o) => o === 'Add').length).toBe(3);
    expect(ops.slice(-3)).toEqual(['GlobalAveragePool', 'Flatten', 'Gemm']);
    expect(graph.initializer!.map((t) => t.name)).toContain('blocks.1.shortcut.1.running_var');
    expect(Object.keys(back.stateDict())).toContain('blocks.2.bn2.running_mean');
    // imported statistics load by name like any buffer (dotted ONNX names included)
    const copy = sg.onnx.importModel(bytes);
    const x = sg.randn([2, 1, 8, 8], { seed: 2 });
    const reset = Object.fromEntries(Object.entries(copy.stateDict()).map(([k, t]) => [k, k.endsWith('running_mean') ? sg.zeros(t.shape) : t]));
    copy.loadStateDict(reset);
    expect(await copy.forward(x).data()).not.toEqual(await back.forward(x).data());
    copy.loadStateDict(back.stateDict());
    expect(await copy.forward(x).data()).toEqual(await back.forward(x).data());
  });
});

describe('conv, pool and norm layers', () => {
  const cases: [string, () => sg.nn.Module, number[]][] = [
    [
      'Conv2d (stride, padding, dilation, groups, same), BatchNorm2d, Dropout, MaxPool2d, AvgPool2d (both count modes), AdaptiveAvgPool2d(1), BatchNorm1d',
      () =>
        new nn.Sequential(
          new nn.Conv2d(3, 6, 3, { stride: 2, padding: 1 }),
          new nn.BatchNorm2d(6),
          new nn.ReLU(),
          new nn.Dropout(0.3),
          new nn.Conv2d(6, 6, 3, { padding: 'same', groups: 3, dilation: 2 }),
          new nn.Conv2d(6, 4, [2, 3], { padding: 'same', bias: false }),
          new nn.MaxPool2d(3, { stride: 1, padding: 1 }),
          new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }),
          new nn.AvgPool2d(2, { stride: 1, padding: 1 }),
          new nn.AdaptiveAvgPool2d(1),
          new nn.Flatten(),
          new nn.BatchNorm1d(4, { eps: 1e-3 }),
          new nn.Linear(4, 3),
        ),
      [4, 3, 11, 10],
    ],
    [
      'Conv1d (same, dilation, stride, padding), BatchNorm1d over [N, C, L] without affine',
      () =>
        new nn.Sequential(
          new nn.Conv1d(2, 4, 3, { padding: 'same', dilation: 2 }),
          new nn.BatchNorm1d(4, { affine: false }),
          new nn.Tanh(),
          new nn.Conv1d(4, 4, 3, { stride: 2, padding: 1, groups: 2 }),
          new nn.Flatten(),
          new nn.Linear(4 * 5, 3),
        ),
      [4, 2, 10],
    ],
    [
      'ConvTranspose2d (stride, padding, output padding), AdaptiveAvgPool2d to a size dividing the input',
      () =>
        new nn.Sequential(
          new nn.ConvTranspose2d(2, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }),
          new nn.ReLU(),
          new nn.ConvTranspose2d(4, 2, 2, { groups: 2, bias: false }),
          new nn.AdaptiveAvgPool2d([3, 3]),
        ),
      [2, 2, 4, 4],
    ],
  ];
  test.each(cases)('%s', async (_name, build, inShape) => {
    sg.manualSeed(6);
    const model = build();
    // train-mode forwards move the BatchNorm running statistics away from 0 / 1
    model.train();
    const x = sg.randn(inShape, { seed: 20 }).mul(1.5).add(0.3);
    for (let i = 0; i < 2; i++) await sg.noGrad(() => model.forward(x)).data();
    await roundTrip(model, inShape, { otherBatch: false }); // (a symbolic batch: the LeNet, ResNet and MLP cases)
  });

  test('export writes eval semantics whatever the mode: a model left in train mode exports the same graph', async () => {
    sg.manualSeed(2);
    const model = new nn.Sequential(new nn.Conv2d(1, 3, 3), new nn.BatchNorm2d(3), new nn.Dropout(0.5), new nn.Flatten());
    model.train();
    await sg.noGrad(() => model.forward(sg.randn([4, 1, 5, 5], { seed: 1 }).add(1))).data();
    const x = sg.randn([2, 1, 5, 5], { seed: 3 });
    const trainBytes = await sg.onnx.exportModel(model, x);
    expect(model.training).toBe(true); // left as it was
    const evalBytes = await sg.onnx.exportModel(model.eval(), x);
    expect(trainBytes).toEqual(evalBytes);
    expect(decodeModel(evalBytes).graph!.node!.map((n) => n.op_type)).toEqual(['Conv', 'BatchNormalization', 'Identity', 'Flatten']);
  });

  test('refusals name the layer and the reason', async () => {
    await expect(sg.onnx.exportModel(new nn.Sequential(new nn.AdaptiveAvgPool2d(3)), sg.zeros([1, 2, 8, 8]))).rejects.toThrow(
      /AdaptiveAvgPool2d\(3x3\) on input \[1, 2, 8, 8\] has no ONNX equivalent: only an output of 1x1/,
    );
    await expect(sg.onnx.exportModel(new nn.BatchNorm2d(2, { trackRunningStats: false }), sg.zeros([1, 2, 3, 3]))).rejects.toThrow(
      /BatchNorm2d\(2\) has no running statistics \(trackRunningStats: false\)/,
    );
    await expect(sg.onnx.exportModel(new nn.Conv2d(2, 2, 3), sg.zeros([1, 2, 3]))).rejects.toThrow(/Conv2d\(2, 2, kernel 3x3\) needs a 4-D input \[N, C, H, W\], got \[1, 2, 3\]/);
  });
});

describe('import of conv graphs written elsewhere', () => {
  const rng = new Random(5);
  const r = (n: number) => Float32Array.from({ length: n }, () => rng.next() - 0.5);
  const f32 = (name: string, dims: number[], data?: Float32Array) => ({ name, dims, data_type: DataType.FLOAT, raw_data: new Uint8Array((data ?? r(dims.reduce((a, b) => a * b, 1))).buffer) });
  const node = (op_type: string, input: string[], output: string, attribute: NodeMsg['attribute'] = []): NodeMsg => ({ op_type, input, output: [output], name: output, attribute });
  const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });
  const int = (name: string, v: number) => ({ name, type: 2, i: v });
  function model(): ModelMsg {
    return {
      ir_version: 7,
      opset_import: [{ domain: '', version: 13 }],
      graph: {
        name: 'convs',
        initializer: [
          f32('w1', [4, 3, 3, 3]),
          f32('b1', [4]),
          f32('scale', [4]),
          f32('shift', [4]),
          f32('mean', [4]),
          f32('var', [4], Float32Array.from([0.5, 1, 2, 3])),
          f32('w2', [4, 2, 2, 2]),
        ],
        node: [
          // SAME_UPPER with stride 2 on an even size: asymmetric padding (0 before, 1 after)
          node('Conv', ['x', 'w1', 'b1'], 'c1', [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), { name: 'auto_pad', type: 3, s: new TextEncoder().encode('SAME_UPPER') }]),
          node('BatchNormalization', ['c1', 'scale', 'shift', 'mean', 'var'], 'n1', [{ name: 'epsilon', type: 1, f: 1e-3 }]),
          node('Relu', ['n1'], 'r1'),
          node('Conv', ['r1', 'w2'], 'c2', [ints('pads', [1, 0, 0, 1]), int('group', 2)]),
          node('AveragePool', ['c2'], 'p1', [ints('kernel_shape', [2, 2]), ints('pads', [1, 1, 1, 1])]), // count_include_pad defaults to 0
          node('MaxPool', ['p1'], 'p2', [ints('kernel_shape', [2, 2]), ints('strides', [1, 1])]),
          node('Add', ['p2', 'p2'], 'a1'),
          node('GlobalAveragePool', ['a1'], 'g1'),
          node('Flatten', ['g1'], 'y'),
        ],
        input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'n' }, { dim_value: 3 }, { dim_value: 8 }, { dim_value: 8 }] } } } }],
        output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
      },
    };
  }

  test('Conv (auto_pad, asymmetric pads, groups), BatchNormalization, AveragePool, MaxPool, GlobalAveragePool agree with onnxruntime', async () => {
    const bytes = encodeModel(model());
    const m = sg.onnx.importModel(bytes);
    expect(Object.keys(m.stateDict()).sort()).toEqual(['b1', 'mean', 'scale', 'shift', 'var', 'w1', 'w2']);
    expect(m.parameters().length).toBe(5);
    const x = sg.randn([2, 3, 8, 8], { seed: 9 });
    const ours = m.forward(x);
    const theirs = await runOrt(bytes, { x: { data: (await x.data()) as Float32Array, shape: [2, 3, 8, 8] } });
    expect(ours.shape).toEqual([...theirs.dims]);
    expect(maxAbsDiff(theirs.data, (await ours.data()) as Float32Array)).toBeLessThan(1e-4);
  });

  const bad: [string, (m: ModelMsg) => void, RegExp][] = [
    ['MaxPool ceil_mode', (m) => m.graph!.node![5].attribute!.push(int('ceil_mode', 1)), /node 'p2' \(MaxPool\): ceil_mode=1 is not supported/],
    ['pool with asymmetric pads', (m) => (m.graph!.node![4].attribute![1] = ints('pads', [0, 0, 1, 1])), /node 'p1' \(AveragePool\): asymmetric pads \[0,0,1,1\] are not supported/],
    ['BatchNormalization in training mode', (m) => (m.opset_import![0].version = 14) && m.graph!.node![1].attribute!.push(int('training_mode', 1)), /node 'n1' \(BatchNormalization\): training_mode=1 is not supported/],
    ['training_mode before opset 14 defines it', (m) => m.graph!.node![1].attribute!.push(int('training_mode', 0)), /node 'n1' \(BatchNormalization\): attribute 'training_mode' is not defined for BatchNormalization at opset 13/],
    ['3-D convolution', (m) => (m.graph!.node![3].attribute![0] = ints('pads', [0, 0, 0, 0, 0, 0])) && m.graph!.node![3].attribute!.push(ints('kernel_shape', [2, 2, 2])), /node 'c2' \(Conv\): kernel_shape \[2,2,2\] has 3 spatial dimensions; supported: 1 or 2/],
    ['pool auto_pad SAME', (m) => m.graph!.node![5].attribute!.push({ name: 'auto_pad', type: 3, s: new TextEncoder().encode('SAME_LOWER') }), /node 'p2' \(MaxPool\): auto_pad 'SAME_LOWER' is not supported/],
  ];
  test.each(bad)('refuses %s with FormatError at import', (_name, mutate, message) => {
    const m = model();
    mutate(m);
    const bytes = encodeModel(m);
    expect(() => sg.onnx.importModel(bytes)).toThrow(sg.FormatError);
    expect(() => sg.onnx.importModel(bytes)).toThrow(message);
  });
});
