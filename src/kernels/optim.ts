// The optimizer update kernels: one WGSL file, one rule per optimizer, chosen by specialisation.
import template from '../../shaders/optim.wgsl';
import type { View } from '../graph/node.js';
import { hashString } from './elementwise.js';
import { coordsFromIndex, offsetExpr } from './indexing.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { WORKGROUP_SIZE, grid1D, specialise } from './wgsl.js';

export type UpdateRule = 'sgd' | 'sgdMomentum' | 'sgdNesterov' | 'adam' | 'adamw';

/** Number of state buffers (momentum; Adam's first and second moments) per rule. */
export const STATE_COUNT: Record<UpdateRule, number> = { sgd: 0, sgdMomentum: 1, sgdNesterov: 1, adam: 2, adamw: 2 };

// PyTorch's update rules (torch.optim.SGD / Adam / AdamW), written per element.
const RULES: Record<UpdateRule, string> = {
  sgd: `let d = g + h.weightDecay * p;
  p = p - h.lr * d;`,
  sgdMomentum: `let d = g + h.weightDecay * p;
  let b = select(h.momentum * m[i] + (1.0 - h.dampening) * d, d, h.firstStep != 0.0);
  m[i] = b;
  p = p - h.lr * b;`,
  sgdNesterov: `let d = g + h.weightDecay * p;
  let b = select(h.momentum * m[i] + (1.0 - h.dampening) * d, d, h.firstStep != 0.0);
  m[i] = b;
  p = p - h.lr * (d + h.momentum * b);`,
  adam: `let d = g + h.weightDecay * p;
  let m1 = h.beta1 * m[i] + (1.0 - h.beta1) * d;
  let v1 = h.beta2 * v[i] + (1.0 - h.beta2) * d * d;
  m[i] = m1;
  v[i] = v1;
  p = p - h.lr * (m1 / h.biasCorrection1) / (sqrt(v1 / h.biasCorrection2) + h.eps);`,
  adamw: `p = p * (1.0 - h.lr * h.weightDecay);
  let m1 = h.beta1 * m[i] + (1.0 - h.beta1) * g;
  let v1 = h.beta2 * v[i] + (1.0 - h.beta2) * g * g;
  m[i] = m1;
  v[i] = v1;
  p = p - h.lr * (m1 / h.biasCorrection1) / (sqrt(v1 / h.biasCorrection2) + h.eps);`,
};

export const HYPER_BYTES = 48;

/** Bindings: [grad (read), param, ...state] (read_write) + the Hyper uniform. */
export function optimizerKernel(rule: UpdateRule, grad: View, size: number, caps: AdapterCaps): KernelSpec {
  const states = STATE_COUNT[rule];
  const stateNames = ['m', 'v'].slice(0, states);
  const code = specialise('optim', template, {
    STATE_BINDINGS: stateNames.map((n, k) => `@group(0) @binding(${k + 2}) var<storage, read_write> ${n}: array<f32>;`).join('\n'),
    HYPER_BINDING: 2 + states,
    WG: WORKGROUP_SIZE,
    SIZE: size,
    COORDS: coordsFromIndex('i', grad.shape),
    GRAD_OFFSET: offsetExpr(grad.strides, grad.offset),
    RULE: RULES[rule],
  });
  return {
    key: `optim_${rule}#${hashString(code)}`,
    code,
    bindings: ['read', 'read_write', ...stateNames.map(() => 'read_write' as const)],
    params: new ArrayBuffer(HYPER_BYTES),
    workgroups: grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension),
  };
}

export interface Hyper {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  biasCorrection1?: number;
  biasCorrection2?: number;
  momentum?: number;
  dampening?: number;
  firstStep?: boolean;
}

export function packHyper(h: Hyper): ArrayBuffer {
  return new Float32Array([
    h.lr, h.beta1 ?? 0, h.beta2 ?? 0, h.eps ?? 0,
    h.weightDecay ?? 0, h.biasCorrection1 ?? 1, h.biasCorrection2 ?? 1, h.momentum ?? 0,
    h.dampening ?? 0, h.firstStep ? 1 : 0, 0, 0,
  ]).buffer;
}
