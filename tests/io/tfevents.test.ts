// TensorBoard event files: what SummaryWriter writes is read back by an independent reader
// (tests/helpers/read_tfevents.py: Python stdlib, its own CRC32C, protobuf and PNG decoders) that checks
// the format's rules; a corrupted or truncated file is caught by it; bad arguments are refused.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FormatError, ValueError } from '../../src/core/errors.js';
import { imageGrid } from '../../src/io/image-grid.js';
import { crc32c, histogram, maskedCrc32c } from '../../src/io/tfevents.js';
import { SummaryWriter } from '../../src/node/summary-writer.js';
import { eventFiles, readEventFile, readEvents, summaryValues } from '../helpers/tfevents-reader.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'sg-tfevents-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const f32 = Math.fround;

describe('CRC32C', () => {
  test('the Castagnoli check values (RFC 3720 B.4 and the standard check string)', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });
  test('masked as TensorFlow masks it: rotate right by 15, add 0xa282ead8', () => {
    const crc = 0xe3069283;
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
  });
});

/** A writer's file after a known sequence of calls, with what each call should have written. */
async function writeKnownFile(sub: string) {
  const logdir = join(dir, sub);
  const w = new SummaryWriter(logdir);
  const losses = [2.3, 1.7, 0.9999, 1e-8, NaN, Infinity];
  losses.forEach((v, i) => w.addScalar('train/loss', v, i + 1));
  w.addScalar('lr', 0.002, 6);
  const values = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i * 0.37) * (1 + i / 500));
  await w.addHistogram('param/fc.weight', values, 6);
  await w.addHistogram('param/constant', [0.5, 0.5, 0.5], 6);
  await w.addHistogram('param/integers', Array.from({ length: 31 }, (_, i) => i), 6); // every value on a bucket edge
  const gray = Float32Array.from({ length: 5 * 7 }, (_, i) => (i % 7) / 6);
  w.addImage('gray', { width: 7, height: 5, channels: 1, data: gray }, 0);
  const rgb = Uint8Array.from({ length: 3 * 4 * 3 }, (_, i) => (i * 23) % 256);
  w.addImage('rgb', { width: 4, height: 3, channels: 3, data: rgb }, 2);
  // PNG bytes as they are: an RGBA one made by pngjs
  const png = new PNG({ width: 2, height: 2 });
  png.data.set([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 9, 9, 9, 255]);
  const pngBytes = PNG.sync.write(png);
  w.addImage('rgba', new Uint8Array(pngBytes), 3);
  w.close();
  return { logdir, path: w.path, losses, values, gray, rgb, rgba: png.data };
}

