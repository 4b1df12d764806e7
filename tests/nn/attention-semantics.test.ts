// MultiheadAttention and the transformer layers against PyTorch 1.13 (python3-torch, run here with the same
// weights): key_padding_mask and attn_mask polarity (bool and float), returned weights (averaged and per
// head), is_causal, dropout; and PyTorch's defaults.
import '../helpers/matchers.js';
import { execFileSync } from 'node:child_process';
import { PYTHON as PY, torchMissing } from '../helpers/torch-oracle.js';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

const hasTorch = torchMissing() === null;

/** Runs torch's MultiheadAttention(batch_first=True) with our weights on `x`; returns { out, weights }. */
function torchMha(input: Record<string, unknown>): { out: number[]; weights: number[] } {
  const script = `import json, sys, torch
a = json.load(sys.stdin)
E, H, B, L = a['E'], a['H'], a['B'], a['L']
m = torch.nn.MultiheadAttention(E, H, batch_first=True).double()
t = lambda k, s: torch.tensor(a[k], dtype=torch.float64).reshape(s)
with torch.no_grad():
    m.in_proj_weight.copy_(torch.cat([t('qw', [E, E]), t('kw', [E, E]), t('vw', [E, E])]))
    m.in_proj_bias.copy_(torch.cat([t('qb', [E]), t('kb', [E]), t('vb', [E])]))
    m.out_proj.weight.copy_(t('ow', [E, E])); m.out_proj.bias.copy_(t('ob', [E]))
x = t('x', [B, L, E])
kpm = torch.tensor(a['kpm'], dtype=torch.bool).reshape(B, L) if a.get('kpm') else None
am = None
if a.get('boolMask'): am = torch.tensor(a['boolMask'], dtype=torch.bool).reshape(a['maskShape'])
if a.get('floatMask'): am = torch.tensor(a['floatMask'], dtype=torch.float64).reshape(a['maskShape'])
if a.get('causal'): am = torch.triu(torch.ones(L, L, dtype=torch.bool), 1)
o, w = m(x, x, x, key_padding_mask=kpm, attn_mask=am, need_weights=True, average_attn_weights=a['average'])
print(json.dumps({'out': o.flatten().tolist(), 'weights': w.flatten().tolist()}))`;
  return JSON.parse(execFileSync(PY, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' }).trim().split('\n').pop()!);
}

async function weightsOf(m: sg.nn.MultiheadAttention): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, p] of [['qw', m.qProj.weight], ['qb', m.qProj.bias], ['kw', m.kProj.weight], ['kb', m.kProj.bias], ['vw', m.vProj.weight], ['vb', m.vProj.bias], ['ow', m.outProj.weight], ['ob', m.outProj.bias]] as const)
    out[k] = Array.from(await p!.data());
  return out;
}

const [B, L, E, H] = [2, 5, 6, 3];
const xData = Array.from({ length: B * L * E }, (_, i) => Math.sin(i * 1.7) * 1.5);
// key 0 never padded, so no row is fully masked (PyTorch gives NaN there, we give 0: see README)
const kpm = Array.from({ length: B * L }, (_, i) => (i % L !== 0 && i % 3 === 1 ? 1 : 0));
const boolMask = Array.from({ length: L * L }, (_, i) => (i % L !== 0 && (i * 7) % 5 === 1 ? 1 : 0));
const floatMask = Array.from({ length: B * H * L * L }, (_, i) => Math.cos(i) * 2);

describe.skipIf(!hasTorch)('MultiheadAttention agrees with PyTorch (skipped: python3 cannot import torch)', () => {
  const cases: [string, Record<string, unknown>, () => sg.nn.AttentionWeightsOptions][] = [
    ['key_padding_mask (true = ignore) and a bool attn_mask [L, S], averaged weights', { kpm, boolMask, maskShape: [L, L], average: true }, () => ({
      keyPaddingMask: sg.tensor(Int32Array.from(kpm), [B, L], { dtype: 'int32' }), attnMask: sg.tensor(Int32Array.from(boolMask), [L, L], { dtype: 'int32' }),
    })],
    ['a float attn_mask [B·heads, L, S] (added), per-head weights', { floatMask, maskShape: [B * H, L, L], average: false }, () => ({
      attnMask: sg.tensor(Float32Array.from(floatMask), [B * H, L, L]), averageAttnWeights: false,
    })],
    ['isCausal equals the triangular bool attn_mask, float key padding mask', { kpm, causal: true, average: true }, () => ({
      isCausal: true, keyPaddingMask: sg.tensor(Float32Array.from(kpm), [B, L]),
    })],
  ];
  test.each(cases)('%s', async (_name, torchArgs, ourOptions) => {
    const m = new sg.nn.MultiheadAttention(E, H, { seed: 4 });
    const x = sg.tensor(Float32Array.from(xData), [B, L, E]);
    const [out, weights] = m.forwardWithWeights(x, x, x, ourOptions());
    const want = torchMha({ E, H, B, L, x: xData, ...(await weightsOf(m)), ...torchArgs });
    expect(await out.data()).toBeAllClose(Float64Array.from(want.out), { rtol: 5e-4, atol: 1e-5 });
    expect(await weights!.data()).toBeAllClose(Float64Array.from(want.weights), { rtol: 5e-4, atol: 1e-6 });
    // the plain forward (fused kernel where it can) gives the same output
    const { averageAttnWeights: _a, ...masks } = ourOptions();
    expect(await m.forward(x, x, x, masks).data()).toBeAllClose(Float64Array.from(want.out), { rtol: 5e-4, atol: 1e-5 });
  });
});

