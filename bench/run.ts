// `npm run bench [-- options]`: every kernel family x variant x shape, validated, then timed next to TF.js.
import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { dawnGPU } from '../src/node/gpu.js';
import type { BenchContext, BenchOptions, CaseResult } from './harness.js';
import { matches } from './harness.js';
import { loadTfPeer } from './peer-tfjs.js';
import { printTable, slug, writeJson } from './report.js';

const program = new Command()
  .name('bench')
  .description('shadergrad kernel benchmarks: each variant checked against a CPU reference, then timed against TF.js WebGPU')
  .option('--kernel <name>', 'only kernel families whose name contains this')
  .option('--variant <name>', 'only variants whose name contains this')
  .option('--shape <name>', 'only cases whose name contains this (e.g. 1024x1024x1024, -tA)')
  .option('--quick', 'fewer shapes and samples (under a minute on lavapipe)')
  .option('--rounds <n>', 'timed samples per contestant, all of them (default: 7, or 3 with --quick, fewer for slow variants)', (v) => parseInt(v, 10))
  .option('--no-peer', 'do not run TensorFlow.js')
  .option('--out <file>', 'JSON output path (default bench/results/<device>-<date>.json)')
  .parse();
const opts = program.opts<{ kernel?: string; variant?: string; shape?: string; quick?: boolean; rounds?: number; peer: boolean; out?: string }>();

const quick = opts.quick ?? false;
const options: BenchOptions = {
  variant: opts.variant,
  shape: opts.shape,
  quick,
  rounds: opts.rounds ?? (quick ? 3 : 7),
  // an explicit --rounds means every contestant gets them all
  budgetMs: opts.rounds ? Infinity : quick ? 4000 : 8000,
  sampleMs: quick ? 40 : 100,
};

// Install WebGPU's globals before the runtime modules load (src/runtime/buffers.ts reads GPUBufferUsage at import).
const gpu = dawnGPU();
const { initRuntime, destroyRuntime } = await import('../src/runtime/runtime.js');
const { FAMILIES } = await import('./registry.js');

const log = (line: string) => console.log(line);
const rt = await initRuntime({ gpu });
log(`device: ${rt.caps.description}; features: ${[...rt.caps.features].join(', ')}; subgroup size ${rt.caps.subgroupMinSize ?? '-'}..${rt.caps.subgroupMaxSize ?? '-'}`);
const peer = opts.peer ? await loadTfPeer() : null;
if (peer) {
  // keep every TF.js op on the GPU (small ops are otherwise forwarded to its CPU backend)
  peer.tf.env().set('WEBGPU_CPU_FORWARD', false);
  log(`peer: ${peer.name} on the same Dawn GPU`);
}
const ctx: BenchContext = { rt, peer, options, log };

const results: CaseResult[] = [];
const started = performance.now();
for (const family of FAMILIES.filter((f) => matches(opts.kernel, f.name))) {
  for (const c of family.cases(quick).filter((c) => matches(opts.shape, c.name))) {
    const t0 = performance.now();
    const r = await family.run(ctx, c);
    results.push(r);
    log(`${family.name} ${c.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}
log('');
printTable(results, log);
log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);

const date = new Date().toISOString().slice(0, 10);
const out = opts.out ?? fileURLToPath(new URL(`results/${slug(rt.caps.description)}-${date}.json`, import.meta.url));
writeJson(out, {
  date: new Date().toISOString(),
  device: rt.caps.description,
  features: [...rt.caps.features],
  peer: peer?.name ?? null,
  options,
  results,
});
log(`wrote ${out}`);
if (peer) peer.tf.engine().reset();
destroyRuntime();
// TF.js keeps its own device alive; exit explicitly so the process does not linger
process.exit(0);
