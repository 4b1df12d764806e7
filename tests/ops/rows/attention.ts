// Attention ops of the table: one row per case and per kernel variant of the fused op (a variant the adapter
// cannot run is reported skipped with the reason), one per case of the unfused composite, and the bad inputs.
// Awkward shapes: T = 1, T not a multiple of the 16-wide tiles, odd head sizes, TQ ≠ TK; with and without masks.
import * as sg from '../../../src/node/index.js';
import type { Nd } from '../../../src/core/nd.js';
import { ATTENTION_VARIANTS, type AttentionVariant } from '../../../src/kernels/attention.js';
import { attentionUnfused, scaledDotProductAttention } from '../../../src/ops/attention.js';
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

/** A key-padding mask [B, TK]: each row keeps key 0 (no fully-masked row) and drops about a third of the rest. */
const keyMask: Gen = { noGrad: true, make: (n, r, shapes) => Array.from({ length: n }, (_, i) => (i % shapes[1][2] === 0 || r() > 0.35 ? 1 : 0)) };

const shapesOf = (c: Case) => [[c.B, c.H, c.TQ, c.D], [c.B, c.H, c.TK, c.D], [c.B, c.H, c.TK, c.D], ...(c.mask ? [[c.B, c.TK]] : [])];
const TOL = { gens: [uni(-2, 2), uni(-2, 2), uni(-1, 1), keyMask], gradRtol: 2e-3, gradAtol: 2e-4, gradPositions: 40 };
const ref = (c: Case) => (q: Nd, k: Nd, v: Nd, m?: Nd) => OPS.scaledDotProductAttention.reference(q, k, v, { causal: c.causal, mask: m ?? null, scale: c.scale });
const optsOf = (c: Case, m?: sg.Tensor) => ({ causal: c.causal, mask: m ?? null, scale: c.scale });

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
];

const q = () => f32([1, 2, 3, 4]);

export const badInputs: BadInput[] = (['scaledDotProductAttention', 'attentionUnfused'] as const).flatMap((op) => {
  const attn = op === 'scaledDotProductAttention' ? scaledDotProductAttention : attentionUnfused;
  return [
    bad(op, 'k head size differs from q', () => attn(q(), f32([1, 2, 3, 5]), f32([1, 2, 3, 5])), sg.ShapeError, new RegExp(`${op}.*\\[1, 2, 3, 4\\].*\\[1, 2, 3, 5\\]`)),
    bad(op, 'v length differs from k', () => attn(q(), q(), f32([1, 2, 4, 4])), sg.ShapeError, new RegExp(`${op}: k must be \\[1, 2, TK, 4\\].*v \\[1, 2, 4, 4\\]`)),
    bad(op, 'q of rank 3', () => attn(f32([2, 3, 4]), q(), q()), sg.ShapeError, new RegExp(`${op}: q must be \\[B, H, T, D\\], got shape \\[2, 3, 4\\]`)),
    bad(op, 'int32 k', () => attn(q(), ints(new Array(24).fill(0), [1, 2, 3, 4]), q()), sg.DTypeError, new RegExp(`${op}: k must be float32, got int32.*\\[1, 2, 3, 4\\]`)),
    bad(op, 'mask of the wrong key count', () => attn(q(), q(), q(), { mask: f32([1, 4]) }), sg.ShapeError, new RegExp(`${op}: mask must be \\[1, 3\\].*\\[1, 4\\]`)),
    bad(op, 'empty head size', () => attn(f32([1, 2, 3, 0]), f32([1, 2, 3, 0]), f32([1, 2, 3, 0])), sg.ShapeError, new RegExp(`${op}: empty dimension`)),
    bad(op, 'non-finite scale', () => attn(q(), q(), q(), { scale: Infinity }), sg.ValueError, new RegExp(`${op}: scale must be a finite number, got Infinity`)),
  ];
});