describe('attention dropout and PyTorch defaults', () => {
  test('dropout acts on the attention weights in training only, each kept weight scaled by 1/(1-p)', async () => {
    const m = new sg.nn.MultiheadAttention(E, H, { seed: 4, dropout: 0.5 });
    const x = sg.tensor(Float32Array.from(xData), [B, L, E]);
    m.eval();
    const [, clean] = m.forwardWithWeights(x, x, x, { averageAttnWeights: false });
    m.train();
    const [, dropped] = m.forwardWithWeights(x, x, x, { averageAttnWeights: false });
    const [c, d] = [await clean!.data(), await dropped!.data()];
    let zeros = 0;
    d.forEach((v, i) => (v === 0 ? zeros++ : expect(v).toBeCloseTo(2 * c[i], 5)));
    expect(zeros).toBeGreaterThan(d.length * 0.3);
    expect(zeros).toBeLessThan(d.length * 0.7);
    expect(m.forward(x).shape).toEqual([B, L, E]);
  });
  test("layers default to PyTorch's dimFeedforward 2048, dropout 0.1, ReLU; MultiheadAttention to dropout 0", () => {
    const enc = new sg.nn.TransformerEncoderLayer(8, 2);
    const dec = new sg.nn.TransformerDecoderLayer(8, 2);
    expect(enc.ff.fc1.weight.shape).toEqual([2048, 8]);
    expect(dec.ff.fc1.weight.shape).toEqual([2048, 8]);
    expect([enc.dropout, dec.dropout, enc.selfAttn.dropout, dec.crossAttn.dropout]).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect(enc.ff.activation).toBe('relu');
    expect(new sg.nn.MultiheadAttention(8, 2).dropout).toBe(0);
    const gpt = new sg.nn.GPTBlock(8, 2);
    expect([gpt.mlp.approximate, gpt.attn.dropout]).toEqual(['tanh', 0]);
  });
  test('the old positional key mask is refused, naming the new option and polarity', () => {
    const m = new sg.nn.MultiheadAttention(E, H);
    const x = sg.zeros([B, L, E]);
    expect(() => (m.forward as (...a: unknown[]) => sg.Tensor)(x, x, x, sg.ones([B, L]))).toThrow(/pass masks as options \(\{ keyPaddingMask \}, nonzero = ignore the key/);
    expect(() => m.forward(x, x, x, { attnMask: sg.zeros([L, L + 1]) })).toThrow(/MultiheadAttention\(6, 3\): attnMask must be \[5, 5\] or \[6, 5, 5\]/);
    expect(() => m.forward(x, x, x, { needWeights: true } as object)).toThrow(/unknown option 'needWeights'/);
  });
  test('the decoder self-attention is causal only when asked (tgtIsCausal), as PyTorch', async () => {
    const dec = new sg.nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, seed: 2 }).eval();
    const tgt = sg.randn([1, 4, 8], { seed: 5 });
    const mem = sg.randn([1, 3, 8], { seed: 6 });
    // changing the last target position changes earlier outputs unless the self-attention is causal
    const tgt2 = sg.cat([tgt.slice([0, 0, 0], [1, 3, 8]), sg.randn([1, 1, 8], { seed: 9 })], 1);
    const first = async (t: sg.Tensor, causal: boolean) => Array.from(await dec.forward(t, mem, { tgtIsCausal: causal }).slice([0, 0, 0], [1, 1, 8]).data());
    expect(await first(tgt, true)).toEqual(await first(tgt2, true));
    expect(await first(tgt, false)).not.toEqual(await first(tgt2, false));
  });
});

/** Our layer's parameters in PyTorch's names (in_proj stacked), for the twin built in python. */
async function layerParams(layer: sg.nn.TransformerEncoderLayer | sg.nn.TransformerDecoderLayer): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  const mha = async (prefix: string, m: sg.nn.MultiheadAttention) => {
    out[`${prefix}.in_proj_weight`] = [...(await m.qProj.weight.data()), ...(await m.kProj.weight.data()), ...(await m.vProj.weight.data())];
    out[`${prefix}.in_proj_bias`] = [...(await m.qProj.bias!.data()), ...(await m.kProj.bias!.data()), ...(await m.vProj.bias!.data())];
    out[`${prefix}.out_proj.weight`] = Array.from(await m.outProj.weight.data());
    out[`${prefix}.out_proj.bias`] = Array.from(await m.outProj.bias!.data());
  };
  await mha('self_attn', layer.selfAttn);
  if (layer instanceof sg.nn.TransformerDecoderLayer) await mha('multihead_attn', layer.crossAttn);
  for (const [name, p] of [['linear1.weight', layer.ff.fc1.weight], ['linear1.bias', layer.ff.fc1.bias], ['linear2.weight', layer.ff.fc2.weight], ['linear2.bias', layer.ff.fc2.bias]] as const) out[name] = Array.from(await p!.data());
  const norms = layer instanceof sg.nn.TransformerDecoderLayer ? [layer.norm1, layer.norm2, layer.norm3] : [layer.norm1, layer.norm2];
  for (const [i, n] of norms.entries()) (out[`norm${i + 1}.weight`] = Array.from(await n.weight!.data())), (out[`norm${i + 1}.bias`] = Array.from(await n.bias!.data()));
  return out;
}

