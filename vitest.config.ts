import { defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';

// WGSL files are imported as text, the same way esbuild's text loader bundles them for browsers.
const wgslAsText = {
  name: 'wgsl-as-text',
  transform(_code: string, id: string) {
    if (!id.endsWith('.wgsl')) return null;
    return { code: `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`, map: null };
  },
};

export default defineConfig({
  plugins: [wgslAsText],
  test: {
    include: ['tests/**/*.test.ts'],
    // the JSON report is what .ci/run turns into its "N passed, N failed" line
    reporters: ['default', ['json', { outputFile: '.ci/results.json' }]],
    // CPU adapters run large first realizations (shader JIT included) slowly under load; hangs are still caught
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // one GPU device per worker; lavapipe uses both cores already
    fileParallelism: false,
    env: { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  },
});
