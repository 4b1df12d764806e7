// Builds the WGSL of a fused elementwise group: external inputs read through strided views,
// a list of let-bound expressions, one output written at the linear index.
import ieee from '../../shaders/ieee.wgsl';
import template from '../../shaders/elementwise.wgsl';
import type { AdapterCaps, KernelSpec } from './types.js';
import { coordsFromIndex, offsetExpr, wgslType } from './indexing.js';
import { WORKGROUP_SIZE, grid1D, specialise } from './wgsl.js';
import { contiguousStrides, numel } from '../core/shape.js';
import { indexCheckPrelude, usesIndexCheck } from './checks.js';

export interface FusedInput {
  dtype: 'float32' | 'int32';
  strides: number[];
  offset: number;
}

export interface FusedElementwise {
  shape: number[];
  outDtype: 'float32' | 'int32';
  inputs: FusedInput[];
  /** Expressions in order; `$inN` names external input N, `$tN` expression N, `$cD` output coordinate D (u32), `$idx` the linear output index (u32). The last one is stored. */
  exprs: string[];
}

export function elementwiseKernel(f: FusedElementwise, caps: AdapterCaps): KernelSpec {
  const size = numel(f.shape);
  const bindings = f.inputs.map((inp, k) => `@group(0) @binding(${k}) var<storage, read> in${k}: array<${wgslType(inp.dtype)}>;`);
  bindings.push(`@group(0) @binding(${f.inputs.length}) var<storage, read_write> out: array<${wgslType(f.outDtype)}>;`);
  // an input laid out exactly like the output is read at the output's own index, without coordinates
  const ownStrides = contiguousStrides(f.shape);
  const readsAtIndex = (inp: FusedInput) => inp.offset === 0 && inp.strides.every((s, d) => s === ownStrides[d] || f.shape[d] === 1);
  const needCoords = !f.inputs.every(readsAtIndex);
  const body: string[] = [];
  f.inputs.forEach((inp, k) => {
    body.push(`let x${k} = f32(in${k}[${readsAtIndex(inp) ? 'i' : offsetExpr(inp.strides, inp.offset)}]);`);
  });
  const name = (s: string) => s.replace(/\$idx/g, 'i').replace(/\$in(\d+)/g, 'x$1').replace(/\$t(\d+)/g, 't$1').replace(/\$c(\d+)/g, 'c$1');
  // expressions may use output coordinates ($c0, $c1, ...): arange, one-hot, triangular masks
  const usesCoords = f.exprs.some((e) => /\$c\d/.test(e));
  f.exprs.forEach((e, k) => body.push(`let t${k} = ${name(e)};`));
  const last = `t${f.exprs.length - 1}`;
  body.push(f.outDtype === 'int32' ? `out[i] = i32(round(${last}));` : `out[i] = ${last};`);
  // an expression that range-checks an index computed on the GPU (one-hot labels) binds the checks buffer last
  const checked = f.exprs.some(usesIndexCheck);
  const code = ieee + (checked ? indexCheckPrelude(f.inputs.length + 1) : '') + specialise('elementwise', template, {
    BINDINGS: bindings.join('\n'),
    WG: WORKGROUP_SIZE,
    SIZE: size,
    COORDS: needCoords || usesCoords ? coordsFromIndex('i', f.shape) : '',
    BODY: body.join('\n  '),
  });
  // The key is the code itself: every specialisation (shape, strides, expressions) shows in it.
  return {
    key: `elementwise#${hashString(code)}`,
    code,
    bindings: [...f.inputs.map(() => 'read' as const), 'read_write', ...(checked ? ['read_write' as const] : [])],
    workgroups: grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension),
  };
}

/** FNV-1a 32-bit + length: a short, stable name for generated code (the cache also compares the code). */
export function hashString(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return `${(h >>> 0).toString(16)}_${s.length}`;
}
