// The TS side of shaders/attention_fwd.wgsl and attention_bwd.wgsl (and their subgroup variants): fused
// (flash-style) attention. q, k, v and dO are read through their 4-D views ([B, H, T, D], any strides,
// broadcasts included), so the head split of a MultiheadAttention (a permute) needs no copy. Each module
// is its file behind shared preludes (see the templates below). Pure functions: no device access.
import commonSrc from '../../shaders/attention_common.wgsl';
import fwdBindingsSrc from '../../shaders/attention_fwd_bindings.wgsl';
import bwdBindingsSrc from '../../shaders/attention_bwd_bindings.wgsl';
import subgroupCommonSrc from '../../shaders/attention_subgroup_common.wgsl';
import fwdSrc from '../../shaders/attention_fwd.wgsl';
import bwdSrc from '../../shaders/attention_bwd.wgsl';
import fwdSubgroupSrc from '../../shaders/attention_fwd_subgroup.wgsl';
import bwdSubgroupSrc from '../../shaders/attention_bwd_subgroup.wgsl';
import type { View } from '../graph/node.js';
import { hashString } from './elementwise.js';
import { fixedSubgroupSize } from './subgroups.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { f32Literal, grid1D, hoistEnables, packParams, specialise } from './wgsl.js';
import { ValueError } from '../core/errors.js';

/**
 * The sizes and options of one attention call: q [B, H, TQ, D], k and v [B, H, TK, D]. What the op checks
 * before any view exists (ops/attention.ts can extend it with its mask tensor), and all the layouts need.
 */
export interface AttentionDims {
  B: number;
  H: number;
  TQ: number;
  TK: number;
  D: number;
  scale: number;
  causal: boolean;
}

/** AttentionDims with the operands' 4-D views: what a kernel is specialised on. */
export interface AttentionGeometry extends AttentionDims {
  q: View;
  k: View;
  v: View;
  /** Key-padding mask [B, TK] (nonzero = attend), or null. */
  mask: View | null;
}

// Each module: attention_common.wgsl (constants, view indexing, key test), its direction's bindings, the
// subgroup prelude for the subgroup variant, then its own file.
const fwdTemplate = [commonSrc, fwdBindingsSrc, fwdSrc].join('\n');
const fwdSubgroupTemplate = [commonSrc, fwdBindingsSrc, subgroupCommonSrc, fwdSubgroupSrc].join('\n');
const bwdTemplate = [commonSrc, bwdBindingsSrc, bwdSrc].join('\n');
const bwdSubgroupTemplate = [commonSrc, bwdBindingsSrc, subgroupCommonSrc, bwdSubgroupSrc].join('\n');

/** WGSL index expression of element (b, h, t, d) of a 4-D view. */
function index4(view: View): string {
  const names = ['b', 'h', 't', 'd'];
  const terms = view.strides.flatMap((s, i) => (s === 0 || view.shape[i] === 1 ? [] : [s === 1 ? names[i] : `${names[i]} * ${s}u`]));
  terms.push(`${view.offset}u`);
  return terms.join(' + ');
}

function maskIndex(mask: View | null): string {
  if (!mask) return '0u';
  const [sb, st] = mask.strides;
  return [mask.shape[0] === 1 || sb === 0 ? '' : `b * ${sb}u`, st === 0 ? '' : `t * ${st}u`, `${mask.offset}u`].filter(Boolean).join(' + ');
}

/**
 * The head-size loop bound: a constant for D ≥ 16 (unrolled, q and accumulators stay in registers), the
 * uniform `bounds.d` below that (fully unrolled small loops nested in the tile loops took lavapipe's LLVM
 * seconds to compile).
 */
function loopBound(D: number): string {
  return D >= 16 ? `${D}u` : 'bounds.d';
}

/** Largest power-of-two tile ≤ 16 whose `floatsPerRow(tile)` floats fit the workgroup memory. */
function tileFor(bytes: (tile: number) => number, caps: AdapterCaps): number {
  let t = 16;
  while (t > 1 && bytes(t) > caps.maxComputeWorkgroupStorageSize) t /= 2;
  return t;
}

/** Layout of the forward output buffer: O then LSE. */
export function forwardLayout(g: AttentionDims): { oSize: number; lseBase: number; total: number } {
  const oSize = g.B * g.H * g.TQ * g.D;
  return { oSize, lseBase: oSize, total: oSize + g.B * g.H * g.TQ };
}

/** Layout of the backward output buffer: dQ, dK, dV, Δ. */
export function backwardLayout(g: AttentionDims): { dkBase: number; dvBase: number; deltaBase: number; total: number } {
  const dq = g.B * g.H * g.TQ * g.D;
  const dkv = g.B * g.H * g.TK * g.D;
  return { dkBase: dq, dvBase: dq + dkv, deltaBase: dq + 2 * dkv, total: dq + 2 * dkv + g.B * g.H * g.TQ };
}

