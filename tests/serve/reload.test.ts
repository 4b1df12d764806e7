// A model directory of numbered versions: a new version appearing while requests are in flight is
// loaded and becomes the latest, and no request is dropped or fails on the way.
import { renameSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MNIST_PIXELS } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import type { Server } from '../../src/serve/server.js';
import { useGpu } from '../helpers/gpu.js';
import { metricValue, post, randomCheckpoint, scratchDir, serveOn } from './fixture.js';

useGpu();
const scratch = scratchDir();
const models = `${scratch.dir}/models`;
let server: Server;

/** Writes version `v` (an untrained MLP of seed `v`) into a temporary folder and renames it into place. */
async function publish(v: number): Promise<void> {
  mkdirSync(`${scratch.dir}/incoming-${v}`);
  await randomCheckpoint(`${scratch.dir}/incoming-${v}/model.safetensors`, v);
  renameSync(`${scratch.dir}/incoming-${v}`, `${models}/${v}`);
}

beforeAll(async () => {
  mkdirSync(models);
  await publish(1);
  mkdirSync(`${models}/not-a-version`); // ignored: only numbered folders are versions
  server = await serveOn({ name: 'mnist', modelDir: models, pollMs: 50 });
});
afterAll(async () => {
  await server?.close();
  scratch.remove();
});

test('version 2 is picked up while 8 clients keep sending; every request answered; v1 stays addressable', async () => {
  const { test: held } = await loadMnist();
  const body = { instances: [Array.from(held.images.subarray(0, MNIST_PIXELS))] };
  const url = `${server.url}/v1/models/mnist:predict`;
  const v1 = (await post(url, body)).json.predictions[0];
  let stop = false;
  const statuses: number[] = [];
  const client = async () => {
    while (!stop) statuses.push((await post(url, body)).status);
  };
  const clients = Array.from({ length: 8 }, client);
  await new Promise((r) => setTimeout(r, 200));
  await publish(2);
  // wait (bounded) until the poll has loaded it
  for (let i = 0; i < 200 && !server.repository.versions.has(2); i++) await new Promise((r) => setTimeout(r, 50));
  expect([...server.repository.versions.keys()]).toEqual([1, 2]);
  await new Promise((r) => setTimeout(r, 300)); // more requests, now on version 2
  stop = true;
  await Promise.all(clients);
  expect(statuses.length).toBeGreaterThan(16);
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const on = (v: number) => metricValue(metrics, `shadergrad_predicted_instances_total{model="mnist",version="${v}"}`);
  expect(on(1) + on(2)).toBe(statuses.length + 1);
  expect(on(2)).toBeGreaterThan(0);
  expect(metricValue(metrics, 'shadergrad_model_latest_version')).toBe(2);
  // the latest answers with version 2's weights (another seed: other probabilities); version 1 is still there
  const latest = (await post(url, body)).json.predictions[0];
  const pinned = (await post(`${server.url}/v1/models/mnist/versions/1:predict`, body)).json.predictions[0];
  expect(pinned).toEqual(v1);
  expect(latest.probabilities).not.toEqual(v1.probabilities);
  const status = (await (await fetch(`${server.url}/v1/models/mnist`)).json()).model_version_status;
  expect(status.map((s: { version: string }) => s.version)).toEqual(['1', '2']);
});

test('a version folder that cannot be loaded is reported in the status, and serving goes on', async () => {
  mkdirSync(`${models}/3`); // empty: no model file
  for (let i = 0; i < 100 && !server.repository.failed.has(3); i++) await new Promise((r) => setTimeout(r, 50));
  const status = (await (await fetch(`${server.url}/v1/models/mnist`)).json()).model_version_status;
  expect(status.find((s: { version: string }) => s.version === '3')).toMatchObject({ state: 'END', status: { error_code: 'UNKNOWN', error_message: expect.stringMatching(/expected one model.onnx or one .safetensors checkpoint, found no files/) } });
  expect((await post(`${server.url}/v1/models/mnist:predict`, { instances: [Array(784).fill(0)] })).status).toBe(200);
});
