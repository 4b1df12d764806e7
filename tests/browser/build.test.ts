// The browser build: bundles and data land in dist/, and nothing Node-only can reach a browser bundle.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: plain ESM script without type declarations
import { ROOT, build, buildBrowser } from '../../scripts/build.mjs';

const dist = join(ROOT, 'dist');

test('npm run build writes the library, every page, the MNIST digits and the detector weights to dist/', async () => {
  await build({ quiet: true });
  for (const f of ['shadergrad.js', 'node.js', 'uPlot.min.css', 'pages/home.js', 'pages/mnist.js', 'pages/toy.js', 'pages/bench.js', 'pages/parity.js', 'pages/detect.js', 'data/detector.safetensors'])
    expect(existsSync(join(dist, f)), f).toBe(true);
  for (let d = 0; d < 10; d++) expect(existsSync(join(dist, `data/mnist/${d}.json`))).toBe(true);
});

test("after the build, plain Node ESM imports 'shadergrad/node' (package exports, no TypeScript loader)", async () => {
  await build({ quiet: true });
  const script = "import * as sg from 'shadergrad/node'; await sg.init(); const y = sg.tensor([[1, 2], [3, 4]]).matmul(sg.tensor([[1], [1]])); console.log(JSON.stringify(Array.from(await y.data()))); sg.destroy();";
  const { execFileSync } = await import('node:child_process');
  // run from the repository root so that the package resolves itself through package.json "exports"
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } });
  expect(out.trim().split('\n').pop()).toBe('[3,7]');
});

/** Bundles `source` as if it were a file in src/ and returns the build error's text ('' when it built). */
async function buildError(source: string): Promise<string> {
  try {
    await buildBrowser({ stdin: { contents: source, resolveDir: join(ROOT, 'src'), sourcefile: 'probe.ts', loader: 'ts' }, write: false });
    return '';
  } catch (e) {
    const err = e as { errors?: { text: string }[]; message: string };
    return err.errors?.map((m) => m.text).join('\n') || err.message;
  }
}

describe('the build refuses Node-only imports', () => {
  test.each([
    ["import './node/index.js';", /src\/node\/ is Node-only/],
    ["import { train } from './cli/train.js'; console.log(train);", /src\/cli\/ is Node-only/],
    ["import { readFileSync } from 'node:fs'; console.log(readFileSync);", /Node built-in/],
    ["import { join } from 'path'; console.log(join);", /Node built-in/],
    ["import { create } from 'webgpu'; console.log(create);", /'webgpu' runs only in Node/],
  ])('%s', async (source, message) => {
    expect(await buildError(source)).toMatch(message);
  });

  test('the browser-safe API builds', async () => {
    expect(await buildError("import * as sg from './index.js'; console.log(sg.init);")).toBe('');
  });
});
