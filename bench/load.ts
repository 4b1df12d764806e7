// `npm run loadtest`: throughput and latency of `shadergrad serve` under autocannon at several
// concurrencies. Each request classifies ONE real held-out digit (784 numbers, ~11 KB of JSON); the mean
// batch size per concurrency comes from the server's own /metrics (shadergrad_batch_size).
//   npm run loadtest -- [--url http://host:port --name NAME] [--checkpoint f | --model mlp|lenet]
//                       [--concurrency 1,8,32,64] [--duration 5] [--max-batch 32] [--max-wait-ms 5] [--json]
// Without --url it starts a server in this process (so the load generator shares the CPU with it: on a
// CPU-emulated GPU, as here, that is a real cost; the README says which was measured). Without
// --checkpoint the model is untrained (seed 0): throughput does not depend on the weights.
import autocannon from 'autocannon';
import { Command, Option } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS } from '../src/cli/models.js';
import { MNIST_PIXELS } from '../src/data/mnist.js';
import { loadMnist } from '../src/node/mnist-files.js';
import * as sg from '../src/node/index.js';
import { startServer } from '../src/serve/server.js';

export interface LoadResult {
  connections: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  meanBatch: number | null;
}

/** Mean of the shadergrad_batch_size histogram: [sum, count] from a /metrics text. */
async function batchTotals(url: string): Promise<[number, number]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const get = (s: string) => Number(new RegExp(`^shadergrad_batch_size_${s}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return [get('sum'), get('count')];
}

/** One autocannon run against POST `predictUrl`: `amount` requests, or for `duration` seconds. */
export async function loadRun(baseUrl: string, predictUrl: string, body: string, o: { connections: number; amount?: number; duration?: number }): Promise<LoadResult> {
  const [sum0, count0] = await batchTotals(baseUrl);
  const r = await autocannon({
    url: predictUrl,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: o.connections,
    ...(o.amount ? { amount: o.amount } : { duration: o.duration ?? 5 }),
    timeout: 30,
  });
  const [sum1, count1] = await batchTotals(baseUrl);
  return {
    connections: o.connections,
    requests: r.requests.total,
    requestsPerSecond: r.requests.total / (r.duration || 1),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    meanBatch: count1 > count0 ? (sum1 - sum0) / (count1 - count0) : null,
  };
}

/** The body of one request: held-out digit number `index`. */
export async function digitBody(index = 0): Promise<string> {
  const { test } = await loadMnist();
  return JSON.stringify({ instances: [Array.from(test.images.subarray(index * MNIST_PIXELS, (index + 1) * MNIST_PIXELS))] });
}

async function main(): Promise<void> {
  const o = new Command('loadtest')
    .option('--url <url>', 'a running `shadergrad serve` (default: start one here)')
    .option('--name <name>', 'the model name in the URL', 'mnist')
    .option('--checkpoint <path>', 'checkpoint to serve (default: an untrained --model)')
    .addOption(new Option('--model <name>', 'untrained model to serve').choices(['mlp', 'lenet']).default('lenet'))
    .option('--concurrency <list>', 'connections per run, comma-separated', '1,8,32,64')
    .option('--duration <s>', 'seconds per run', Number, 5)
    .option('--max-batch <n>', 'server max batch', Number, 32)
    .option('--max-wait-ms <ms>', 'server batching wait', Number, 5)
    .option('--json', 'end with one JSON line {"command", "model", "results", "metrics"}', false)
    .parse()
    .opts<{ url?: string; name: string; checkpoint?: string; model: string; concurrency: string; duration: number; maxBatch: number; maxWaitMs: number; json: boolean }>();
  const levels = o.concurrency.split(',').map(Number);
  let url = o.url;
  let close = async () => {};
  const scratch = mkdtempSync(join(tmpdir(), 'sg-load-'));
  try {
    if (!url) {
      await sg.init();
      let checkpoint = o.checkpoint;
      if (!checkpoint) {
        sg.manualSeed(0);
        checkpoint = join(scratch, 'untrained.safetensors');
        await sg.saveCheckpoint(checkpoint, { model: MODELS[o.model].build(sg, { hidden: MODELS[o.model].defaultHidden }) }, { epoch: 0, step: 0, extra: { model: o.model } });
      }
      const server = await startServer({ name: o.name, source: { checkpoint }, port: 0, maxBatch: o.maxBatch, maxWaitMs: o.maxWaitMs });
      url = server.url;
      close = async () => {
        await server.close();
        sg.destroy();
      };
    }
    const predictUrl = `${url}/v1/models/${o.name}:predict`;
    const body = await digitBody();
    await loadRun(url, predictUrl, body, { connections: 4, amount: 100 }); // warm connections (the server warmed every batch size up at load)
    const results: LoadResult[] = [];
    console.log('connections  requests  req/s    p50 ms  p99 ms  mean batch  errors');
    for (const connections of levels) {
      const r = await loadRun(url, predictUrl, body, { connections, duration: o.duration });
      results.push(r);
      console.log(
        `${String(connections).padStart(11)}  ${String(r.requests).padStart(8)}  ${r.requestsPerSecond.toFixed(1).padStart(6)}  ${String(r.p50Ms).padStart(6)}  ${String(r.p99Ms).padStart(6)}  ` +
          `${(r.meanBatch?.toFixed(1) ?? '-').padStart(10)}  ${r.errors + r.non2xx}`,
      );
    }
    if (o.json) {
      const metrics: Record<string, number | null> = {};
      for (const r of results) {
        metrics[`rps_c${r.connections}`] = r.requestsPerSecond;
        metrics[`p50_ms_c${r.connections}`] = r.p50Ms;
        metrics[`p99_ms_c${r.connections}`] = r.p99Ms;
        metrics[`mean_batch_c${r.connections}`] = r.meanBatch;
        metrics[`errors_c${r.connections}`] = r.errors + r.non2xx;
      }
      console.log(JSON.stringify({ command: 'loadtest', model: o.checkpoint ? o.checkpoint : `${o.model} (untrained)`, config: { url: o.url ?? 'in-process', duration_s: o.duration, max_batch: o.maxBatch, max_wait_ms: o.maxWaitMs }, results, metrics }));
    }
  } finally {
    await close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('load.ts')) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(`loadtest: ${e.message ?? e}`);
      process.exit(1);
    },
  );
}
