// WGSL snippets that turn a linear index into an element offset of a strided view.
// Shapes are static within a plan, so strides are baked in as constants (one pipeline per shape).

/** Statements declaring `${prefix}c0..` coordinates of linear index `idx` in a contiguous `shape`. */
export function coordsFromIndex(idx: string, shape: readonly number[], prefix = 'c'): string {
  // an empty shape has no elements to index (and `% 0u` would not compile): the code is never reached
  if (shape.some((d) => d === 0)) return shape.map((_, d) => `let ${prefix}${d} = 0u;`).join('\n  ');
  const lines: string[] = [];
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const div = stride === 1 ? idx : `(${idx} / ${stride}u)`;
    lines.unshift(shape[d] === 1 ? `let ${prefix}${d} = 0u;` : d === 0 ? `let ${prefix}${d} = ${div};` : `let ${prefix}${d} = ${div} % ${shape[d]}u;`);
    stride *= shape[d];
  }
  return lines.join('\n  ');
}

/** Offset expression for coordinates `${prefix}d` under `strides` and `offset` (broadcast dims have stride 0). */
export function offsetExpr(strides: readonly number[], offset: number, prefix = 'c'): string {
  const terms = strides.flatMap((s, d) => (s === 0 ? [] : [s === 1 ? `${prefix}${d}` : `${prefix}${d} * ${s}u`]));
  if (offset !== 0 || terms.length === 0) terms.push(`${offset}u`);
  return terms.join(' + ');
}

export function wgslType(dtype: 'float32' | 'int32'): string {
  return dtype === 'int32' ? 'i32' : 'f32';
}
