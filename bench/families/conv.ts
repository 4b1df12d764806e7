// Convolution: conv2d forward by im2col + tiled matmul (two dispatches) and by implicit GEMM, and the
// backward pass (input gradient: matmul + col2im; weight gradient: im2col + matmul), next to TF.js's
// WebGPU conv2d / Conv2DBackpropInput / Conv2DBackpropFilter on the same shapes (NHWC on its side).
// Cases: LeNet-5's two convolutions, ResNet-like 3x3 stages, VGG-like wide 3x3 layers (batch 8).
// Our outputs are laid out [O, N, OH, OW] (the matmul's [G, O/G, N*OH*OW]); the NCHW view costs no copy here.
import { CONV_OPS } from '../../src/ops/conv.js';
import { chooseConvVariant, col2imKernel, colsShape, convImplicitKernel, im2colKernel, type ConvGeometry } from '../../src/kernels/conv.js';
import { matmulKernel, type MatmulParams } from '../../src/kernels/matmul.js';
import type { KernelSpec } from '../../src/kernels/types.js';
import { contiguousView } from '../../src/graph/node.js';
import { readBuffer } from '../../src/runtime/readback.js';
import { bindGroupFor, uniformBuffer, type Runtime } from '../../src/runtime/runtime.js';
import { createStorage } from '../../src/runtime/buffers.js';
import { newEntry, timeAlternating, matches, type BenchFamily, type CaseResult, type Contestant } from '../harness.js';

export interface ConvCase {
  name: string;
  g: ConvGeometry;
  pass: 'fwd' | 'bwd';
}

function geometry(N: number, C: number, HW: number, O: number, k: number, stride: number, pad: number): ConvGeometry {
  const OH = Math.floor((HW + 2 * pad - k) / stride) + 1;
  return { N, C, H: HW, W: HW, O, G: 1, KH: k, KW: k, SH: stride, SW: stride, PH: pad, PW: pad, DH: 1, DW: 1, OH, OW: OH };
}
const SHAPES: [string, ConvGeometry][] = [
  ['lenet1 64x1x28x28 k5 6', geometry(64, 1, 28, 6, 5, 1, 2)],
  ['lenet2 64x6x14x14 k5 16', geometry(64, 6, 14, 16, 5, 1, 0)],
  ['resnet 8x16x28x28 k3 16', geometry(8, 16, 28, 16, 3, 1, 1)],
  ['resnet 8x32x14x14 k3 32', geometry(8, 32, 14, 32, 3, 1, 1)],
  ['resnet 8x32x14x14 k3 s2 64', geometry(8, 32, 14, 64, 3, 2, 1)],
  ['vgg 8x64x28x28 k3 64', geometry(8, 64, 28, 64, 3, 1, 1)],
];
const QUICK = new Set(['lenet2 64x6x14x14 k5 16', 'resnet 8x32x14x14 k3 32', 'vgg 8x64x28x28 k3 64']);

function randomArray(n: number, seed: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) out[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 31 - 1);
  return out;
}

/** Several kernels run back to back `reps` times in one pass and one submit; then the last output is read. */
async function prepareChain(rt: Runtime, steps: { spec: KernelSpec; buffers: GPUBuffer[] }[], out: GPUBuffer, outLength: number) {
  const prepared: { pipeline: GPUComputePipeline; params?: GPUBuffer; group: GPUBindGroup; workgroups: [number, number, number] }[] = [];
  for (const s of steps) {
    const pipeline = await rt.pipelines.get(s.spec);
    const params = s.spec.params ? uniformBuffer(rt, s.spec.params) : undefined;
    prepared.push({ pipeline, params, group: bindGroupFor(rt, s.spec, s.buffers, params), workgroups: s.spec.workgroups });
  }
  return {
    async run(reps: number) {
      const enc = rt.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      for (let r = 0; r < reps; r++)
        for (const p of prepared) {
          pass.setPipeline(p.pipeline);
          pass.setBindGroup(0, p.group);
          pass.dispatchWorkgroups(...p.workgroups);
        }
      pass.end();
      rt.device.queue.submit([enc.finish()]);
      await readBuffer(rt, out, 0, outLength * 4);
      return {};
    },
    read: async () => new Float32Array(await readBuffer(rt, out, 0, outLength * 4)),
    destroy: () => prepared.forEach((p) => p.params?.destroy()),
  };
}