export type AttentionVariant = 'tiled' | 'subgroup';

/**
 * The registered variants. 'tiled': one query per lane, K/V tiles in workgroup memory (any adapter).
 * 'subgroup': register tiles, one subgroup per workgroup, values handed between lanes with subgroup
 * shuffles, no workgroup memory or barriers (the fast design on lavapipe; needs a fixed subgroup size).
 */
export const ATTENTION_VARIANTS: { name: AttentionVariant; description: string; supports(caps: AdapterCaps): boolean }[] = [
  { name: 'tiled', description: 'one query row per lane, K/V tiles in workgroup memory', supports: () => true },
  {
    name: 'subgroup',
    description: 'one subgroup per workgroup, a block of query rows x 4 keys per lane in registers, subgroupShuffle, no barriers',
    supports: (caps) => fixedSubgroupSize(caps) !== undefined,
  },
];

/** Default variant by adapter: register tiles with subgroup shuffles on CPU adapters, workgroup-memory tiles elsewhere. */
export function chooseAttentionVariant(caps: AdapterCaps): AttentionVariant {
  return caps.isSoftware && fixedSubgroupSize(caps) !== undefined ? 'subgroup' : 'tiled';
}

function checkVariant(variant: AttentionVariant, caps: AdapterCaps): void {
  const def = ATTENTION_VARIANTS.find((v) => v.name === variant);
  if (!def) throw new ValueError(`attention: unknown variant '${variant}' (known: ${ATTENTION_VARIANTS.map((v) => v.name).join(', ')})`);
  if (!def.supports(caps)) throw new ValueError(`attention: variant '${variant}' is not supported on ${caps.description}`);
}

/** Query rows per workgroup of the subgroup forward: 16 (accumulators 16 x 4·DW per lane) or fewer for short sequences. */
export const SUBGROUP_FWD_ROWS = 16;

/** attentionFlashForward, subgroup variant: bindings as attentionFlashForward. */
function attentionSubgroupForward(g: AttentionGeometry, caps: AdapterCaps): KernelSpec {
  const S = fixedSubgroupSize(caps)!;
  const ROWS = Math.min(SUBGROUP_FWD_ROWS, Math.max(4, 2 ** Math.ceil(Math.log2(g.TQ))));
  const qtiles = Math.ceil(g.TQ / ROWS);
  const groups = g.B * g.H * qtiles;
  const code = specialise('attention_fwd_subgroup', fwdSubgroupTemplate, {
    S, ROWS, D: g.D, DW: Math.ceil(g.D / (4 * S)), H: g.H, TQ: g.TQ, TK: g.TK, QTILES: qtiles, GROUPS: groups,
    SCALE: f32Literal(g.scale), CAUSAL: String(g.causal), HAS_MASK: String(g.mask !== null),
    LSE_BASE: forwardLayout(g).lseBase,
    Q_INDEX: index4(g.q), K_INDEX: index4(g.k), V_INDEX: index4(g.v), MASK_INDEX: maskIndex(g.mask),
  });
  return { key: `attentionSubgroupForward#${hashString(code)}`, code: hoistEnables(code), bindings: ['read', 'read', 'read', 'read', 'read_write'], params: packParams([{ u32: g.D }, { u32: 0 }]), workgroups: grid1D(groups, caps.maxComputeWorkgroupsPerDimension) };
}

/** Rows (queries for dq, keys for dkdv) per workgroup of the subgroup backward passes: 8 (16 spilled accumulators). */
export const SUBGROUP_BWD_ROWS = 8;

function attentionSubgroupBackward(pass: 'dq' | 'dkdv', g: AttentionGeometry, dO: View, fwdOffset: number, caps: AdapterCaps): KernelSpec {
  const S = fixedSubgroupSize(caps)!;
  const ROWS = SUBGROUP_BWD_ROWS;
  const tiles = Math.ceil((pass === 'dq' ? g.TQ : g.TK) / ROWS);
  const groups = g.B * g.H * tiles;
  const fl = forwardLayout(g);
  const bl = backwardLayout(g);
  const code = specialise('attention_bwd_subgroup', bwdSubgroupTemplate, {
    S, ROWS, D: g.D, DW: Math.ceil(g.D / (4 * S)), H: g.H, TQ: g.TQ, TK: g.TK, TILES: tiles, GROUPS: groups, PASS: `pass_${pass}`,
    SCALE: f32Literal(g.scale), CAUSAL: String(g.causal), HAS_MASK: String(g.mask !== null),
    LSE_BASE: fwdOffset + fl.lseBase, DK_BASE: bl.dkBase, DV_BASE: bl.dvBase, DELTA_BASE: bl.deltaBase,
    Q_INDEX: index4(g.q), K_INDEX: index4(g.k), V_INDEX: index4(g.v), DO_INDEX: index4(dO), MASK_INDEX: maskIndex(g.mask),
  });
  return {
    key: `attentionSubgroupBackward_${pass}#${hashString(code)}`,
    code: hoistEnables(code),
    bindings: ['read', 'read', 'read', 'read', 'read', 'read', 'read_write'],
    params: packParams([{ u32: g.D }, { u32: 0 }]),
    workgroups: grid1D(groups, caps.maxComputeWorkgroupsPerDimension),
  };
}

