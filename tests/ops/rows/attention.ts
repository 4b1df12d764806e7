// Attention ops of the table: one row per case and per kernel variant of the fused op (a variant the adapter
// cannot run is reported skipped with the reason), one per case of the unfused composite, and the bad inputs.
// Awkward shapes: T = 1, T not a multiple of the 16-wide tiles, odd head sizes, TQ ≠ TK; with and without masks.
import * as sg from '../../../src/node/index.js';
import type { Nd } from '../../../src/core/nd.js';
import { ATTENTION_VARIANTS, type AttentionVariant } from '../../../src/kernels/attention.js';
import { attentionProbs, attentionUnfused, scaledDotProductAttention } from '../../../src/ops/attention.js';
import { OPS } from '../../../src/ops/table.js';
import { runtime } from '../../../src/runtime/runtime.js';
import { bad, row, uni, type BadInput, type Gen, type OpRow } from '../../helpers/opcheck.js';
import { f32, ints } from './inputs.js';

/** Why the adapter cannot run `variant` (null when it can); read when the test runs (the runtime starts in beforeAll). */
export function variantUnsupported(variant: AttentionVariant): string | null {
  const def = ATTENTION_VARIANTS.find((v) => v.name === variant)!;
  const caps = runtime().caps;
  return def.supports(caps) ? null : `the ${variant} attention variant (${def.description}) is not supported on ${caps.description}`;
}

export const VARIANTS = ATTENTION_VARIANTS.map((v) => v.name);

interface Case {
  name: string;
  B: number;
  H: number;
  TQ: number;
  TK: number;
  D: number;
  causal?: boolean;
  mask?: boolean;
  scale?: number;
}

const CASES: Case[] = [
  { name: 'T=1', B: 1, H: 1, TQ: 1, TK: 1, D: 4 },
  { name: 'odd head size 5, T=7', B: 2, H: 3, TQ: 7, TK: 7, D: 5 },
  { name: 'T=37 (not a tile multiple), causal', B: 1, H: 2, TQ: 37, TK: 37, D: 8, causal: true },
  { name: 'TQ=5, TK=19, key-padding mask', B: 2, H: 2, TQ: 5, TK: 19, D: 3, mask: true },
  { name: 'causal + mask + scale, T=18', B: 2, H: 1, TQ: 18, TK: 18, D: 7, causal: true, mask: true, scale: 0.3 },
  { name: 'D=64, T=33', B: 1, H: 2, TQ: 33, TK: 33, D: 64, causal: true },
  // several key blocks of the subgroup variant (4 × subgroup size), head size past one vec4 per lane
  { name: 'TQ=40, TK=70, D=36, mask', B: 2, H: 1, TQ: 40, TK: 70, D: 36, mask: true },
  { name: 'TQ=45, TK=70, D=17, causal + mask', B: 1, H: 2, TQ: 45, TK: 70, D: 17, causal: true, mask: true },
];

/** A key-padding mask [B, TK], PyTorch's polarity (1 = ignore): each row keeps key 0 (no fully-masked row) and drops about a third of the rest. */
const keyMask: Gen = { noGrad: true, make: (n, r, shapes) => Array.from({ length: n }, (_, i) => (i % shapes[1][2] === 0 || r() > 0.35 ? 0 : 1)) };

const shapesOf = (c: Case) => [[c.B, c.H, c.TQ, c.D], [c.B, c.H, c.TK, c.D], [c.B, c.H, c.TK, c.D], ...(c.mask ? [[c.B, c.TK]] : [])];
const TOL = { gens: [uni(-2, 2), uni(-2, 2), uni(-1, 1), keyMask], gradRtol: 2e-3, gradAtol: 2e-4, gradPositions: 40 };
const ref = (c: Case) => (q: Nd, k: Nd, v: Nd, m?: Nd) => OPS.scaledDotProductAttention.reference(q, k, v, { causal: c.causal, keyPaddingMask: m ?? null, scale: c.scale });
const optsOf = (c: Case, m?: sg.Tensor) => ({ causal: c.causal, keyPaddingMask: m ?? null, scale: c.scale });

