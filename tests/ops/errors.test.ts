// Every rejected input: a typed error, thrown synchronously when the op is called (before any GPU work),
// whose message names the op or argument and the shapes involved.
import { expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { bad, runBadInputs } from '../helpers/opcheck.js';
import { f32 } from './rows/inputs.js';

useGpu();

// Bad inputs of the API entries that are not ops of the table (each op's are in tests/ops/rows/).
runBadInputs([
  bad('tensor', 'non-integer int32 data', () => sg.tensor([1.5], [1], { dtype: 'int32' }), sg.DTypeError, /tensor.*int32.*1\.5/),
  bad('tensor', 'NaN in data', () => sg.tensor([1, NaN, 3]), sg.ValueError, /tensor.*NaN.*index 1/),
  bad('tensor', 'Infinity in data', () => sg.tensor(Float32Array.of(0, 0, Infinity), [3]), sg.ValueError, /tensor.*Infinity.*index 2/),
  bad('tensor', '-Infinity nested', () => sg.tensor([[1], [-Infinity]]), sg.ValueError, /tensor.*-Infinity/),
  bad('tensor', 'data does not fill shape', () => sg.tensor([1, 2, 3], [2, 2]), sg.ShapeError, /tensor.*3 values.*\[2, 2\]/),
  bad('tensor', 'ragged nesting', () => sg.tensor([[1, 2], [3]]), sg.ShapeError, /tensor.*ragged/),
  bad('tensor', 'negative dimension', () => sg.tensor([], [2, -1]), sg.ShapeError, /tensor.*\[2, -1\]/),
  bad('tensor', 'null data', () => sg.tensor(null as never), sg.ValueError, /tensor: data must be a number.*got null/),
  bad('tensor', 'undefined data', () => sg.tensor(undefined as never), sg.ValueError, /tensor: data must be a number.*got undefined/),
  bad('tensor', 'a string', () => sg.tensor('1, 2' as never), sg.ValueError, /tensor: data must be a number.*got string/),
  bad('tensor', 'int32 above its range', () => sg.tensor([2 ** 31], [1], { dtype: 'int32' }), sg.DTypeError, /tensor: int32 data must be integers in \[-2147483648, 2147483647\], got 2147483648/),
  bad('tensor', 'int32 below its range', () => sg.tensor(new Float64Array([0, -(2 ** 31) - 1]), [2], { dtype: 'int32' }), sg.DTypeError, /got -2147483649 at flat index 1/),
  bad('tensor', 'unknown option', () => sg.tensor([1], [1], { dtyp: 'int32' } as never), sg.ValueError, /tensor: unknown option 'dtyp' \(allowed: dtype, requiresGrad, allowNonFinite\)/),
  bad('full', 'zeros(null)', () => sg.zeros(null as never), sg.ShapeError, /shape must be an array.*got null/),
  bad('full', 'ones(3): a number as shape', () => sg.ones(3 as never), sg.ShapeError, /shape must be an array.*got number/),
  bad('conv2d', 'stride 0', () => new sg.nn.Conv2d(1, 2, 3, { stride: 0 }), sg.ValueError, /Conv2d\(1, 2, kernel 3x3\): stride must be integers >= 1, got \[0,0\]/),
  bad('conv2d', 'padding -1', () => new sg.nn.Conv2d(1, 2, 3, { padding: -1 }), sg.ValueError, /Conv2d.*padding must be integers >= 0, got \[-1,-1\]/),
  bad('conv2d', 'fractional dilation', () => new sg.nn.Conv2d(1, 2, 3, { dilation: [1, 1.5] }), sg.ValueError, /Conv2d.*dilation must be integers >= 1/),
  bad('conv2d', 'kernel 0', () => new sg.nn.Conv2d(1, 2, 0), sg.ValueError, /Conv2d.*kernel size must be positive integers, got \[0,0\]/),
  bad('conv2d', 'unknown option', () => new sg.nn.Conv2d(1, 2, 3, { strides: 2 } as never), sg.ValueError, /Conv2d.*unknown option 'strides'/),
  bad('conv1d', 'stride 0', () => new sg.nn.Conv1d(1, 2, 3, { stride: 0 }), sg.ValueError, /Conv1d\(1, 2, kernel 3\): stride must be integers >= 1/),
  bad('conv1d', 'padding same with stride 2', () => new sg.nn.Conv1d(1, 2, 3, { stride: 2, padding: 'same' }), sg.ValueError, /Conv1d.*padding 'same' needs stride 1/),
  bad('backward', 'non-scalar without gradient', () => f32([2, 3], true).mul(2).backward(), sg.ShapeError, /backward.*non-scalar.*\[2, 3\]/),
  bad('backward', 'gradient of another shape', () => f32([2, 3], true).mul(2).backward(f32([3, 2])), sg.ShapeError, /backward.*\[3, 2\].*\[2, 3\]/),
  bad('backward', 'nothing requires grad', () => f32([]).mul(2).backward(), sg.ValueError, /backward.*requires? grad/),
]);

test('item() on a tensor of several elements rejects with a ShapeError naming the shape (it is async)', async () => {
  await expect(f32([2]).item()).rejects.toThrow(sg.ShapeError);
  await expect(f32([2]).item()).rejects.toThrow(/item.*\[2\]/);
});

test('the engine still works after rejected inputs', async () => {
  expect(() => f32([3]).add(f32([4]))).toThrow(sg.ShapeError);
  expect(Array.from(await f32([3]).add(1).data())).toEqual([1.5, 1.5, 1.5]);
});

test('allowNonFinite lets NaN and Infinity through on purpose', async () => {
  const x = sg.tensor([NaN, Infinity, -Infinity], [3], { allowNonFinite: true });
  expect(Array.from(await x.data())).toEqual([NaN, Infinity, -Infinity]);
});

test('data-side errors are shadergrad errors too (DataLoader, TensorDataset, CharVocab)', () => {
  const ds = new sg.data.TensorDataset({ x: new Float32Array(6), sampleShape: [2], y: new Int32Array(3) });
  const cases: Array<[() => unknown, RegExp]> = [
    [() => new sg.data.DataLoader(ds, { batchSize: 0 }), /DataLoader: batchSize must be a positive integer, got 0/],
    [() => new sg.data.DataLoader(ds, { batchSize: 2, seed: 0.5 }), /DataLoader: seed must be an integer/],
    [() => new sg.data.TensorDataset({ x: new Float32Array(5), sampleShape: [2], y: new Int32Array(2) }), /TensorDataset: x has 5 values/],
    [() => new sg.data.TensorDataset({ x: new Float32Array(4), sampleShape: [2], y: new Int32Array(3) }), /TensorDataset: x holds 2 samples/],
    [() => ds.getBatch([3]), /TensorDataset.getBatch: index 3 out of range \[0, 3\)/],
  ];
  for (const [call, message] of cases) {
    expect(call).toThrow(sg.ShadergradError);
    expect(call).toThrow(message);
  }
});

test('src/ throws no plain Error, TypeError or RangeError: every error is a ShadergradError subclass', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const root = join(import.meta.dirname, '../../src');
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      // the CLI (commander's errors, one line each) and the demo pages' kit report to a person, not to code
      else if (p.endsWith('.ts') && !/[\\/](cli|demo-kit)[\\/]/.test(p))
        readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
          if (/new (Error|TypeError|RangeError)\(/.test(line) && !line.trim().startsWith('//')) offenders.push(`${p.slice(root.length + 1)}:${i + 1}`);
        });
    }
  };
  walk(root);
  expect(offenders).toEqual([]);
});