describe('SummaryWriter → independent reader', () => {
  test('file name, file_version first, then every tag, step and value as written', async () => {
    const t0 = Date.now() / 1000;
    const k = await writeKnownFile('known');
    expect(eventFiles(k.logdir)).toEqual([k.path]);
    const m = /^events\.out\.tfevents\.(\d+)\.(.+)$/.exec(basename(k.path));
    expect(m?.[2]).toBe(hostname());
    expect(Math.abs(Number(m![1]) - t0)).toBeLessThanOrEqual(2);
    const events = readEvents(k.path);
    expect(events[0]).toMatchObject({ file_version: 'brain.Event:2', step: 0 });
    for (const e of events) expect(Math.abs(e.wall_time - t0)).toBeLessThan(60);
    const values = summaryValues(events);
    expect(values.map(([step, v]) => `${step}:${v.tag}`)).toEqual([
      ...k.losses.map((_, i) => `${i + 1}:train/loss`), '6:lr', '6:param/fc.weight', '6:param/constant', '6:param/integers', '0:gray', '2:rgb', '3:rgba',
    ]);
    // scalars are float32 (simple_value): NaN and Infinity survive
    expect(values.slice(0, 6).map(([, v]) => v.simple_value)).toEqual([f32(2.3), f32(1.7), f32(0.9999), f32(1e-8), 'NaN', 'Infinity']);
    expect(values[6][1].simple_value).toBe(f32(0.002));
  });

  test('histograms: min, max, num, sum, sum of squares, and each bucket counts the values in (limit[k-1], limit[k]]', async () => {
    const k = await writeKnownFile('histo');
    const byTag = new Map(summaryValues(readEvents(k.path)).map(([, v]) => [v.tag, v]));
    for (const [tag, vals] of [['param/fc.weight', Array.from(k.values)], ['param/integers', Array.from({ length: 31 }, (_, i) => i)]] as const) {
      const h = byTag.get(tag)!.histo!;
      expect(h.min).toBe(Math.min(...vals));
      expect(h.max).toBe(Math.max(...vals));
      expect(h.num).toBe(vals.length);
      expect(h.sum).toBeCloseTo(vals.reduce((a, b) => a + b, 0), 9);
      expect(h.sum_squares).toBeCloseTo(vals.reduce((a, b) => a + b * b, 0), 9);
      expect(h.bucket_limit).toHaveLength(30);
      expect(h.bucket_limit[29]).toBe(h.max);
      const counted = h.bucket_limit.map((hi, b) => vals.filter((v) => (b === 0 ? v >= h.min : v > h.bucket_limit[b - 1]) && v <= hi).length);
      expect(h.bucket).toEqual(counted);
    }
    // 0 and 1 in the first bucket (0, 1], then one value per bucket
    expect(byTag.get('param/integers')!.histo!.bucket).toEqual([2, ...new Array(29).fill(1)]);
    expect(byTag.get('param/constant')!.histo).toEqual({ min: 0.5, max: 0.5, num: 3, sum: 1.5, sum_squares: 0.75, bucket_limit: [0.5], bucket: [3] });
  });

  test('images: PNGs whose header, chunk CRCs, size and decoded pixels are the ones given', async () => {
    const k = await writeKnownFile('images');
    const byTag = new Map(summaryValues(readEvents(k.path)).map(([, v]) => [v.tag, v]));
    const gray = byTag.get('gray')!.image!;
    expect(gray).toMatchObject({ width: 7, height: 5, colorspace: 1, png: { width: 7, height: 5, color_type: 0, channels: 1 } });
    expect(gray.png.pixels_sha256).toBe(sha256(Uint8Array.from(k.gray, (v) => Math.round(v * 255))));
    const rgb = byTag.get('rgb')!.image!;
    expect(rgb).toMatchObject({ width: 4, height: 3, colorspace: 3, png: { color_type: 2, channels: 3 } });
    expect(rgb.png.pixels_sha256).toBe(sha256(k.rgb));
    const rgba = byTag.get('rgba')!.image!;
    expect(rgba).toMatchObject({ width: 2, height: 2, colorspace: 4, png: { color_type: 6, channels: 4 } });
    expect(rgba.png.pixels_sha256).toBe(sha256(k.rgba));
  });

  test('a grid of digits (imageGrid): images in rows of 8 with 2-pixel padding', async () => {
    const images = Float32Array.from({ length: 10 * 3 * 2 }, (_, i) => ((i * 7) % 11) / 10);
    const grid = imageGrid(images, [10, 3, 2]);
    expect([grid.width, grid.height]).toEqual([8 * 4 + 2, 2 * 5 + 2]);
    // image 9 (second row, second column), pixel (y 2, x 1)
    expect(grid.data[(2 + 5 + 2) * grid.width + 2 + 4 + 1]).toBe(images[9 * 6 + 2 * 2 + 1]);
    const w = new SummaryWriter(join(dir, 'grid'));
    w.addImage('digits', grid, 0);
    w.close();
    const [[, v]] = summaryValues(readEvents(w.path));
    expect(v.image).toMatchObject({ width: 34, height: 12, png: { channels: 1 } });
    expect(v.image!.png.pixels_sha256).toBe(sha256(Uint8Array.from(grid.data, (x) => Math.round(x * 255))));
  });

  test('records are whole after each flush, with no close needed: a writer killed with SIGKILL leaves a file that reads', () => {
    const logdir = join(dir, 'killed');
    const script = join(dir, 'killed.mts');
    writeFileSync(script, [
      `import { SummaryWriter } from ${JSON.stringify(resolve(import.meta.dirname, '../../src/node/summary-writer.ts'))};`,
      `const w = new SummaryWriter(${JSON.stringify(logdir)});`,
      'for (let step = 1; step <= 50; step++) { w.addScalar("loss", 1 / step, step); if (step % 10 === 0) w.flush(); }',
      'w.addScalar("never-flushed", 1, 51);',
      'process.kill(process.pid, "SIGKILL");',
    ].join('\n'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, r.stderr).toBe('SIGKILL');
    const [file] = eventFiles(logdir);
    const values = summaryValues(readEvents(file));
    expect(values.map(([step]) => step)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(values.every(([step, v]) => v.tag === 'loss' && v.simple_value === f32(1 / step))).toBe(true);
  });
});

describe('the reader catches a broken file', () => {
  /** A copy of a good file, changed by `edit`, and the reader's verdict on it. */
  async function verdictOn(edit: (bytes: Buffer) => Buffer) {
    const k = await writeKnownFile(`broken-${Math.random().toString(36).slice(2)}`);
    const bytes = readFileSync(k.path);
    expect(readEventFile(k.path)).toHaveProperty('events');
    const broken = join(k.logdir, 'broken.tfevents');
    writeFileSync(broken, edit(Buffer.from(bytes)));
    return readEventFile(broken);
  }
  /** Offset of record `n` (0-based), walking the framing. */
  const recordOffset = (bytes: Buffer, n: number) => {
    let at = 0;
    for (let i = 0; i < n; i++) at += 12 + Number(bytes.readBigUInt64LE(at)) + 4;
    return at;
  };
  const flip = (at: (b: Buffer) => number) => (b: Buffer) => {
    b[at(b)] ^= 0x10;
    return b;
  };

  test('a flipped bit in a record\'s data: data CRC mismatch, naming the record', async () => {
    expect(await verdictOn(flip((b) => recordOffset(b, 3) + 12 + 2)).then((r) => 'error' in r && r.error)).toMatch(/record 3 at offset \d+: data CRC mismatch/);
  });
  test('a flipped bit in a length, or in its CRC: length CRC mismatch', async () => {
    expect(await verdictOn(flip((b) => recordOffset(b, 2) + 1)).then((r) => 'error' in r && r.error)).toMatch(/record 2 .*length CRC mismatch/);
    expect(await verdictOn(flip((b) => recordOffset(b, 2) + 9)).then((r) => 'error' in r && r.error)).toMatch(/record 2 .*length CRC mismatch/);
  });
  test('a flipped bit in a data CRC', async () => {
    expect(await verdictOn(flip((b) => recordOffset(b, 4) - 2)).then((r) => 'error' in r && r.error)).toMatch(/record 3 .*data CRC mismatch/);
  });
  test('a truncated file: the last record is incomplete', async () => {
    expect(await verdictOn((b) => b.subarray(0, b.length - 3))).toMatchObject({ error: expect.stringMatching(/^truncated record \d+ at offset \d+: length \d+, only \d+ bytes left/) });
    expect(await verdictOn((b) => Buffer.concat([b, Buffer.from([1, 2, 3, 4, 5])]))).toMatchObject({ error: expect.stringMatching(/truncated record \d+ .*a header needs 12/) });
  });
  test('a file that does not start with file_version brain.Event:2', async () => {
    expect(await verdictOn((b) => b.subarray(recordOffset(b, 1)))).toMatchObject({ error: expect.stringMatching(/first event's file_version is None/) });
  });
});

describe('bad input is refused before anything is written', () => {
  const w = () => new SummaryWriter(join(dir, 'bad'));
  test.each([
    ['an empty tag', (x: SummaryWriter) => x.addScalar('', 1, 0), ValueError, /addScalar: tag must be a non-empty string/],
    ['a negative step', (x: SummaryWriter) => x.addScalar('a', 1, -1), ValueError, /step must be a non-negative integer, got -1 \(tag 'a'\)/],
    ['a fractional step', (x: SummaryWriter) => x.addScalar('a', 1, 1.5), ValueError, /step must be a non-negative integer, got 1.5/],
    ['a scalar that is not a number', (x: SummaryWriter) => x.addScalar('a', '1' as unknown as number, 0), ValueError, /value of 'a' must be a number, got string/],
    ['bytes that are not a PNG', (x: SummaryWriter) => x.addImage('img', new Uint8Array(40), 0), FormatError, /addImage 'img': not a PNG/],
    ['pixels of the wrong count', (x: SummaryWriter) => x.addImage('img', { width: 2, height: 2, channels: 3, data: new Float32Array(4) }, 0), ValueError, /image data has 4 values; 2x2x3 needs 12/],
    ['float pixels above 1', (x: SummaryWriter) => x.addImage('img', { width: 1, height: 1, channels: 1, data: [255] }, 0), ValueError, /float pixels must lie in \[0, 1\]/],
    ['2 channels', (x: SummaryWriter) => x.addImage('img', { width: 1, height: 1, channels: 2 as 1, data: [0, 0] }, 0), ValueError, /channels must be 1, 3 or 4, got 2/],
  ])('%s', (_, call, ErrorClass, message) => {
    const x = w();
    expect(() => call(x)).toThrow(ErrorClass);
    expect(() => call(x)).toThrow(message);
    x.close();
    expect(summaryValues(readEvents(x.path))).toEqual([]);
  });
  test('histograms of nothing, or of a NaN', async () => {
    const x = w();
    await expect(x.addHistogram('h', [], 0)).rejects.toThrow(/histogram 'h': values are empty/);
    await expect(x.addHistogram('h', [1, 2, 3, NaN], 0)).rejects.toThrow(/histogram 'h': values\[3\] is NaN; every value must be a finite number/);
    expect(() => histogram('h', [1], 0)).toThrow(/buckets must be a positive integer, got 0/);
    x.close();
  });
  test('an unknown option, a closed writer, an empty logdir', () => {
    expect(() => new SummaryWriter(join(dir, 'bad'), { flushSecs: 10 } as object)).toThrow(/SummaryWriter: unknown option 'flushSecs'/);
    expect(() => new SummaryWriter('')).toThrow(/logdir must be a non-empty path/);
    const x = w();
    x.close();
    x.close();
    expect(() => x.addScalar('a', 1, 0)).toThrow(/the writer is closed/);
  });
});

test('addHistogram reads a tensor back first', async () => {
  const sg = await import('../../src/node/index.js');
  await sg.init();
  try {
    const x = sg.tensor([[1, 2, 3], [4, 5, 6]]);
    const w = new SummaryWriter(join(dir, 'tensor'));
    await w.addHistogram('x', x.mul(2), 1);
    w.close();
    const [[step, v]] = summaryValues(readEvents(w.path));
    expect(step).toBe(1);
    expect(v.histo).toMatchObject({ min: 2, max: 12, num: 6, sum: 42, sum_squares: 364 });
  } finally {
    sg.destroy();
  }
});
