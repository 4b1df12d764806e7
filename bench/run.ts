// `npm run bench [-- options]`: peak micro-benchmarks, then every kernel family x variant x shape,
// validated against a CPU reference, then timed next to TF.js. Writes bench/results/<device>-<date>.{json,md}
// (a filtered or non-default run writes <device>-<date>-partial-<filters>.* instead).
import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { dawnGPU } from '../src/node/gpu.js';
import { destroyRuntime, initRuntime } from '../src/runtime/runtime.js';
import { FAMILIES } from './registry.js';
import { measurePeaks } from './peak.js';
import type { BenchContext, BenchOptions, CaseResult, Dtype } from './harness.js';
import { matches, runCase } from './harness.js';
import { benchJsonLine } from './json-line.js';
import { loadTfPeer } from './peer-tfjs.js';
import { printTable, writeJson, writeText } from './report.js';
import { markdownSummary, resultBaseName, slug, fmt, type RunRecord } from './summary.js';

const program = new Command()
  .name('bench')
  .description('shadergrad kernel benchmarks: each variant checked against a CPU reference, then timed against TF.js WebGPU')
  .option('--kernel <name>', 'only kernel families whose name contains this')
  .option('--variant <name>', 'only variants whose name contains this')
  .option('--shape <name>', 'only cases whose name contains this (e.g. 1024x1024x1024, -tA)')
  .option('--dtype <type>', 'element type: f32 or f16 (families without that variant report unsupported)', 'f32')
  .option('--quick', 'fewer shapes and samples (about a minute on lavapipe)')
  .option('--rounds <n>', 'timed samples per contestant, all of them (default: 7, or 3 with --quick, fewer for slow variants)', (v) => parseInt(v, 10))
  .option('--no-peer', 'do not run TensorFlow.js')
  .option('--no-peaks', 'skip the copy-bandwidth and FMA peak micro-benchmarks')
  .option('--json', 'end with one JSON line: {"command": "bench", "config", "results", "metrics"}')
  .option('--out <file>', 'JSON output path (default bench/results/<device>-<date>[-partial-...].json; the .md goes beside it)')
  .parse();
const opts = program.opts<{ kernel?: string; variant?: string; shape?: string; dtype: string; quick?: boolean; rounds?: number; peer: boolean; peaks: boolean; out?: string; json?: boolean }>();
if (opts.dtype !== 'f32' && opts.dtype !== 'f16') program.error(`--dtype must be f32 or f16, got ${opts.dtype}`);

const quick = opts.quick ?? false;
const options: BenchOptions = {
  variant: opts.variant,
  shape: opts.shape,
  quick,
  rounds: opts.rounds ?? (quick ? 3 : 7),
  // an explicit --rounds means every contestant gets them all
  budgetMs: opts.rounds ? Infinity : quick ? 2500 : 6000,
  sampleMs: quick ? 40 : 100,
  dtype: opts.dtype as Dtype,
};
// everything that makes this run differ from the default suite goes into the file name
const filters: RunRecord['filters'] = {};
for (const k of ['kernel', 'variant', 'shape', 'rounds'] as const) if (opts[k] !== undefined) filters[k] = opts[k]!;
if (quick) filters.quick = true;
if (opts.dtype !== 'f32') filters.dtype = opts.dtype;
if (!opts.peer) filters['no-peer'] = true;
if (!opts.peaks) filters['no-peaks'] = true;

const gpu = dawnGPU();

const log = (line: string) => console.log(line);
const rt = await initRuntime({ gpu });
log(`device: ${rt.caps.description}; features: ${[...rt.caps.features].join(', ')}; subgroup size ${rt.caps.subgroupMinSize ?? '-'}..${rt.caps.subgroupMaxSize ?? '-'}`);
const started = performance.now();
const peaks = opts.peaks ? await measurePeaks(rt, { quick }) : null;
if (peaks) {
  const known = peaks.known ? `; known peak (${peaks.known.name}): ${peaks.known.fp32Tflops} TFLOP/s FP32, ${peaks.known.memGBs} GB/s` : '';
  log(`peaks (${peaks.timing} time, best of samples): copy ${fmt(peaks.copyGBs)} GB/s (median ${fmt(peaks.copyGBsMedian)}), fma ${fmt(peaks.fmaGflops)} GFLOP/s (median ${fmt(peaks.fmaGflopsMedian)})${known}`);
}
const peer = opts.peer ? await loadTfPeer() : null;
if (peer) {
  // keep every TF.js op on the GPU (small ops are otherwise forwarded to its CPU backend)
  peer.tf.env().set('WEBGPU_CPU_FORWARD', false);
  log(`peer: ${peer.name} on the same Dawn GPU`);
}
const ctx: BenchContext = { rt, peer, options, log };

const results: CaseResult[] = [];
for (const family of FAMILIES.filter((f) => matches(opts.kernel, f.name))) {
  for (const c of family.cases(quick).filter((c) => matches(opts.shape, c.name))) {
    const t0 = performance.now();
    results.push(await runCase(family, ctx, c));
    log(`${family.name} ${c.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}
log('');
printTable(results, peaks, log);
log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);

const date = new Date().toISOString().slice(0, 10);
const base = resultBaseName(slug(rt.caps.description), date, filters);
const out = opts.out ?? fileURLToPath(new URL(`results/${base}.json`, import.meta.url));
const record: RunRecord = {
  date: new Date().toISOString(),
  device: rt.caps.description,
  features: [...rt.caps.features],
  peer: peer?.name ?? null,
  filters,
  options,
  peaks,
  results,
};
writeJson(out, record);
const md = out.replace(/\.json$/, '') + '.md';
writeText(md, markdownSummary(record));
log(`wrote ${out} and ${md}; chart: node scripts/bench-chart.mjs ${out}`);
if (opts.json) console.log(JSON.stringify(benchJsonLine(record, out, (performance.now() - started) / 1000)));
if (peer) peer.tf.engine().reset();
destroyRuntime();
// TF.js keeps its own device alive; exit explicitly so the process does not linger
process.exit(0);