/** attentionFlashForward: bindings [q, k, v, mask (q when none), out (O | LSE)]. */
export function attentionFlashForward(g: AttentionGeometry, caps: AdapterCaps, variant: AttentionVariant = chooseAttentionVariant(caps)): KernelSpec {
  checkVariant(variant, caps);
  if (variant === 'subgroup') return attentionSubgroupForward(g, caps);
  const BQ = 16;
  const BK = tileFor((t) => (2 * t * g.D + t) * 4, caps);
  const qtiles = Math.ceil(g.TQ / BQ);
  const groups = g.B * g.H * qtiles;
  const code = specialise('attention_fwd', fwdTemplate, {
    D: g.D, ND: loopBound(g.D), H: g.H, TQ: g.TQ, TK: g.TK, BQ, BK, QTILES: qtiles, GROUPS: groups, KV_TILE: BK * g.D,
    SCALE: f32Literal(g.scale), CAUSAL: String(g.causal), HAS_MASK: String(g.mask !== null),
    LSE_BASE: forwardLayout(g).lseBase,
    Q_INDEX: index4(g.q), K_INDEX: index4(g.k), V_INDEX: index4(g.v), MASK_INDEX: maskIndex(g.mask),
  });
  return { key: `attentionFlashForward#${hashString(code)}`, code, bindings: ['read', 'read', 'read', 'read', 'read_write'], params: packParams([{ u32: g.D }, { u32: BK }]), workgroups: grid1D(groups, caps.maxComputeWorkgroupsPerDimension) };
}

export type BackwardPass = 'delta' | 'dkdv' | 'dq';

/**
 * attentionFlashBackward, one pass: bindings [q, k, v, fwd (O | LSE), dO, mask (q when none), out (dQ | dK | dV | Δ)].
 * Run 'delta', then 'dkdv' and 'dq' (both read Δ).
 */
export function attentionFlashBackward(pass: BackwardPass, g: AttentionGeometry, dO: View, fwdOffset: number, caps: AdapterCaps, variant: AttentionVariant = chooseAttentionVariant(caps)): KernelSpec {
  checkVariant(variant, caps);
  // the subgroup variant keeps the tiled Δ pass (O(T·D), one lane per row)
  if (variant === 'subgroup' && pass !== 'delta') return attentionSubgroupBackward(pass, g, dO, fwdOffset, caps);
  const tile = tileFor((t) => (2 * t * g.D + 2 * t) * 4, caps);
  const BH = g.B * g.H;
  const groups = pass === 'delta' ? Math.ceil((BH * g.TQ) / tile) : pass === 'dkdv' ? BH * Math.ceil(g.TK / tile) : BH * Math.ceil(g.TQ / tile);
  const fl = forwardLayout(g);
  const bl = backwardLayout(g);
  const code = specialise('attention_bwd', bwdTemplate, {
    D: g.D, ND: loopBound(g.D), H: g.H, TQ: g.TQ, TK: g.TK, BH, TILE: tile, TILE_D: tile * g.D, GROUPS: groups, PASS: `pass_${pass}`,
    SCALE: f32Literal(g.scale), CAUSAL: String(g.causal), HAS_MASK: String(g.mask !== null),
    O_BASE: fwdOffset, LSE_BASE: fwdOffset + fl.lseBase, DK_BASE: bl.dkBase, DV_BASE: bl.dvBase, DELTA_BASE: bl.deltaBase,
    Q_INDEX: index4(g.q), K_INDEX: index4(g.k), V_INDEX: index4(g.v), DO_INDEX: index4(dO), MASK_INDEX: maskIndex(g.mask),
  });
  return {
    key: `attentionFlashBackward_${pass}#${hashString(code)}`,
    code,
    bindings: ['read', 'read', 'read', 'read', 'read', 'read', 'read_write'],
    params: packParams([{ u32: g.D }, { u32: tile }]),
    workgroups: grid1D(groups, caps.maxComputeWorkgroupsPerDimension),
  };
}
