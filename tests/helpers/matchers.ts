// expect(actual).toBeAllClose(expected, { rtol, atol }): elementwise |a - e| <= atol + rtol * |e|
// (NumPy's allclose), with shapes compared when both sides have one. A failure names the worst
// element (its multi-index), both values, and how many elements are out of tolerance.
import { expect } from 'vitest';
import { unravel, type Nd } from '../../src/core/nd.js';

export interface CloseOptions {
  rtol?: number;
  atol?: number;
  /** Flat positions (in `shape`) that the compared values stand for, when they are a sample of a larger array. */
  positions?: number[];
  /** Shape used to name indices (defaults to the expected shape). */
  shape?: number[];
}

type Arrayish = Nd | ArrayLike<number>;

function parts(x: Arrayish): { shape?: number[]; data: ArrayLike<number> } {
  if (x && typeof x === 'object' && 'shape' in x && 'data' in x) return { shape: (x as Nd).shape, data: (x as Nd).data };
  return { data: x as ArrayLike<number> };
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(8) : String(v));

export function allCloseReport(actual: Arrayish, expected: Arrayish, options: CloseOptions = {}): { pass: boolean; message: string } {
  const rtol = options.rtol ?? 1e-4;
  const atol = options.atol ?? 1e-5;
  const a = parts(actual);
  const e = parts(expected);
  if (a.shape && e.shape && (a.shape.length !== e.shape.length || a.shape.some((d, i) => d !== e.shape![i])))
    return { pass: false, message: `shape [${a.shape}] differs from expected shape [${e.shape}]` };
  if (a.data.length !== e.data.length) return { pass: false, message: `${a.data.length} elements, expected ${e.data.length}` };
  let worst = -1;
  let worstExcess = -Infinity;
  let bad = 0;
  for (let i = 0; i < e.data.length; i++) {
    const x = a.data[i];
    const y = e.data[i];
    let excess: number;
    if (Number.isNaN(x) || Number.isNaN(y)) excess = Number.isNaN(x) && Number.isNaN(y) ? -Infinity : Infinity;
    else if (!Number.isFinite(x) || !Number.isFinite(y)) excess = x === y ? -Infinity : Infinity;
    else excess = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (excess > 0) bad++;
    if (excess > worstExcess) (worstExcess = excess), (worst = i);
  }
  if (worst < 0) return { pass: true, message: 'no elements (both empty)' };
  const shape = options.shape ?? e.shape ?? [e.data.length];
  const flat = options.positions ? options.positions[worst] : worst;
  const where = `index [${unravel(flat, shape)}] (flat ${flat})`;
  const x = a.data[worst];
  const y = e.data[worst];
  const detail = `got ${fmt(x)}, expected ${fmt(y)}, |diff| ${fmt(Math.abs(x - y))} vs allowed ${fmt(atol + rtol * Math.abs(y))} (rtol ${rtol}, atol ${atol})`;
  return bad > 0
    ? { pass: false, message: `${bad} of ${e.data.length} elements are not close; worst at ${where}: ${detail}` }
    : { pass: true, message: `all ${e.data.length} elements are close; worst at ${where}: ${detail}` };
}

expect.extend({
  toBeAllClose(received: Arrayish, expected: Arrayish, options: CloseOptions = {}) {
    const { pass, message } = allCloseReport(received, expected, options);
    return { pass, message: () => (this.isNot ? `expected arrays not to be close, but ${message}` : message) };
  },
});

declare module 'vitest' {
  interface Matchers<T = any> {
    toBeAllClose(expected: Arrayish, options?: CloseOptions): T;
  }
}