/** A boolean attn mask (1 = not allowed) that leaves key 0 visible to every query; an additive bias in [-2, 1). */
const attnMaskGen: Gen = { noGrad: true, make: (n, r, shapes) => { const TK = shapes[1][2]; return Array.from({ length: n }, (_, i) => (i % TK === 0 || r() > 0.4 ? 0 : 1)); } };
const biasGen: Gen = { noGrad: true, make: (n, r) => Array.from({ length: n }, () => -2 + 3 * r()) };
const probsRef = (o: { causal?: boolean; pad?: boolean; mask?: boolean; bias?: boolean }) => (q: Nd, k: Nd, ...rest: Nd[]) => {
  const [pad, mask, bias] = [o.pad, o.mask, o.bias].map((on) => (on ? rest.shift()! : null));
  return OPS.attentionProbs.reference(q, k, { causal: o.causal, keyPaddingMask: pad, attnMask: mask, attnBias: bias });
};
const probsCall = (o: { causal?: boolean; pad?: boolean; mask?: boolean; bias?: boolean }, withV: boolean) => (q: sg.Tensor, k: sg.Tensor, ...rest: sg.Tensor[]) => {
  const v = withV ? rest.shift()! : null;
  const [pad, mask, bias] = [o.pad, o.mask, o.bias].map((on) => (on ? rest.shift()! : null));
  const opts = { causal: o.causal, keyPaddingMask: pad, attnMask: mask, attnBias: bias };
  return v ? attentionUnfused(q, k, v, opts) : attentionProbs(q, k, opts);
};
// [B, H, TQ, D] q, [B, H, TK, D] k, then the masks: pad [B, TK], attnMask and attnBias [TQ, TK] or [B, H, TQ, TK]
const PROB_CASES: [string, { causal?: boolean; pad?: boolean; mask?: boolean; bias?: boolean }, number[][], Gen[]][] = [
  ['no mask, TQ=5, TK=7', {}, [[2, 3, 5, 4], [2, 3, 7, 4]], []],
  ['bool attnMask [TQ, TK]', { mask: true }, [[2, 2, 5, 3], [2, 2, 7, 3], [5, 7]], [attnMaskGen]],
  ['bool attnMask per batch and head + key padding', { pad: true, mask: true }, [[2, 3, 6, 4], [2, 3, 9, 4], [2, 9], [2, 3, 6, 9]], [keyMask, attnMaskGen]],
  ['additive attnBias [TQ, TK], causal', { causal: true, bias: true }, [[1, 2, 8, 5], [1, 2, 8, 5], [8, 8]], [biasGen]],
  ['attnBias per head + bool mask + key padding', { pad: true, mask: true, bias: true }, [[2, 2, 4, 3], [2, 2, 6, 3], [2, 6], [4, 6], [2, 2, 4, 6]], [keyMask, attnMaskGen, biasGen]],
];

export const rows: OpRow[] = [
  ...VARIANTS.flatMap((variant) =>
    CASES.map((c) =>
      row('scaledDotProductAttention', `scaledDotProductAttention ${variant}: ${c.name}`, (q, k, v, m) => scaledDotProductAttention(q, k, v, { ...optsOf(c, m), variant }), ref(c), [shapesOf(c)], {
        ...TOL,
        unsupported: () => variantUnsupported(variant),
      }),
    ),
  ),
  ...CASES.map((c) => row('attentionUnfused', `attentionUnfused: ${c.name}`, (q, k, v, m) => attentionUnfused(q, k, v, optsOf(c, m)), ref(c), [shapesOf(c)], TOL)),
  ...PROB_CASES.map(([name, o, shapes, gens]) =>
    row('attentionProbs', `attentionProbs: ${name}`, probsCall(o, false), probsRef(o), [shapes], { ...TOL, gens: [uni(-2, 2), uni(-2, 2), ...gens] }),
  ),
  ...PROB_CASES.map(([name, o, shapes, gens]) =>
    row('attentionUnfused', `attentionUnfused: ${name}`, probsCall(o, true), (q: Nd, k: Nd, v: Nd, ...rest: Nd[]) => OPS.matmul.reference(probsRef(o)(q, k, ...rest), v), [[shapes[0], shapes[1], shapes[1], ...shapes.slice(2)]], { ...TOL, gens: [uni(-2, 2), uni(-2, 2), uni(-1, 1), ...gens] }),
  ),
];

