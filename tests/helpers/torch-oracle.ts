// PyTorch as a test oracle: Debian's python3-torch runs the twin of a shadergrad module (its model.py from
// src/torch/twins.ts) on the same weights and inputs, and tests compare outputs, input and parameter
// gradients, BatchNorm-style state after the forward, and the state dict coming back. All cases of a test
// file go to ONE python process (tests/helpers/torch_oracle.py); tensors travel as safetensors.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, toHost, type HostTensor } from '../../src/io/safetensors.js';
import type { Module } from '../../src/nn/module.js';
import * as sg from '../../src/node/index.js';
import { torchModelSource } from '../../src/torch/twins.js';

export const PYTHON = '/usr/bin/python3';
const ORACLE = join(dirname(fileURLToPath(import.meta.url)), 'torch_oracle.py');

let missing: string | null | undefined;
/** Why PyTorch cannot run here (null when it can): for test.skipIf, which prints the reason. */
export function torchMissing(): string | null {
  if (missing !== undefined) return missing;
  if (!existsSync(PYTHON)) return (missing = `${PYTHON} is missing (install python3-torch, or run npm test: setup installs it)`);
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  missing = r.status === 0 ? null : `python3-torch is not installed (${(r.stderr || '').trim().split('\n').pop()}); scripts/setup.sh installs it with SHADERGRAD_WANT_TORCH=1`;
  return missing;
}

/** A module's forward() arguments: tensors, nested in arrays where the forward takes a tuple ([h0, c0]). */
export type Args = (sg.Tensor | Args)[];
type AnyModule = Omit<Module, 'forward'>;

export interface OracleCase {
  name: string;
  module: AnyModule;
  inputs: Args;
  mode: 'train' | 'eval';
}

/** Both sides of one compared tensor. */
export interface Pair {
  what: string;
  ours: HostTensor;
  theirs: HostTensor;
}

export interface OracleResult {
  name: string;
  /** PyTorch's traceback when the twin failed (a strict load that did not match, ...). */
  error: string | null;
  outputs: Pair[];
  inputGrads: Pair[];
  paramGrads: Pair[];
  /** Persistent buffers after the forward (running statistics, batch counters). */
  stateAfter: Pair[];
  /** Our state dict (before the forward) and PyTorch's state dict loaded back into our module with strict=true. */
  stateBack: Pair[];
}

const flat = (x: unknown): sg.Tensor[] => (Array.isArray(x) ? x.flatMap(flat) : [x as sg.Tensor]);
const host = async (t: sg.Tensor): Promise<HostTensor> => ({ dtype: t.dtype, shape: [...t.shape], data: await t.data() });

/** Nested input names in0, in1, ... in the shape of the arguments. */
function names(args: Args, counter = { n: 0 }): unknown[] {
  return args.map((a) => (Array.isArray(a) ? names(a, counter) : `in${counter.n++}`));
}

/** A concatenation (dim 0) of host tensors: the gradient of a stacked state-dict key. */
function catHost(parts: HostTensor[]): HostTensor {
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) data.set(p.data, (at += p.data.length) - p.data.length);
  return { dtype: 'float32', shape: [parts.reduce((n, p) => n + p.shape[0], 0), ...parts[0].shape.slice(1)], data };
}

interface Prepared {
  dir: string;
  c: OracleCase;
  ours: { outputs: HostTensor[]; inputGrads: (HostTensor | null)[]; paramGrads: Record<string, HostTensor>; stateBefore: Record<string, HostTensor>; stateAfter: Record<string, HostTensor> };
}

