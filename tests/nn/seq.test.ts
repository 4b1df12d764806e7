// Sequence layers against float64 references: Embedding (a row gather), RNN, LSTM, GRU (layers, directions,
// batchFirst, initial states, T = 1; tests/helpers/recurrent-reference.ts) and MultiheadAttention (built on
// the attention reference of src/ops/attention.ts). LayerNorm's op rows are in tests/ops/rows/norm.ts. Each
// case compares the forward values and the gradients of every input and parameter of
// L = Σ outputs · W with central differences of the reference.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { Random } from '../../src/core/random.js';
import { attention } from '../../src/ops/attention.js';
import * as S from '../helpers/recurrent-reference.js';
import { nd, ndNumel, type Nd } from '../../src/core/nd.js';
import { numericGrad } from '../helpers/opcheck.js';
import { OPS } from '../../src/ops/table.js';

useGpu();

/** Seeded uniform [0, 1) numbers: the project's own generator (mulberry32). */
function mulberry32(seed: number): () => number {
  const r = new Random(seed >>> 0);
  return () => r.next();
}
const randArr = (n: number, rnd: () => number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rnd());

const concat = (xs: Nd[]): Nd => {
  const data = new Float64Array(xs.reduce((n, x) => n + x.data.length, 0));
  let at = 0;
  for (const x of xs) (data.set(x.data, at), (at += x.data.length));
  return { shape: [data.length], data };
};

async function ndOf(t: sg.Tensor): Promise<Nd> {
  return { shape: t.shape, data: Float64Array.from(await t.data()) };
}

/**
 * Checks outputs and gradients: `inputs` are GPU tensors needing grad (inputs and parameters, in the
 * order `ref` takes them), `outs` the GPU outputs, `ref` the float64 outputs from the reference inputs.
 */
async function check(name: string, inputs: sg.Tensor[], outs: sg.Tensor[], ref: (...xs: Nd[]) => Nd[], rnd: () => number, tol = { rtol: 1e-4, atol: 2e-5 }) {
  const xs = await Promise.all(inputs.map(ndOf));
  const expected = ref(...xs.map((x) => ({ shape: x.shape, data: x.data.slice() })));
  const W = expected.map((e) => nd(randArr(e.data.length, rnd), e.shape));
  outs.map((o, i) => o.mul(sg.tensor(Float32Array.from(W[i].data), o.shape)).sum()).reduce((a, b) => a.add(b)).backward();
  sg.realize(...outs, ...inputs.map((t) => t.grad!));
  for (const [i, o] of outs.entries()) expect(await ndOf(o), `${name}: output ${i}`).toBeAllClose(expected[i], tol);
  const flatRef = (...a: Nd[]) => concat(ref(...a));
  const Wall = concat(W);
  for (const [i, t] of inputs.entries()) {
    expect(t.grad, `${name}: input ${i} has a gradient`).not.toBeNull();
    const n = t.size;
    const positions = n <= 30 ? [...Array(n).keys()] : Array.from(new Set([0, n - 1, ...Array.from({ length: 28 }, () => Math.floor(rnd() * n))])).sort((a, b) => a - b);
    const numeric = numericGrad(flatRef, xs, Wall, i, positions);
    const analytic = await t.grad!.data();
    expect(positions.map((p) => analytic[p]), `${name}: gradient of input ${i}`).toBeAllClose(numeric, { rtol: 3e-3, atol: 3e-4, positions, shape: t.shape });
  }
}

describe('Embedding', () => {
  test('gather forward, scatter-add backward (repeated indices)', async () => {
    const rnd = mulberry32(3);
    const emb = new sg.nn.Embedding(7, 5, { seed: 1 });
    const idx = Int32Array.from([0, 3, 3, 6, 1, 3]);
    const ids = sg.tensor(idx, [2, 3], { dtype: 'int32' });
    await check('Embedding', [emb.weight], [emb.forward(ids)], (w) => [OPS.gather.reference(w, nd(idx, [2, 3]))], rnd);
  });
  test('an index out of range names the layer and the shapes', () => {
    const emb = new sg.nn.Embedding(7, 5);
    const ids = sg.tensor(Int32Array.from([1, 7]), [1, 2], { dtype: 'int32' });
    expect(() => emb.forward(ids)).toThrow(sg.ValueError);
    expect(() => emb.forward(ids)).toThrow(/Embedding\(7, 5\): index 7 at flat position 1 of indices of shape \[1, 2\] is out of range \[0, 7\)/);
    expect(() => emb.forward(sg.zeros([2]))).toThrow(/Embedding\(7, 5\): indices must be int32/);
  });
});

interface RnnCase {
  kind: S.CellKind;
  T: number;
  B: number;
  I: number;
  H: number;
  layers?: number;
  bidirectional?: boolean;
  batchFirst?: boolean;
  initial?: boolean;
}

