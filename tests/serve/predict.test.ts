// Served predictions are classify's: the same trained checkpoint, the same held-out digits, through
// HTTP (dynamically batched) and through `classify`'s classifySplit.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { classifySplit } from '../../src/cli/classify.js';
import type { Mnist } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import { Predictor } from '../../src/serve/predictor.js';
import type { Server } from '../../src/serve/server.js';
import { useGpu } from '../helpers/gpu.js';
import { instances, post, scratchDir, serveOn, spread, trainCheckpoint } from './fixture.js';

useGpu();
const scratch = scratchDir();
const ckpt = `${scratch.dir}/mlp.safetensors`;
let server: Server;
let mnist: Mnist;

beforeAll(async () => {
  mnist = await loadMnist();
  await trainCheckpoint(ckpt);
  server = await serveOn({ name: 'mnist', source: { checkpoint: ckpt }, maxBatch: 16 });
});
afterAll(async () => {
  await server?.close();
  scratch.remove();
});

describe('serve answers as classify does', () => {
  test('on 200 held-out digits, requests of 1 to 7 instances sent together', async () => {
    const digits = spread(mnist.test.count, 5);
    const classified = await classifySplit(await Predictor.load({ checkpoint: ckpt }), mnist.test);
    expect(classified.accuracy).toBeGreaterThan(0.8); // a real model, so the comparison means something
    // requests of varying size, all in flight at once: batches mix requests and split them
    const groups: number[][] = [];
    for (let i = 0, k = 1; i < digits.length; i += k, k = (k % 7) + 1) groups.push(digits.slice(i, i + k));
    const answers = await Promise.all(groups.map((g) => post(`${server.url}/v1/models/mnist:predict`, { instances: instances(mnist.test, g) })));
    const served = answers.flatMap((a) => {
      expect(a.status).toBe(200);
      return a.json.predictions as { class: number; probabilities: number[] }[];
    });
    expect(served.map((p) => p.class)).toEqual(digits.map((g) => classified.classes[g]));
    for (const p of served) {
      expect(p.probabilities).toHaveLength(10);
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(p.class).toBe(p.probabilities.indexOf(Math.max(...p.probabilities)));
    }
  });

  test('a digit nested as 28×28 rows gets the answer of its flat form; /versions/1 is the same model', async () => {
    const [flat] = instances(mnist.test, [321]);
    const rows = Array.from({ length: 28 }, (_, r) => flat.slice(28 * r, 28 * r + 28));
    const a = await post(`${server.url}/v1/models/mnist:predict`, { instances: [flat] });
    const b = await post(`${server.url}/v1/models/mnist/versions/1:predict`, { instances: [rows] });
    expect(b.status).toBe(200);
    expect(b.json.predictions[0].class).toBe(a.json.predictions[0].class);
    b.json.predictions[0].probabilities.forEach((p: number, i: number) => expect(p).toBeCloseTo(a.json.predictions[0].probabilities[i], 6));
  });

  test('metadata, health and metrics', async () => {
    const meta = await (await fetch(`${server.url}/v1/models/mnist`)).json();
    expect(meta.model_version_status).toEqual([{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }]);
    expect(meta.metadata).toMatchObject({ name: 'mnist', version: '1', model: 'mlp', inputs: { instances: { dtype: 'DT_FLOAT', shape: [-1, 784] } } });
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok', model: 'mnist', versions: [1] });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of ['shadergrad_requests_total', 'shadergrad_request_errors_total', 'shadergrad_request_duration_seconds_bucket', 'shadergrad_batch_size_bucket', 'shadergrad_gpu_seconds_bucket', 'shadergrad_drift_alert'])
      expect(metrics).toContain(name);
  });
});
