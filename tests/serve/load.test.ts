// 2,000 requests at concurrency 32 (autocannon, as `npm run loadtest` sends them) with no error, and
// dynamic batching really batching: under that load the batch-size histogram's mean is above 1.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { digitBody, loadRun } from '../../bench/load.js';
import type { Server } from '../../src/serve/server.js';
import { useGpu } from '../helpers/gpu.js';
import { metricValue, post, randomCheckpoint, scratchDir, serveOn } from './fixture.js';

useGpu();
const scratch = scratchDir();
let server: Server;

beforeAll(async () => {
  await randomCheckpoint(`${scratch.dir}/m.safetensors`);
  server = await serveOn({ name: 'mnist', source: { checkpoint: `${scratch.dir}/m.safetensors` }, maxBatch: 32 });
});
afterAll(async () => {
  await server?.close();
  scratch.remove();
});

test('2,000 requests at concurrency 32: every one answered 200, in batches of more than one', async () => {
  const body = await digitBody(7);
  const expected = (await post(`${server.url}/v1/models/mnist:predict`, JSON.parse(body))).json;
  const before = await (await fetch(`${server.url}/metrics`)).text();
  const r = await loadRun(server.url, `${server.url}/v1/models/mnist:predict`, body, { connections: 32, amount: 2000 });
  expect(r.requests).toBe(2000);
  expect(r.errors).toBe(0);
  expect(r.non2xx).toBe(0);
  expect(r.meanBatch).toBeGreaterThan(1);
  const after = await (await fetch(`${server.url}/metrics`)).text();
  const served = (t: string) => metricValue(t, 'shadergrad_predicted_instances_total');
  expect(served(after) - served(before)).toBe(2000);
  // batches of up to 32 (counted from the histogram: no batch above max-batch)
  expect(metricValue(after, 'shadergrad_batch_size_bucket{le="32",model="mnist"}')).toBe(metricValue(after, 'shadergrad_batch_size_count'));
  // and a batched answer is the lone one
  expect((await post(`${server.url}/v1/models/mnist:predict`, JSON.parse(body))).json).toEqual(expected);
});