const q = () => f32([1, 2, 3, 4]);

export const badInputs: BadInput[] = (['scaledDotProductAttention', 'attentionUnfused'] as const).flatMap((op) => {
  const attn = op === 'scaledDotProductAttention' ? scaledDotProductAttention : attentionUnfused;
  return [
    bad(op, 'k head size differs from q', () => attn(q(), f32([1, 2, 3, 5]), f32([1, 2, 3, 5])), sg.ShapeError, new RegExp(`${op}.*\\[1, 2, 3, 4\\].*\\[1, 2, 3, 5\\]`)),
    bad(op, 'v length differs from k', () => attn(q(), q(), f32([1, 2, 4, 4])), sg.ShapeError, new RegExp(`${op}: k must be \\[1, 2, TK, 4\\].*v \\[1, 2, 4, 4\\]`)),
    bad(op, 'q of rank 3', () => attn(f32([2, 3, 4]), q(), q()), sg.ShapeError, new RegExp(`${op}: q must be \\[B, H, T, D\\], got shape \\[2, 3, 4\\]`)),
    bad(op, 'int32 k', () => attn(q(), ints(new Array(24).fill(0), [1, 2, 3, 4]), q()), sg.DTypeError, new RegExp(`${op}: k must be float32, got int32.*\\[1, 2, 3, 4\\]`)),
    bad(op, 'keyPaddingMask of the wrong key count', () => attn(q(), q(), q(), { keyPaddingMask: f32([1, 4]) }), sg.ShapeError, new RegExp(`${op}: keyPaddingMask must be \\[1, 3\\].*\\[1, 4\\]`)),
    bad(op, "the old option name 'mask'", () => attn(q(), q(), q(), { mask: f32([1, 3]) } as object), sg.ValueError, new RegExp(`${op}: unknown option 'mask'`)),
    bad(op, 'empty head size', () => attn(f32([1, 2, 3, 0]), f32([1, 2, 3, 0]), f32([1, 2, 3, 0])), sg.ShapeError, new RegExp(`${op}: empty dimension`)),
    bad(op, 'non-finite scale', () => attn(q(), q(), q(), { scale: Infinity }), sg.ValueError, new RegExp(`${op}: scale must be a finite number, got Infinity`)),
  ];
}).concat([
  // the fused kernel has no general mask: asking it for one is refused, not ignored
  bad('scaledDotProductAttention', 'an attnMask', () => scaledDotProductAttention(q(), q(), q(), { attnMask: f32([3, 3]) } as object), sg.ValueError, /scaledDotProductAttention: unknown option 'attnMask'/),
  bad('attentionUnfused', 'attnMask that does not broadcast', () => attentionUnfused(q(), q(), q(), { attnMask: f32([3, 4]) }), sg.ShapeError, /attentionUnfused: attnMask must broadcast to \[1, 2, 3, 3\] \(batch, heads, queries, keys\).*got shape \[3, 4\]/),
  bad('attentionProbs', 'attnBias of rank 5', () => attentionProbs(q(), q(), { attnBias: f32([1, 1, 2, 3, 3]) }), sg.ShapeError, /attentionProbs: attnBias must broadcast to \[1, 2, 3, 3\].*got shape \[1, 1, 2, 3, 3\]/),
  bad('attentionProbs', 'an int32 attnBias', () => attentionProbs(q(), q(), { attnBias: ints(new Array(9).fill(0), [3, 3]) }), sg.DTypeError, /attentionProbs: attnBias must be float32, got int32/),
  bad('attentionProbs', 'k head size differs from q', () => attentionProbs(q(), f32([1, 2, 3, 5])), sg.ShapeError, /attentionProbs: k must be \[1, 2, TK, 4\]/),
]);