const RNN_CASES: RnnCase[] = [
  { kind: 'rnn', T: 1, B: 2, I: 3, H: 4 },
  { kind: 'rnn', T: 5, B: 3, I: 2, H: 5, layers: 2, initial: true },
  { kind: 'lstm', T: 1, B: 1, I: 3, H: 2, initial: true },
  { kind: 'lstm', T: 6, B: 2, I: 3, H: 4, layers: 2, bidirectional: true, batchFirst: true, initial: true },
  { kind: 'gru', T: 4, B: 2, I: 3, H: 3, bidirectional: true },
  { kind: 'gru', T: 3, B: 3, I: 2, H: 4, layers: 2, batchFirst: true, initial: true },
];

const caseName = (c: RnnCase) => `${c.kind} T=${c.T} B=${c.B} in=${c.I} H=${c.H}${c.layers ? ` layers=${c.layers}` : ''}${c.bidirectional ? ' bidirectional' : ''}${c.batchFirst ? ' batchFirst' : ''}${c.initial ? ' h0' : ''}`;

describe.each(RNN_CASES.map((c) => [caseName(c), c] as const))('%s', (_n, c) => {
  test('forward (out, hN, cN) and BPTT gradients vs float64', async () => {
    const rnd = mulberry32(c.T * 1000 + c.H * 10 + c.I);
    const Ctor = { rnn: sg.nn.RNN, lstm: sg.nn.LSTM, gru: sg.nn.GRU }[c.kind];
    const L = c.layers ?? 1;
    const dirs = c.bidirectional ? 2 : 1;
    const m = new Ctor(c.I, c.H, { numLayers: L, bidirectional: c.bidirectional, batchFirst: c.batchFirst, seed: 7 });
    const xShape = c.batchFirst ? [c.B, c.T, c.I] : [c.T, c.B, c.I];
    const x = sg.tensor(randArr(ndNumel(xShape), rnd, -2, 2), xShape, { requiresGrad: true });
    const sShape = [L * dirs, c.B, c.H];
    const h0 = c.initial ? sg.tensor(randArr(ndNumel(sShape), rnd), sShape, { requiresGrad: true }) : null;
    const c0 = c.initial && c.kind === 'lstm' ? sg.tensor(randArr(ndNumel(sShape), rnd), sShape, { requiresGrad: true }) : null;
    const params = m.parameters();
    const per = params.length / (L * dirs); // 4 with biases
    let outs: sg.Tensor[];
    if (m instanceof sg.nn.LSTM) {
      const [out, [h, cc]] = m.forward(x, h0 && c0 ? [h0, c0] : null);
      outs = [out, h, cc];
    } else {
      const [out, h] = (m as sg.nn.RNN).forward(x, h0);
      outs = [out, h];
    }
    const inputs = [x, ...(h0 ? [h0] : []), ...(c0 ? [c0] : []), ...params];
    const ref = (...a: Nd[]): Nd[] => {
      let k = 0;
      let xx = a[k++];
      if (c.batchFirst) xx = OPS.permute.reference(xx, [1, 0, 2]);
      const hh = h0 ? a[k++] : nd(new Float64Array(ndNumel(sShape)), sShape);
      const cc = c0 ? a[k++] : nd(new Float64Array(ndNumel(sShape)), sShape);
      const ps = a.slice(k);
      const layers = Array.from({ length: L }, (_, l) => Array.from({ length: dirs }, (_, d) => ps.slice((l * dirs + d) * per, (l * dirs + d + 1) * per)));
      const r = S.recurrent(c.kind, xx, hh, cc, { layers }, c.H, dirs === 2);
      const out = c.batchFirst ? OPS.permute.reference(r.out, [1, 0, 2]) : r.out;
      return c.kind === 'lstm' ? [out, r.h, r.c] : [out, r.h];
    };
    await check(caseName(c), inputs, outs, ref, rnd);
  });
});

test('parameter names follow PyTorch', () => {
  const m = new sg.nn.LSTM(3, 4, { numLayers: 2, bidirectional: true });
  expect(Object.keys(m.stateDict())).toEqual(
    ['l0', 'l0_reverse', 'l1', 'l1_reverse'].flatMap((s) => [`weight_ih_${s}`, `weight_hh_${s}`, `bias_ih_${s}`, `bias_hh_${s}`]),
  );
  expect(m.stateDict()['weight_ih_l1'].shape).toEqual([16, 8]);
});

