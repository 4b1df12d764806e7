// /health says when the server cannot answer: after the GPU device is lost it is a 503 naming the loss
// (predictions then fail with a 5xx, never a wrong answer), so a probe takes the server out of rotation.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { join } from 'node:path';
import * as sg from '../../src/node/index.js';
import type { Server } from '../../src/serve/server.js';
import { instances, post, randomCheckpoint, scratchDir, serveOn } from './fixture.js';
import { loadMnist } from '../../src/node/mnist-files.js';

const scratch = scratchDir();
let server: Server;

beforeAll(async () => {
  await sg.init();
  const ckpt = join(scratch.dir, 'mlp.ckpt');
  await randomCheckpoint(ckpt);
  server = await serveOn({ name: 'mnist', source: { checkpoint: ckpt } });
});
afterAll(async () => {
  sg.testing.disarmDeviceLoss();
  await server?.close();
  await sg.destroy();
  scratch.remove();
});

test('health is ok while serving, and a 503 naming the lost device after a device loss', async () => {
  const mnist = await loadMnist();
  const ok = await fetch(`${server.url}/health`);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ status: 'ok', versions: [1] });

  sg.testing.loseDeviceAt('submit', 1);
  const predicted = await post(`${server.url}/v1/models/mnist:predict`, { instances: instances(mnist.test, [0]) });
  expect(predicted.status).toBeGreaterThanOrEqual(500);
  expect(predicted.json.predictions).toBeUndefined();

  const down = await fetch(`${server.url}/health`);
  expect(down.status).toBe(503);
  const body = await down.json();
  expect(body.status).toBe('unavailable');
  expect(body.reason).toMatch(/GPU device was lost/);
});
