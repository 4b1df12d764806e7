// int8 models exported as ONNX QDQ (QuantizeLinear/DequantizeLinear around Gemm and Conv, int8 weights per
// output channel) and run in onnxruntime-node: ORT's output agrees with ours. Dynamic scales are refused.
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { LeNet } from '../../src/models/index.js';
import * as sg from '../../src/node/index.js';
import { decodeModel } from '../../src/onnx/proto.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

/**
 * ORT with its graph optimizations off runs the QDQ graph as written (quantize, dequantize, float op). With
 * them on it fuses the pattern into its own int8 kernels, whose requantization differs (measured: 2.5e-3 of
 * the output's scale on this LeNet, 40% of the int8-vs-float difference).
 */
async function runOrt(bytes: Uint8Array, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  const out = await session.run({ input: new ort.Tensor('float32', x, shape) });
  return out[session.outputNames[0]].data as Float32Array;
}

describe('quantized models in onnxruntime', () => {
  test('a LeNet quantized with static scales: QDQ nodes, int8 initializers, outputs as ours', async () => {
    sg.manualSeed(3);
    const model = new LeNet();
    const batch = (seed: number) => sg.rand([8, 1, 28, 28], { seed });
    model.eval();
    const float = Float32Array.from(await model.forward(batch(2)).data());
    await sg.nn.quantize(model, { activations: 'static', calibration: [batch(1), batch(2)] });
    model.eval();
    const x = batch(2); // inside the calibrated range: no value saturates differently (ORT's int8 reaches -128, ours stops at -127)
    const ours = Float32Array.from(await model.forward(x).data());
    const bytes = await sg.onnx.exportModel(model, x);
    const graph = decodeModel(bytes).graph!;
    const ops = graph.node!.map((n) => n.op_type);
    expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(5);
    expect(ops.filter((o) => o === 'DequantizeLinear')).toHaveLength(10);
    expect(graph.initializer!.filter((t) => t.data_type === 3).map((t) => t.name)).toEqual(['features.0.weight', 'features.3.weight', 'classifier.1.weight', 'classifier.3.weight', 'classifier.5.weight']);
    const theirs = await runOrt(bytes, Float32Array.from(await x.data()), x.shape);
    const worst = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    // the same int8 values and scales: ORT and ours agree to float rounding, far below int8's own error
    const vsOrt = worst(ours, theirs);
    const quantError = worst(ours, float);
    expect(quantError).toBeGreaterThan(0);
    expect(vsOrt, `ours vs ORT ${vsOrt}, int8 vs float ${quantError}`).toBeLessThan(1e-6);
  });

  test('dynamic activation scales are refused, naming the way out', async () => {
    const model = new sg.nn.Sequential(new sg.nn.Linear(4, 2));
    await sg.nn.quantize(model);
    await expect(sg.onnx.exportModel(model, sg.rand([1, 4]))).rejects.toThrow(/scales its inputs per row at run time \(dynamic\).*activations 'static'/);
  });
});