const mm = (g: number, M: number, K: number, N: number, a: [number, number], b: [number, number]): MatmulParams => ({
  batchShape: [g], M, N, K, aBatchStrides: [M * K], bBatchStrides: [K * N], aOffset: 0, bOffset: 0,
  aRowStride: a[0], aColStride: a[1], bRowStride: b[0], bColStride: b[1],
});

/** Worst relative error over a sample of `got` vs float64 `want` (scaled by the largest |want|). */
function mismatch(got: ArrayLike<number>, want: ArrayLike<number>, what: string, perm?: (i: number) => number): string | undefined {
  let scale = 1e-30;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  const step = Math.max(1, Math.floor(want.length / 4096));
  for (let i = 0; i < want.length; i += step) {
    const gv = got[perm ? perm(i) : i];
    if (!(Math.abs(gv - want[i]) <= 1e-4 * scale)) return `${what}[${i}] = ${gv}, want ${want[i].toPrecision(7)}`;
  }
  return undefined;
}

export const convFamily: BenchFamily<ConvCase> = {
  name: 'conv',
  cases: (quick) => SHAPES.filter(([n]) => !quick || QUICK.has(n)).flatMap(([name, g]) => [{ name: `${name} fwd`, g, pass: 'fwd' as const }, { name: `${name} bwd`, g, pass: 'bwd' as const }]),

  async run(ctx, c) {
    const { rt, peer } = ctx;
    const g = c.g;
    const { N, C, H, W, O, KH, KW, OH, OW } = g;
    const L = N * OH * OW;
    const CK = C * KH * KW;
    const flops = 2 * N * O * OH * OW * CK * (c.pass === 'bwd' ? 2 : 1);
    const result: CaseResult = { family: 'conv', case: c.name, flops, entries: [] };
    const x = randomArray(N * C * H * W, 1);
    const w = randomArray(O * CK, 2);
    const gy = randomArray(N * O * OH * OW, 3); // output gradient, NCHW
    const xBuf = createStorage(rt, x);
    const wBuf = createStorage(rt, w);
    const owned: GPUBuffer[] = [xBuf, wBuf];
    const buf = (n: number | Float32Array<ArrayBuffer>) => (owned.push(createStorage(rt, n)), owned[owned.length - 1]);
    const contestants: Contestant[] = [];
    const chains: { destroy(): void }[] = [];
    const xRef = { shape: [N, C, H, W], data: Float64Array.from(x) };
    const wRef = { shape: [O, C, KH, KW], data: Float64Array.from(w) };
    const add = async (name: string, steps: { spec: KernelSpec; buffers: GPUBuffer[] }[], out: GPUBuffer, outLength: number, check: (got: Float32Array) => string | undefined) => {
      if (!matches(ctx.options.variant, name)) return;
      try {
        const chain = await prepareChain(rt, steps, out, outLength);
        chains.push(chain);
        await chain.run(1);
        const wrong = check(await chain.read());
        result.entries.push(newEntry(name, wrong ? 'WRONG' : 'ok', wrong));
        if (!wrong) contestants.push({ name, run: chain.run });
      } catch (e) {
        result.entries.push(newEntry(name, 'error', (e as Error).message.split('\n')[0]));
      }
    };
    const colsLen = colsShape(g).reduce((a, b) => a * b, 1);
    const chosen = chooseConvVariant(g, rt.caps);
    const star = (v: string) => (v === chosen ? `${v}*` : v);
    const xView = contiguousView([N, C, H, W]);
    let wantDx: Float64Array | null = null;

    if (c.pass === 'fwd') {
      const want = CONV_OPS.conv2d.reference(xRef, wRef, null, { stride: [g.SH, g.SW], padding: [g.PH, g.PW] }).data;
      const cols = buf(colsLen);
      const yMat = buf(L * O);
      // [O, N*OH*OW] output: element (o, n, p) compared with NCHW (n, o, p)
      const fromOnp = (i: number) => { const p = i % (OH * OW); const o = Math.floor(i / (OH * OW)) % O; const n = Math.floor(i / (OH * OW * O)); return (o * N + n) * OH * OW + p; };
      await add(star('im2col'), [
        { spec: im2colKernel(g, xView, rt.caps), buffers: [xBuf, cols] },
        { spec: matmulKernel(mm(1, O, CK, L, [CK, 1], [L, 1]), rt.caps), buffers: [wBuf, cols, yMat] },
      ], yMat, L * O, (got) => mismatch(got, want, 'y', fromOnp));
      const y = buf(L * O);
      await add(star('implicit'), [{ spec: convImplicitKernel(g, xView, 0, rt.caps), buffers: [xBuf, wBuf, y] }], y, L * O, (got) => mismatch(got, want, 'y'));
    } else {
      // gradient in the matmul layout [O, N*OH*OW]
      const gF = new Float32Array(L * O);
      for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) gF.set(gy.subarray((n * O + o) * OH * OW, (n * O + o + 1) * OH * OW), (o * N + n) * OH * OW);
      const gBuf = buf(gF);
      const dcols = buf(colsLen);
      const dx = buf(N * C * H * W);
      const cols = buf(colsLen);
      const dw = buf(O * CK);
      // reference: the gradients of sum(conv(x, w) * gy) by the adjoint loops (convTranspose2d is conv2d's input gradient)
      wantDx = CONV_OPS.convTranspose2d.reference({ shape: [N, O, OH, OW], data: Float64Array.from(gy) }, wRef, null, { stride: [g.SH, g.SW], padding: [g.PH, g.PW], outputPadding: [H - ((OH - 1) * g.SH - 2 * g.PH + KH), W - ((OW - 1) * g.SW - 2 * g.PW + KW)] }).data;
      await add('im2col bwd (dx then dw)', [
        { spec: matmulKernel(mm(1, CK, O, L, [1, CK], [L, 1]), rt.caps), buffers: [wBuf, gBuf, dcols] },
        { spec: col2imKernel(g, 0, rt.caps), buffers: [dcols, dx] },
        { spec: im2colKernel(g, xView, rt.caps), buffers: [xBuf, cols] },
        { spec: matmulKernel(mm(1, O, L, CK, [L, 1], [1, L]), rt.caps), buffers: [gBuf, cols, dw] },
      ], dx, N * C * H * W, (got) => mismatch(got, wantDx!, 'dx'));
    }

    if (peer) {
      const { tf } = peer;
      const pad = [[0, 0], [g.PH, g.PH], [g.PW, g.PW], [0, 0]] as never;
      const tx = tf.tensor(x, [N, C, H, W]).transpose([0, 2, 3, 1]);
      const tw = tf.tensor(w, [O, C, KH, KW]).transpose([2, 3, 1, 0]);
      const tdy = tf.tensor(gy, [N, O, OH, OW]).transpose([0, 2, 3, 1]);
      const [txc, twc, tdyc] = [tx, tw, tdy].map((t) => t.clone());
      tf.dispose([tx, tw, tdy]);
      const entry = newEntry(peer.name);
      result.peer = entry;
      const one = () =>
        c.pass === 'fwd'
          ? [tf.conv2d(txc as never, twc as never, [g.SH, g.SW], pad, 'NHWC')]
          : [
              tf.engine().runKernel('Conv2DBackpropInput', { dy: tdyc, filter: twc }, { strides: [g.SH, g.SW], pad, dataFormat: 'NHWC', inputShape: [N, H, W, C] }) as never,
              tf.engine().runKernel('Conv2DBackpropFilter', { x: txc, dy: tdyc }, { strides: [g.SH, g.SW], pad, dataFormat: 'NHWC', filterShape: [KH, KW, C, O] }) as never,
            ];
      const runTf = async (reps: number) => {
        const outs: import('@tensorflow/tfjs').Tensor[] = [];
        for (let i = 0; i < reps; i++) outs.push(...one());
        const first = outs[outs.length - (c.pass === 'fwd' ? 1 : 2)];
        const data = (await first.transpose([0, 3, 1, 2]).data()) as Float32Array;
        tf.dispose(outs);
        return data;
      };
      const got = await runTf(1);
      const want = c.pass === 'fwd' ? CONV_OPS.conv2d.reference(xRef, wRef, null, { stride: [g.SH, g.SW], padding: [g.PH, g.PW] }).data : wantDx!;
      const wrong = mismatch(got, want, c.pass === 'fwd' ? 'tf y' : 'tf dx');
      if (wrong) Object.assign(entry, { status: 'WRONG', note: wrong });
      else contestants.push({ name: peer.name, run: async (reps) => (await runTf(reps), {}) });
      result.entries.push(entry);
      try {
        await timeAlternating(ctx, contestants, result.entries);
      } finally {
        result.entries.pop();
        tf.dispose([txc, twc, tdyc]);
      }
    } else {
      await timeAlternating(ctx, contestants, result.entries);
    }
    for (const ch of chains) ch.destroy();
    for (const b of owned) b.destroy();
    return result;
  },
};