test('recurrent input errors name the layer and the shapes', () => {
  const m = new sg.nn.LSTM(3, 4, { numLayers: 2 });
  expect(() => m.forward(sg.zeros([5, 2, 4]))).toThrow(/LSTM\(3, 4, numLayers=2\): input must be \[T, B, 3\], got shape \[5, 2, 4\]/);
  expect(() => m.forward(sg.zeros([5, 2, 3]), [sg.zeros([1, 2, 4]), sg.zeros([2, 2, 4])])).toThrow(/initial h must be \[2, 2, 4\].*got shape \[1, 2, 4\]/);
});

describe('MultiheadAttention', () => {
  test('equals the float64 composition (projections, attention, output projection), causal with a key mask', async () => {
    const rnd = mulberry32(11);
    const [B, T, E, Hh] = [2, 9, 6, 3];
    const mha = new sg.nn.MultiheadAttention(E, Hh, { causal: true, seed: 3 });
    const x = sg.tensor(randArr(B * T * E, rnd), [B, T, E], { requiresGrad: true });
    // PyTorch's key_padding_mask polarity: 1 = ignore that key (key 0 always kept)
    const maskData = Float32Array.from({ length: B * T }, (_, i) => (i % T === 0 || rnd() > 0.3 ? 0 : 1));
    const y = mha.forward(x, x, x, { keyPaddingMask: sg.tensor(maskData, [B, T]) });
    const lin = (a: Nd, w: Nd, b: Nd) => OPS.add.reference(OPS.matmul.reference(a, OPS.transpose.reference(w, 0, 1)), b);
    const heads = (a: Nd) => OPS.permute.reference(OPS.reshape.reference(a, [B, T, Hh, E / Hh]), [0, 2, 1, 3]);
    const ref = (xx: Nd, ...p: Nd[]) => {
      const [qw, qb, kw, kb, vw, vb, ow, ob] = p;
      const o = attention(heads(lin(xx, qw, qb)), heads(lin(xx, kw, kb)), heads(lin(xx, vw, vb)), { causal: true, keyPaddingMask: nd(maskData, [B, T]) });
      return [lin(OPS.reshape.reference(OPS.permute.reference(o, [0, 2, 1, 3]), [B, T, E]), ow, ob)];
    };
    await check('MultiheadAttention', [x, ...mha.parameters()], [y], ref, rnd);
  });
  test('a head count that does not divide embedDim is refused', () => {
    expect(() => new sg.nn.MultiheadAttention(10, 3)).toThrow(sg.ValueError);
    expect(() => new sg.nn.MultiheadAttention(10, 3)).toThrow(/MultiheadAttention\(10, 3\): numHeads 3 does not divide embedDim 10/);
  });
});

describe('transformer layers', () => {
  test.each([[false], [true]])('encoder, decoder (normFirst=%s) and GPT block run forward and backward with finite values', async (normFirst) => {
    const enc = new sg.nn.TransformerEncoderLayer(8, 2, { normFirst, dimFeedforward: 16, seed: 1 });
    const dec = new sg.nn.TransformerDecoderLayer(8, 2, { normFirst, dimFeedforward: 16, seed: 2 });
    dec.eval(); // (dropout 0.1 by default, as PyTorch)
    enc.eval();
    const gpt = new sg.nn.GPTBlock(8, 2, { seed: 3 });
    const src = sg.randn([2, 5, 8], { seed: 4, requiresGrad: true });
    const tgt = sg.randn([2, 3, 8], { seed: 5 });
    const mem = enc.forward(src);
    const y = gpt.forward(dec.forward(tgt, mem));
    expect(y.shape).toEqual([2, 3, 8]);
    y.square().mean().backward();
    const g = await src.grad!.data();
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.some((v) => v !== 0)).toBe(true);
  });
  test('positional tables refuse sequences longer than the table', () => {
    const pe = new sg.nn.SinusoidalPositionalEncoding(4, 6);
    expect(() => pe.forward(sg.zeros([1, 5, 6]))).toThrow(sg.ShapeError);
    expect(() => pe.forward(sg.zeros([1, 5, 6]))).toThrow(/SinusoidalPositionalEncoding\(4, 6\): sequence length 5 \(input shape \[1, 5, 6\]\) exceeds the positional table of 4 positions/);
    expect(() => new sg.nn.LearnedPositionalEncoding(4, 6).forward(sg.zeros([2, 9, 6]))).toThrow(/LearnedPositionalEncoding\(4, 6\): sequence length 9/);
  });
  test('sinusoidal table values', async () => {
    const pe = new sg.nn.SinusoidalPositionalEncoding(3, 4);
    const y = await pe.forward(sg.zeros([1, 3, 4])).data();
    const want = [0, 1, 0, 1, Math.sin(1), Math.cos(1), Math.sin(0.01), Math.cos(0.01), Math.sin(2), Math.cos(2), Math.sin(0.02), Math.cos(0.02)];
    expect(y).toBeAllClose(want, { rtol: 1e-5, atol: 1e-6 });
  });
});
