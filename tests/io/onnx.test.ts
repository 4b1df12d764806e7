// ONNX: exported models run in onnxruntime-node (its CPU build) and agree with ours within 1e-4;
// imported models (ours, and graphs written as another exporter would) agree with onnxruntime too.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { DataType, decodeModel, encodeModel, type ModelMsg, type NodeMsg } from '../../src/onnx/proto.js';
import { Random } from '../../src/core/random.js';

useGpu();

const dir = mkdtempSync(join(tmpdir(), 'sg-onnx-'));

async function runOrt(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; shape: number[] }>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.shape)])));
  return out[session.outputNames[0]].data as Float32Array;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A few Adam steps on random data, so the exported weights are trained ones, not the initial draw. */
async function trainBriefly(model: sg.nn.Module, inShape: number[], classes: number) {
  const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-2 });
  const x = sg.randn(inShape, { seed: 11 });
  const y = sg.tensor(Int32Array.from({ length: inShape[0] }, (_, i) => i % classes), [inShape[0]], { dtype: 'int32' });
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    sg.nn.functional.crossEntropy(model.forward(x), y).backward();
    opt.step();
  }
}

const { nn } = sg;
const models: [string, () => sg.nn.Module, number[]][] = [
  ['MLP (Linear, ReLU)', () => new nn.Sequential(new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10)), [8, 784]],
  [
    'every activation, nested Sequential, Flatten, LogSoftmax',
    () =>
      new nn.Sequential(
        new nn.Flatten(),
        new nn.Linear(16, 24),
        new nn.GELU(),
        new nn.Sequential(new nn.Linear(24, 20), new nn.GELU({ approximate: 'tanh' }), new nn.Tanh(), new nn.Linear(20, 20, { bias: false }), new nn.Sigmoid()),
        new nn.Linear(20, 12),
        new nn.LeakyReLU(0.2),
        new nn.Identity(),
        new nn.Linear(12, 5),
        new nn.LogSoftmax(-1),
      ),
    [6, 1, 4, 4],
  ],
  [
    'the PyTorch activations: SiLU, ELU, Softplus(β), Mish, Hardswish, Hardsigmoid, PReLU (shared and per channel)',
    () =>
      new nn.Sequential(
        new nn.Conv2d(2, 3, 3), new nn.PReLU(3, 0.1), new nn.Flatten(), new nn.Linear(12, 16), new nn.SiLU(), new nn.ELU(0.7),
        new nn.Softplus(2), new nn.Linear(16, 12), new nn.Mish(), new nn.Hardswish(), new nn.PReLU(), new nn.Hardsigmoid(), new nn.Softplus(), new nn.Linear(12, 4),
      ),
    [3, 2, 4, 4],
  ],
  ['Softmax over a 3-D Linear (MatMul path), Flatten(0, 1)', () => new nn.Sequential(new nn.Linear(8, 6), new nn.Softmax(-1), new nn.Flatten(0, 1), new nn.Linear(6, 3)), [2, 5, 8]],
];