describe.skipIf(!hasTorch)('transformer layers agree with PyTorch in eval mode (skipped: python3 cannot import torch)', () => {
  const [d, nh, ff, T, S] = [8, 2, 16, 5, 4];
  const src = Array.from({ length: B * T * d }, (_, i) => Math.sin(i * 0.37) * 1.2);
  const mem = Array.from({ length: B * S * d }, (_, i) => Math.cos(i * 0.53));
  const pad = Array.from({ length: B * T }, (_, i) => (i % T !== 0 && i % 4 === 3 ? 1 : 0));
  test.each([
    ['encoder, post-norm, relu, key padding', false, 'relu'],
    ['encoder, pre-norm, exact gelu, causal', true, 'gelu'],
  ] as const)('%s', async (_name, normFirst, activation) => {
    const layer = new sg.nn.TransformerEncoderLayer(d, nh, { dimFeedforward: ff, normFirst, activation, seed: 3 }).eval();
    const causal = activation === 'gelu';
    const x = sg.tensor(Float32Array.from(src), [B, T, d]);
    const y = layer.forward(x, causal ? { isCausal: true } : { srcKeyPaddingMask: sg.tensor(Int32Array.from(pad), [B, T], { dtype: 'int32' }) });
    const script = `import json, sys, torch
a = json.load(sys.stdin)
m = torch.nn.TransformerEncoderLayer(${d}, ${nh}, ${ff}, activation='${activation}', batch_first=True, norm_first=${normFirst ? 'True' : 'False'}).double().eval()
m.load_state_dict({k: torch.tensor(a['p'][k], dtype=torch.float64).reshape(p.shape) for k, p in m.state_dict().items()})
x = torch.tensor(a['x'], dtype=torch.float64).reshape(${B}, ${T}, ${d})
kw = {'src_mask': torch.triu(torch.ones(${T}, ${T}, dtype=torch.bool), 1)} if a['causal'] else {'src_key_padding_mask': torch.tensor(a['pad'], dtype=torch.bool).reshape(${B}, ${T})}
with torch.no_grad(): print(json.dumps(m(x, **kw).flatten().tolist()))`;
    const want = JSON.parse(execFileSync(PY, ['-c', script], { input: JSON.stringify({ p: await layerParams(layer), x: src, pad, causal }), encoding: 'utf8' }).trim().split('\n').pop()!);
    expect(await y.data()).toBeAllClose(Float64Array.from(want), { rtol: 5e-4, atol: 1e-5 });
  });
  test('decoder, post-norm: tgtIsCausal with memory key padding equals tgt_mask + memory_key_padding_mask', async () => {
    const layer = new sg.nn.TransformerDecoderLayer(d, nh, { dimFeedforward: ff, seed: 5 }).eval();
    const memPad = Array.from({ length: B * S }, (_, i) => (i % S === 2 ? 1 : 0));
    const y = layer.forward(sg.tensor(Float32Array.from(src), [B, T, d]), sg.tensor(Float32Array.from(mem), [B, S, d]), {
      tgtIsCausal: true, memoryKeyPaddingMask: sg.tensor(Int32Array.from(memPad), [B, S], { dtype: 'int32' }),
    });
    const script = `import json, sys, torch
a = json.load(sys.stdin)
m = torch.nn.TransformerDecoderLayer(${d}, ${nh}, ${ff}, batch_first=True).double().eval()
m.load_state_dict({k: torch.tensor(a['p'][k], dtype=torch.float64).reshape(p.shape) for k, p in m.state_dict().items()})
t = torch.tensor(a['x'], dtype=torch.float64).reshape(${B}, ${T}, ${d})
mem = torch.tensor(a['mem'], dtype=torch.float64).reshape(${B}, ${S}, ${d})
with torch.no_grad(): print(json.dumps(m(t, mem, tgt_mask=torch.triu(torch.ones(${T}, ${T}, dtype=torch.bool), 1), memory_key_padding_mask=torch.tensor(a['memPad'], dtype=torch.bool).reshape(${B}, ${S})).flatten().tolist()))`;
    const want = JSON.parse(execFileSync(PY, ['-c', script], { input: JSON.stringify({ p: await layerParams(layer), x: src, mem, memPad }), encoding: 'utf8' }).trim().split('\n').pop()!);
    expect(await y.data()).toBeAllClose(Float64Array.from(want), { rtol: 5e-4, atol: 1e-5 });
  });
});
