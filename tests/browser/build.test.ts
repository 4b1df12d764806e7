// The browser build: bundles and data land in dist/, and nothing Node-only can reach a browser bundle.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: plain ESM script without type declarations
import { ROOT, build, buildBrowser } from '../../scripts/build.mjs';

const dist = join(ROOT, 'dist');

test('npm run build writes the library, every page and the MNIST digits to dist/', async () => {
  await build({ quiet: true });
  for (const f of ['shadergrad.js', 'uPlot.min.css', 'pages/home.js', 'pages/mnist.js', 'pages/toy.js', 'pages/bench.js', 'pages/parity.js'])
    expect(existsSync(join(dist, f)), f).toBe(true);
  for (let d = 0; d < 10; d++) expect(existsSync(join(dist, `data/mnist/${d}.json`))).toBe(true);
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