describe('export runs in onnxruntime and agrees within 1e-4', () => {
  test.each(models)('%s', async (_name, build, inShape) => {
    sg.manualSeed(5);
    const model = build();
    if (inShape.length === 2) await trainBriefly(model, inShape, 10);
    model.eval();
    const x = sg.randn(inShape, { seed: 7 });
    const bytes = await sg.onnx.exportModel(model, x);
    const ours = (await sg.noGrad(() => model.forward(x)).data()) as Float32Array;
    const theirs = await runOrt(bytes, { input: { data: (await x.data()) as Float32Array, shape: inShape } });
    expect(maxAbsDiff(theirs, ours)).toBeLessThan(1e-4);

    // the batch dimension is symbolic: another batch size runs too (not for Flatten(0, 1), which folds it)
    if (!_name.includes('Flatten(0, 1)')) {
      const x2 = sg.randn([3, ...inShape.slice(1)], { seed: 8 });
      const ours2 = (await sg.noGrad(() => model.forward(x2)).data()) as Float32Array;
      expect(maxAbsDiff(await runOrt(bytes, { input: { data: (await x2.data()) as Float32Array, shape: [3, ...inShape.slice(1)] } }), ours2)).toBeLessThan(1e-4);
    }

    // and it comes back: imported, it computes the same, with the same parameter names
    const back = sg.onnx.importModel(bytes);
    expect(Object.keys(back.stateDict()).sort()).toEqual(Object.keys(model.stateDict()).sort());
    expect(maxAbsDiff((await back.forward(x).data()) as Float32Array, ours)).toBeLessThan(1e-5);
  });

  test('initializers are named as in stateDict(), and nodes by the layer they come from', async () => {
    sg.manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
    const m = decodeModel(await sg.onnx.exportModel(model, sg.zeros([1, 4])));
    expect(m.graph!.initializer!.map((t) => t.name).sort()).toEqual(['0.bias', '0.weight', '2.bias', '2.weight']);
    expect(m.graph!.node!.map((n) => `${n.name}:${n.op_type}`)).toEqual(['0/Gemm:Gemm', '1/Relu:Relu', '2/Gemm:Gemm']);
    expect(m.graph!.node![2].output).toEqual(['output']);
    expect(m.opset_import).toEqual([{ version: 17 }]); // proto3 leaves the default domain '' out
  });

  test('a module without an export rule is refused, naming it and where it is', async () => {
    class Mystery extends nn.Module {
      forward(x: sg.Tensor) {
        return x;
      }
    }
    const model = new nn.Sequential(new nn.Linear(4, 4), new nn.Sequential(new Mystery()));
    await expect(sg.onnx.exportModel(model, sg.zeros([1, 4]))).rejects.toThrow(/no ONNX rule for Mystery \(at '1.0'\); supported: Sequential, Linear/);
  });
});

