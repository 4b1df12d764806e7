// Every bad request is refused with the right 4xx and a JSON error naming the problem, and the server
// keeps serving (health and a good predict after all of them).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Server } from '../../src/serve/server.js';
import { useGpu } from '../helpers/gpu.js';
import { post, randomCheckpoint, scratchDir, serveOn } from './fixture.js';

useGpu();
const scratch = scratchDir();
let server: Server;
const BODY_LIMIT = 64 * 1024;
const pixels = (n = 784) => Array(n).fill(0.5);

beforeAll(async () => {
  await randomCheckpoint(`${scratch.dir}/m.safetensors`);
  server = await serveOn({ name: 'digits', source: { checkpoint: `${scratch.dir}/m.safetensors` }, bodyLimit: BODY_LIMIT, maxInstances: 8 });
});
afterAll(async () => {
  await server?.close();
  scratch.remove();
});

const predictUrl = () => `${server.url}/v1/models/digits:predict`;

// [what, request, status, pattern the error must match]
const CASES: [string, () => Promise<{ status: number; json: any }>, number, RegExp][] = [
  ['malformed JSON', () => post(predictUrl(), null, { raw: '{"instances": [[0.1, 0.2' }), 400, /malformed JSON/],
  ['an empty body', () => post(predictUrl(), null, { raw: '' }), 400, /body is empty/],
  ['a body that is not an object', () => post(predictUrl(), [1, 2, 3]), 400, /JSON object \{"instances"/],
  ['no "instances"', () => post(predictUrl(), { data: [pixels()] }), 400, /unknown field "data"/],
  ['an unknown signature', () => post(predictUrl(), { signature_name: 'classify', instances: [pixels()] }), 400, /signature_name "classify": this model has only "serving_default"/],
  ['"instances" not an array', () => post(predictUrl(), { instances: 'pixels' }), 400, /"instances" must be an array, got the string/],
  ['an empty batch', () => post(predictUrl(), { instances: [] }), 400, /"instances" is empty/],
  ['too many instances', () => post(predictUrl(), { instances: Array(9).fill(pixels()) }), 400, /9 instances, more than the 8 allowed/],
  ['a short instance', () => post(predictUrl(), { instances: [pixels(), pixels(783)] }), 400, /instances\[1\] is an array of 783, expected an array of 784/],
  ['a long instance', () => post(predictUrl(), { instances: [pixels(785)] }), 400, /instances\[0\] is an array of 785/],
  ['a ragged 28×28 instance', () => post(predictUrl(), { instances: [[...Array(27).fill(Array(28).fill(0)), Array(27).fill(0)]] }), 400, /instances\[0\]\[27\] is an array of 27, expected an array of 28/],
  ['a string pixel', () => post(predictUrl(), { instances: [[...pixels(783), '0.5']] }), 400, /instances\[0\]\[783\] is the string "0.5", not a number/],
  ['a null pixel', () => post(predictUrl(), { instances: [[null, ...pixels(783)]] }), 400, /instances\[0\]\[0\] is null, not a number/],
  ['an infinite pixel (1e999)', () => post(predictUrl(), null, { raw: `{"instances": [[1e999${',0'.repeat(783)}]]}` }), 400, /instances\[0\]\[0\] is Infinity, not a finite number/],
  ['an instance that is a number', () => post(predictUrl(), { instances: [7] }), 400, /instances\[0\] is number, expected an array of 784/],
  ['an unknown model', () => post(`${server.url}/v1/models/cats:predict`, { instances: [pixels()] }), 404, /unknown model 'cats' \(this server serves 'digits'\)/],
  ['an unknown version', () => post(`${server.url}/v1/models/digits/versions/7:predict`, { instances: [pixels()] }), 404, /no version 7 \(loaded: 1\)/],
  ['a version that is not a number', () => post(`${server.url}/v1/models/digits/versions/latest:predict`, { instances: [pixels()] }), 400, /version 'latest' is not a positive integer/],
  ['another verb', () => post(`${server.url}/v1/models/digits:regress`, { instances: [pixels()] }), 404, /':regress' is not supported/],
  ['a body over the limit', () => post(predictUrl(), { instances: [Array(BODY_LIMIT / 2).fill(0.5)] }), 413, /larger than the limit of 65536 bytes/],
  ['the wrong content type', () => post(predictUrl(), null, { raw: 'instances=1', contentType: 'application/x-www-form-urlencoded' }), 415, /send the body as application\/json/],
  ['text/plain', () => post(predictUrl(), null, { raw: JSON.stringify({ instances: [pixels()] }), contentType: 'text/plain' }), 415, /application\/json/],
  ['an unknown route', async () => {
    const res = await fetch(`${server.url}/v2/whatever`);
    return { status: res.status, json: await res.json() };
  }, 404, /no route GET \/v2\/whatever/],
];

describe('bad requests', () => {
  test.each(CASES)('%s', async (_what, request, status, pattern) => {
    const { status: got, json } = await request();
    expect(got).toBe(status);
    expect(json.error).toMatch(pattern);
  });

  test('TF Serving\'s signature_name "serving_default" is accepted', async () => {
    expect((await post(predictUrl(), { signature_name: 'serving_default', instances: [pixels()] })).status).toBe(200);
  });

  test('the server is still healthy and serving after all of them, and counted them as errors', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const ok = await post(predictUrl(), { instances: [pixels()] });
    expect(ok.status).toBe(200);
    expect(ok.json.predictions).toHaveLength(1);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const refused = [...metrics.matchAll(/^shadergrad_request_errors_total\{code="4\d\d"\} (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    expect(refused).toBe(CASES.length);
  });
});
