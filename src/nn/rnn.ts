// Recurrent layers: RNN (tanh or relu), LSTM and GRU with numLayers, bidirectional, batchFirst and initial
// states, as PyTorch defines them (gate order i, f, g, o for LSTM; r, z, n for GRU; parameter names
// weight_ih_l0, weight_hh_l0_reverse, ...). Every timestep is recorded as ordinary lazy ops (the input
// projection of all timesteps is one matmul per layer and direction), so a whole sequence — forward and
// backpropagation through time — realizes in one command buffer.
import { cat, stack } from '../ops/movement.js';
import { ShapeError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import { checkNumber, checkOptions, POSITIVE_INT, SEED, type OptionRule } from '../core/options.js';
import type { Tensor } from '../tensor/tensor.js';
import { linear } from './functional.js';
import { uniform, zeros } from './init.js';
import { Module, Parameter } from './module.js';

export type RecurrentKind = 'rnn' | 'lstm' | 'gru';
const GATES: Record<RecurrentKind, number> = { rnn: 1, lstm: 4, gru: 3 };
const NAMES: Record<RecurrentKind, string> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' };
const OPTIONS: Record<string, OptionRule> = { numLayers: POSITIVE_INT, bidirectional: 'boolean', batchFirst: 'boolean', bias: 'boolean', seed: SEED };
/** The options each kind takes: nonlinearity is RNN's only (as in PyTorch). */
const OPTIONS_OF: Record<RecurrentKind, Record<string, OptionRule>> = { rnn: { ...OPTIONS, nonlinearity: ['tanh', 'relu'] }, lstm: OPTIONS, gru: OPTIONS };

export interface RecurrentOptions {
  numLayers?: number;
  bidirectional?: boolean;
  /** Inputs and outputs [B, T, features] instead of [T, B, features]. */
  batchFirst?: boolean;
  bias?: boolean;
  /** RNN only: 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
  seed?: number;
}

// Recurrent modules return [output, state], not one Tensor, so they take Module's machinery (parameters,
// stateDict, train/eval) but not its `forward(...Tensor[]): Tensor` signature. The runtime class is Module.
const ModuleWithOwnForward = Module as unknown as abstract new () => Omit<Module, 'forward'>;

abstract class RecurrentBase extends ModuleWithOwnForward {
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly batchFirst: boolean;
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(
    readonly kind: RecurrentKind,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RecurrentOptions,
  ) {
    super();
    const owner = `${NAMES[kind]}(${inputSize}, ${hiddenSize})`;
    checkNumber(owner, 'inputSize', inputSize, POSITIVE_INT);
    checkNumber(owner, 'hiddenSize', hiddenSize, POSITIVE_INT);
    checkOptions(owner, options, OPTIONS_OF[kind]);
    this.numLayers = options.numLayers ?? 1;
    this.bidirectional = options.bidirectional ?? false;
    this.batchFirst = options.batchFirst ?? false;
    this.nonlinearity = options.nonlinearity ?? 'tanh';
    // PyTorch's init: every weight and bias U(-1/√H, 1/√H)
    const bound = 1 / Math.sqrt(hiddenSize);
    let seed = options.seed;
    const next = () => (seed === undefined ? undefined : seed++);
    const G = GATES[kind] * hiddenSize;
    const self = this as unknown as Record<string, Parameter>;
    for (let l = 0; l < this.numLayers; l++)
      for (const suffix of this.bidirectional ? ['', '_reverse'] : ['']) {
        const inSize = l === 0 ? inputSize : hiddenSize * (this.bidirectional ? 2 : 1);
        self[`weight_ih_l${l}${suffix}`] = new Parameter(uniform([G, inSize], -bound, bound, { seed: next() }));
        self[`weight_hh_l${l}${suffix}`] = new Parameter(uniform([G, hiddenSize], -bound, bound, { seed: next() }));
        if (options.bias !== false) {
          self[`bias_ih_l${l}${suffix}`] = new Parameter(uniform([G], -bound, bound, { seed: next() }));
          self[`bias_hh_l${l}${suffix}`] = new Parameter(uniform([G], -bound, bound, { seed: next() }));
        }
      }
  }

  get layerName(): string {
    return `${NAMES[this.kind]}(${this.inputSize}, ${this.hiddenSize}${this.numLayers > 1 ? `, numLayers=${this.numLayers}` : ''}${this.bidirectional ? ', bidirectional' : ''})`;
  }

  private param(name: string): Parameter | null {
    return (this as unknown as Record<string, Parameter | undefined>)[name] ?? null;
  }

  private checkState(what: string, s: Tensor | null | undefined, B: number): Tensor | null {
    if (!s) return null;
    const want = [this.numLayers * (this.bidirectional ? 2 : 1), B, this.hiddenSize];
    if (s.rank !== 3 || s.shape.some((d, i) => d !== want[i]))
      throw new ShapeError(`${this.layerName}: initial ${what} must be ${shapeStr(want)} (layers·directions, batch, hidden), got shape ${shapeStr(s.shape)}`);
    return s;
  }

  /** One timestep of one cell. gx: this step's input projection [B, G·H] (bias_ih included). */
  private cell(gx: Tensor, h: Tensor, c: Tensor, wHh: Tensor, bHh: Tensor | null): [Tensor, Tensor] {
    const H = this.hiddenSize;
    const B = h.shape[0];
    const gh = linear(h, wHh, bHh);
    const part = (t: Tensor, k: number) => t.slice([0, k * H], [B, (k + 1) * H]);
    if (this.kind === 'rnn') {
      const a = gx.add(gh);
      return [this.nonlinearity === 'relu' ? a.relu() : a.tanh(), c];
    }
    if (this.kind === 'lstm') {
      const g = gx.add(gh);
      const c2 = part(g, 1).sigmoid().mul(c).add(part(g, 0).sigmoid().mul(part(g, 2).tanh()));
      return [part(g, 3).sigmoid().mul(c2.tanh()), c2];
    }
    const r = part(gx, 0).add(part(gh, 0)).sigmoid();
    const z = part(gx, 1).add(part(gh, 1)).sigmoid();
    const n = part(gx, 2).add(r.mul(part(gh, 2))).tanh();
    return [n.sub(n.mul(z)).add(z.mul(h)), c]; // (1 - z)·n + z·h
  }

  protected run(x: Tensor, h0In: Tensor | null | undefined, c0In: Tensor | null | undefined): { out: Tensor; h: Tensor; c: Tensor } {
    if (x.rank !== 3 || x.shape[2] !== this.inputSize)
      throw new ShapeError(`${this.layerName}: input must be ${this.batchFirst ? '[B, T' : '[T, B'}, ${this.inputSize}], got shape ${shapeStr(x.shape)}`);
    let seq = this.batchFirst ? x.transpose(0, 1) : x; // [T, B, in]
    const [T, B] = seq.shape;
    if (T === 0 || B === 0) throw new ShapeError(`${this.layerName}: empty sequence or batch in input of shape ${shapeStr(x.shape)}`);
    const h0 = this.checkState('h', h0In, B);
    const c0 = this.checkState('c', c0In, B);
    const H = this.hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    const initial = (s: Tensor | null, k: number) => (s ? s.slice([k], [k + 1]).reshape([B, H]) : zeros([B, H]));
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let dir = 0; dir < dirs; dir++) {
        const suffix = `l${l}${dir === 1 ? '_reverse' : ''}`;
        const gxAll = linear(seq, this.param(`weight_ih_${suffix}`)!, this.param(`bias_ih_${suffix}`)); // [T, B, G·H], contiguous
        const k = l * dirs + dir;
        let h = initial(h0, k);
        let c = initial(c0, k);
        const hs = new Array<Tensor>(T);
        for (let step = 0; step < T; step++) {
          const t = dir === 0 ? step : T - 1 - step;
          const gx = gxAll.slice([t], [t + 1]).reshape([B, gxAll.shape[2]]);
          [h, c] = this.cell(gx, h, c, this.param(`weight_hh_${suffix}`)!, this.param(`bias_hh_${suffix}`));
          hs[t] = h;
        }
        outs.push(stack(hs, 0));
        hN.push(h);
        cN.push(c);
      }
      seq = dirs === 2 ? cat(outs, 2) : outs[0];
    }
    return { out: this.batchFirst ? seq.transpose(0, 1) : seq, h: stack(hN, 0), c: stack(cN, 0) };
  }
}

/** A recurrent layer with one state tensor (RNN, GRU): forward(x, h0?) → [output, hN]. */
abstract class SingleStateRecurrent extends RecurrentBase {
  forward(x: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const r = this.run(x, h0, null);
    return [r.out, r.h];
  }
}

/** Elman RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh). forward(x, h0?) → [output, hN]. */
export class RNN extends SingleStateRecurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('rnn', inputSize, hiddenSize, options);
  }
}

/** LSTM. forward(x, [h0, c0]?) → [output, [hN, cN]]. */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('lstm', inputSize, hiddenSize, options);
  }
  forward(x: Tensor, state: [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    const r = this.run(x, state?.[0], state?.[1]);
    return [r.out, [r.h, r.c]];
  }
}

/** GRU. forward(x, h0?) → [output, hN]. */
export class GRU extends SingleStateRecurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('gru', inputSize, hiddenSize, options);
  }
}