test('layer and DataLoader options: unknown keys and bad numbers are refused at construction', () => {
  const ds = new sg.data.TensorDataset({ x: new Float32Array(4), sampleShape: [2], y: new Int32Array(2) });
  const cases: Array<[() => unknown, RegExp]> = [
    [() => new sg.nn.Linear(2, 3, { bais: false } as never), /Linear\(2, 3\): unknown option 'bais' \(allowed: bias, seed\)/],
    [() => new sg.nn.Linear(2, 1.5), /Linear\(2, 1.5\): outFeatures must be a finite integer >= 0, got 1.5/],
    [() => new sg.nn.BatchNorm2d(4, { momentun: 0.1 } as never), /BatchNorm: unknown option 'momentun'/],
    [() => new sg.nn.BatchNorm1d(4, { eps: -1 }), /BatchNorm: eps must be a finite number >= 0, got -1/],
    [() => new sg.nn.BatchNorm1d(4, { momentum: 2 }), /BatchNorm: momentum must be a finite number >= 0 <= 1, got 2/],
    [() => new sg.nn.LayerNorm(4, { epsilon: 1e-5 } as never), /LayerNorm: unknown option 'epsilon'/],
    [() => new sg.nn.GroupNorm(2, 4, { eps: NaN }), /GroupNorm: eps must be a finite number/],
    [() => new sg.nn.Dropout(0.5, { sead: 1 } as never), /Dropout: unknown option 'sead'/],
    [() => new sg.nn.Dropout('0.5' as never), /Dropout: probability must be in \[0, 1\], got 0.5/],
    [() => new sg.data.DataLoader(ds, { batchSize: 2, shufle: true } as never), /DataLoader: unknown option 'shufle' \(allowed: batchSize, shuffle, seed, dropLast\)/],
    [() => new sg.data.DataLoader(ds, undefined as never), /DataLoader: batchSize must be a positive integer, got undefined/],
  ];
  for (const [call, message] of cases) {
    expect(call).toThrow(sg.ValueError);
    expect(call).toThrow(message);
  }
});
