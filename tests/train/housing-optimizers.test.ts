// `compare-optimizers`: four short housing runs (SGD, momentum, Adam, AdamW) end in one PNG of their loss
// curves and one JSON line with each optimizer's test RMSE. compareOptimizers opens and closes the GPU itself.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { expect, test, vi } from 'vitest';
import { compareOptimizers, CONTENDERS } from '../../src/cli/tabular-optimizers.js';

test('compare-optimizers writes the loss-curve PNG and a JSON line per optimizer', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'sg-opt-')), 'optimizers.png');
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
  try {
    await compareOptimizers({ out, epochs: 3, seed: 0, quiet: true, json: true });
  } finally {
    log.mockRestore();
  }
  expect(lines).toHaveLength(1);
  const line = JSON.parse(lines[0]);
  expect(line.command).toBe('compare-optimizers');
  expect(CONTENDERS.map((c) => c.name)).toEqual(['sgd', 'momentum', 'adam', 'adamw']);
  for (const { name } of CONTENDERS) {
    expect(line.metrics[`${name}_test_rmse`]).toBeGreaterThan(0);
    expect(line.metrics[`${name}_test_rmse`]).toBeLessThan(20);
    expect(Number.isFinite(line.metrics[`${name}_final_loss`])).toBe(true);
  }
  const png = PNG.sync.read(readFileSync(out));
  expect([png.width, png.height]).toEqual([900, 360]);
  // every contender's colour is drawn
  for (const { name, color } of CONTENDERS) {
    let found = false;
    for (let i = 0; i < png.data.length && !found; i += 4) found = png.data[i] === color[0] && png.data[i + 1] === color[1] && png.data[i + 2] === color[2];
    if (name !== 'adam') expect(found, `${name}'s curve`).toBe(true); // adam's may lie under adamw's, drawn after it
  }
}, 60_000);