describe('import', () => {
  // a graph as another exporter writes it: MatMul with a pre-transposed weight, Gemm with transA/alpha/beta,
  // Reshape by an int64 initializer, Transpose, Div by a Constant, Softmax of opset 11 (2-D coercion)
  function foreignModel(): { bytes: Uint8Array; inShape: number[] } {
    const rng = new Random(3);
    const r = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
    const f32 = (name: string, dims: number[]) => ({ name, dims, data_type: DataType.FLOAT, raw_data: new Uint8Array(r(dims.reduce((a, b) => a * b, 1)).buffer) });
    const node = (op_type: string, input: string[], output: string, attribute: NodeMsg['attribute'] = []): NodeMsg => ({ op_type, input, output: [output], name: output, attribute });
    const model: ModelMsg = {
      ir_version: 7,
      opset_import: [{ domain: '', version: 11 }],
      producer_name: 'elsewhere',
      graph: {
        name: 'foreign',
        initializer: [
          f32('w1', [12, 10]),
          f32('b1', [10]),
          { name: 'shape', dims: [3], data_type: DataType.INT64, int64_data: [0, 2, 5] },
          f32('w3', [10, 10]),
          f32('w2', [6, 5]),
          f32('c2', [6]),
        ],
        node: [
          node('MatMul', ['x', 'w1'], 'h1'),
          node('Add', ['h1', 'b1'], 'h2'),
          node('Relu', ['h2'], 'h3'),
          node('Reshape', ['h3', 'shape'], 'h4'), // [N, 2, 5]
          node('Transpose', ['h4'], 'h5', [{ name: 'perm', type: 7, ints: [0, 2, 1] }]), // [N, 5, 2]
          node('Flatten', ['h5'], 'h6', [{ name: 'axis', type: 2, i: 1 }]), // [N, 10]
          node('Constant', [], 'two', [{ name: 'value', type: 4, t: { dims: [], data_type: DataType.FLOAT, float_data: [2] } }]),
          node('MatMul', ['h6', 'w3'], 'h6b'),
          node('Div', ['h6b', 'two'], 'h7'),
          node('Tanh', ['h7'], 'h8'),
          node('Reshape', ['h8', 'shape'], 'h9'), // [N, 2, 5]
          node('Flatten', ['h9'], 'h10', [{ name: 'axis', type: 2, i: 2 }]), // [2N, 5]
          node('Gemm', ['h10', 'w2', 'c2'], 'h11', [
            { name: 'transB', type: 2, i: 1 },
            { name: 'alpha', type: 1, f: 0.5 },
            { name: 'beta', type: 1, f: 2 },
          ]), // [2N, 6]
          node('Softmax', ['h11'], 'y', [{ name: 'axis', type: 2, i: 1 }]),
        ],
        input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'n' }, { dim_value: 12 }] } } } }],
        output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
      },
    };
    return { bytes: encodeModel(model), inShape: [4, 12] };
  }

  test('a graph written elsewhere runs with our ops and agrees with onnxruntime within 1e-4', async () => {
    const { bytes, inShape } = foreignModel();
    const model = sg.onnx.importModel(bytes);
    expect(model.inputNames).toEqual(['x']);
    expect(model.inputShapes).toEqual([['n', 12]]); // a symbolic dim by its name, a fixed one by its size
    expect(Object.keys(model.stateDict()).sort()).toEqual(['b1', 'c2', 'w1', 'w2', 'w3']);
    const x = sg.randn(inShape, { seed: 4 });
    const ours = (await model.forward(x).data()) as Float32Array;
    expect(ours.length).toBe(8 * 6);
    expect(maxAbsDiff(await runOrt(bytes, { x: { data: (await x.data()) as Float32Array, shape: inShape } }), ours)).toBeLessThan(1e-4);
  });

  test('imported weights load from a safetensors file by their ONNX names', async () => {
    const a = sg.onnx.importModel(foreignModel().bytes);
    const b = sg.onnx.importModel(foreignModel().bytes);
    for (const p of b.parameters()) p.assign(sg.zeros(p.shape));
    b.loadStateDict(await sg.load(await sg.save(a.stateDict()), { model: b }));
    const x = sg.randn([2, 12], { seed: 1 });
    expect(await b.forward(x).data()).toEqual(await a.forward(x).data());
  });

  const bad: [string, (m: ModelMsg) => void, RegExp][] = [
    ['unsupported op', (m) => (m.graph!.node![2].op_type = 'Resize'), /node 'h3' \(Resize\): op "Resize" is not supported/],
    ['unknown attribute', (m) => m.graph!.node![2].attribute!.push({ name: 'foo', type: 2, i: 1 }), /node 'h3' \(Relu\): attribute 'foo' is not defined for Relu at opset 11 \(its attributes there: none\)/],
    ['input used before defined', (m) => m.graph!.node!.reverse(), /is used before it is defined/],
    ['missing output', (m) => (m.graph!.output![0].name = 'zzz'), /graph output 'zzz' is not computed/],
    ['raw_data of the wrong size', (m) => (m.graph!.initializer![0].raw_data = new Uint8Array(12)), /initializer 'w1' raw_data has 12 bytes for dims \[12,10\] \(480 expected\)/],
    ['double initializer', (m) => (m.graph!.initializer![1] = { name: 'b1', dims: [10], data_type: 11, double_data: new Array(10).fill(0) }), /initializer 'b1' has data type 11/],
    ['Gelu with an unknown approximation', (m) => (m.opset_import![0].version = 20) && (m.graph!.node![2] = { op_type: 'Gelu', input: ['h2'], output: ['h3'], name: 'h3', attribute: [{ name: 'approximate', type: 3, s: new TextEncoder().encode('erf') }] }), /node 'h3' \(Gelu\): approximate must be 'none' or 'tanh', got 'erf'/],
    ['Gelu before opset 20 defines it', (m) => (m.graph!.node![2] = { op_type: 'Gelu', input: ['h2'], output: ['h3'], name: 'h3' }), /node 'h3' \(Gelu\): Gelu is defined from opset 20; the model imports opset 11/],
    ['custom domain', (m) => (m.graph!.node![2].domain = 'com.microsoft'), /domain 'com.microsoft' is not supported/],
    ['no graph', (m) => delete m.graph, /has no graph/],
  ];
  test.each(bad)('refuses %s with FormatError', (_name, mutate, message) => {
    const m = decodeModel(foreignModel().bytes);
    mutate(m);
    const bytes = encodeModel(m);
    expect(() => sg.onnx.importModel(bytes)).toThrow(sg.FormatError);
    expect(() => sg.onnx.importModel(bytes)).toThrow(message);
  });

  test('a file refused at import made no tensor: its initializers were not uploaded', () => {
    const m = decodeModel(foreignModel().bytes);
    m.graph!.node!.at(-1)!.op_type = 'Resize'; // the last node, after every initializer
    const bytes = encodeModel(m);
    const before = sg.memory();
    expect(() => sg.onnx.importModel(bytes)).toThrow(/node 'y' \(Resize\): op "Resize" is not supported/);
    expect(sg.memory()).toEqual(before);
  });

  // axes checked against the input's rank, known when forward() is called: refused there, before any GPU work
  const axisCases: [string, number, string, number, RegExp][] = [
    ['Flatten axis past the rank', 13, 'Flatten', 3, /node 'n' \(Flatten\): axis 3 is out of range for an input of rank 2 \(\[-2, 2\]\)/],
    ['Flatten axis before the first dimension', 13, 'Flatten', -3, /node 'n' \(Flatten\): axis -3 is out of range/],
    ['Softmax axis past the rank (opset 13)', 13, 'Softmax', -3, /node 'n' \(Softmax\): axis -3 is out of range for an input of rank 2 \(\[-2, 1\]\)/],
    ['LogSoftmax axis past the rank (opset 11, 2-D coercion)', 11, 'LogSoftmax', 2, /node 'n' \(LogSoftmax\): axis 2 is out of range/],
  ];
  test.each(axisCases)('refuses %s at forward, as onnxruntime does at load', async (_name, opset, op, axis, message) => {
    const bytes = encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: opset }],
      graph: {
        name: 'axis',
        node: [{ op_type: op, name: 'n', input: ['x'], output: ['y'], attribute: [{ name: 'axis', type: 2, i: axis }] }],
        input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }, { dim_value: 3 }] } } } }],
        output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
      },
    });
    await expect(ort.InferenceSession.create(bytes)).rejects.toThrow(/axis/i);
    const model = sg.onnx.importModel(bytes);
    expect(() => model.forward(sg.zeros([2, 3]))).toThrow(sg.FormatError);
    expect(() => model.forward(sg.zeros([2, 3]))).toThrow(message);
  });

  test('random bytes and truncations are FormatErrors, never crashes', () => {
    const { bytes } = foreignModel();
    const rng = new Random(9);
    const r = () => rng.next();
    for (let i = 0; i < 300; i++) {
      const b = i < 100 ? bytes.slice(0, Math.floor(r() * bytes.length)) : bytes.slice();
      if (i >= 100) for (let k = 0; k < 3; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      try {
        sg.onnx.importModel(b);
      } catch (e) {
        if (!(e instanceof sg.FormatError)) throw new Error(`case ${i}: ${String(e)}`);
      }
    }
  });
});

describe('CLI', () => {
  test('shadergrad export --onnx out.onnx --checkpoint ckpt writes a file onnxruntime runs like the model', async () => {
    sg.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(784, 16), new nn.ReLU(), new nn.Linear(16, 10));
    await trainBriefly(model, [4, 784], 10);
    const ckpt = join(dir, 'mlp.ckpt');
    await sg.saveCheckpoint(ckpt, { model }, { epoch: 1, step: 3, extra: { model: 'mlp', hidden: 16 } });
    const out = join(dir, 'mlp.onnx');
    const run = spawnSync(process.execPath, ['bin/shadergrad.js', 'export', '--onnx', out, '--checkpoint', ckpt], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/wrote .*mlp\.onnx/);
    const x = sg.randn([5, 784], { seed: 3 });
    const ours = (await sg.noGrad(() => model.forward(x)).data()) as Float32Array;
    const theirs = await runOrt(new Uint8Array(readFileSync(out)), { input: { data: (await x.data()) as Float32Array, shape: [5, 784] } });
    expect(maxAbsDiff(theirs, ours)).toBeLessThan(1e-4);
  });
});
