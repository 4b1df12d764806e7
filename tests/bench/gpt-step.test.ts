// The gpt-step bench family on a tiny GPT without the peer: it runs, and its step numbers are finite.
// ~1.5 s with Mesa's shader cache warm; compiling its ~80 pipelines cold on lavapipe under load took ~60 s,
// hence the config's default timeout rather than a tighter one.
import { describe, expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { runtime } from '../../src/runtime/runtime.js';
import type { BenchContext } from '../../bench/harness.js';
import { gptStepFamily, gptStepFlops, type GptCase } from '../../bench/families/gpt-step.js';

useGpu();
const ctx = (): BenchContext => ({ rt: runtime(), peer: null, options: { quick: true, rounds: 2, budgetMs: 500, sampleMs: 5 }, log: () => {} });

describe('gpt-step bench family', () => {
  test('the suite: issue 5/7 size by default, a smaller quick case', () => {
    const [full] = gptStepFamily.cases(false);
    expect(full).toMatchObject({ layers: 4, d: 128, heads: 4, T: 128, batch: 8 });
    const [quick] = gptStepFamily.cases(true);
    expect(quick.layers * quick.T * quick.batch).toBeLessThan(full.layers * full.T * full.batch);
  });

  test('a tiny GPT step (no peer): checked, timed, finite step metrics', async () => {
    const c: GptCase = { name: 'gpt-L1-d32-h2-T16-V65-b2', batch: 2, T: 16, d: 32, layers: 1, heads: 2, vocab: 65 };
    const r = await gptStepFamily.run(ctx(), c);
    expect(r.peer).toBeUndefined();
    expect(r.flops).toBe(gptStepFlops(c));
    const [ours] = r.entries;
    expect(ours.status, ours.note).toBe('ok');
    expect(ours.wallMs.length).toBeGreaterThan(0);
    for (const ms of ours.wallMs) expect(Number.isFinite(ms) && ms > 0).toBe(true);
    const s = ours.step!;
    expect(s.submits).toBeGreaterThan(0);
    expect(s.dispatches).toBeGreaterThan(0);
    expect(Number.isFinite(s.cpuMs) && s.cpuMs > 0).toBe(true);
    expect(Number.isFinite(s.cpuUsPerDispatch)).toBe(true);
  });
});