/** Our side of a case: forward and backward of loss = Σ (out_i · seed_i), writing the files PyTorch reads. */
async function prepare(c: OracleCase, index: number, root: string): Promise<Prepared> {
  const dir = join(root, `case${index}`);
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'model.py'), torchModelSource(c.module));
  const m = c.module as Module;
  m.train(c.mode === 'train');
  const stateBefore = await toHost(m.stateDict());
  writeFileSync(join(dir, 'state.safetensors'), new Uint8Array(await sg.save(m.stateDict())));
  const leaves = flat(c.inputs);
  const grads: sg.Tensor[] = [];
  for (const t of leaves) {
    const h = await host(t);
    grads.push(t.dtype === 'float32' ? sg.tensor(h.data, h.shape, { requiresGrad: true }) : t);
  }
  let k = 0;
  const rebuild = (a: Args): Args => a.map((x) => (Array.isArray(x) ? rebuild(x) : grads[k++]));
  const outs = flat((m as unknown as { forward(...a: unknown[]): unknown }).forward(...rebuild(c.inputs)));
  const seeds = outs.map((o, i) => sg.randn(o.shape, { seed: 1000 + i }));
  outs.map((o, i) => o.mul(seeds[i]).sum()).reduce((a, b) => a.add(b)).backward();
  const files: Record<string, sg.Tensor> = {};
  leaves.forEach((t, i) => (files[`in${i}`] = t));
  seeds.forEach((s, i) => (files[`seed${i}`] = s));
  writeFileSync(join(dir, 'inputs.safetensors'), new Uint8Array(await sg.save(files)));
  const paramGrads: Record<string, HostTensor> = {};
  for (const e of m.stateEntries()) {
    if (!(e.parts[0].tensor instanceof sg.nn.Parameter)) continue;
    const parts = await Promise.all(e.parts.map(async (p) => (p.tensor.grad ? host(p.tensor.grad) : host(sg.zeros(p.tensor.shape)))));
    paramGrads[e.key] = parts.length === 1 ? parts[0] : catHost(parts);
  }
  return {
    dir,
    c,
    ours: {
      outputs: await Promise.all(outs.map(host)),
      inputGrads: await Promise.all(grads.map((g) => (g.requiresGrad && g.grad ? host(g.grad) : null))),
      paramGrads,
      stateBefore,
      stateAfter: await toHost(m.stateDict()),
    },
  };
}

/** Runs every case on our side, then all of them in one python process, and pairs the results. */
export async function runOracle(cases: OracleCase[]): Promise<OracleResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'sg-torch-'));
  const prepared: Prepared[] = [];
  for (const [i, c] of cases.entries()) prepared.push(await prepare(c, i, root));
  const job = { cases: prepared.map((p) => ({ name: p.c.name, dir: p.dir, mode: p.c.mode, inputs: names(p.c.inputs) })) };
  writeFileSync(join(root, 'job.json'), JSON.stringify(job));
  const r = spawnSync(PYTHON, [ORACLE, join(root, 'job.json')], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`torch oracle exited with ${r.status}: ${r.stderr}`);
  const results: OracleResult[] = [];
  for (const p of prepared) {
    const base = { name: p.c.name, outputs: [], inputGrads: [], paramGrads: [], stateAfter: [], stateBack: [] };
    const errFile = join(p.dir, 'error.txt');
    if (existsSync(errFile)) {
      results.push({ ...base, error: readFileSync(errFile, 'utf8') });
      continue;
    }
    const theirs = parse(readFileSync(join(p.dir, 'result.safetensors'))).tensors;
    const res: OracleResult = { ...base, error: null };
    p.ours.outputs.forEach((o, i) => res.outputs.push({ what: `output ${i}`, ours: o, theirs: theirs[`out${i}`] }));
    p.ours.inputGrads.forEach((g, i) => g && res.inputGrads.push({ what: `input ${i} gradient`, ours: g, theirs: theirs[`gin${i}`] }));
    for (const [k, g] of Object.entries(p.ours.paramGrads)) res.paramGrads.push({ what: `${k} gradient`, ours: g, theirs: theirs[`grad/${k}`] });
    for (const [k, t] of Object.entries(p.ours.stateAfter)) res.stateAfter.push({ what: `${k} after forward`, ours: t, theirs: theirs[`after/${k}`] });
    // back: PyTorch's state dict (as it loaded ours) into our module, strict, after zeroing it
    const m = p.c.module as Module;
    const before: Record<string, sg.Tensor> = {};
    for (const [k, t] of Object.entries(theirs)) if (k.startsWith('before/')) before[k.slice(7)] = sg.tensor(t.data, t.shape, { dtype: t.dtype });
    const zeroed = (t: sg.Tensor) => (t.dtype === 'int32' ? sg.tensor(new Int32Array(t.shape.reduce((a, b) => a * b, 1)), t.shape, { dtype: 'int32' }) : sg.zeros(t.shape));
    m.loadStateDict(Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, zeroed(t)])));
    m.loadStateDict(before);
    const back = await toHost(m.stateDict());
    for (const [k, t] of Object.entries(p.ours.stateBefore)) res.stateBack.push({ what: `${k} back from PyTorch`, ours: back[k], theirs: t });
    results.push(res);
  }
  return results;
}
