#!/usr/bin/env node
// Renders a bench results JSON (bench/results/*.json) to a PNG bar chart: per case, the best shadergrad
// variant next to TF.js, bars as throughput relative to the faster of the two, with ms and the ratio.
// Usage: node scripts/bench-chart.mjs <results.json> [out.png]   (default: the JSON's path with .png)
// Text is drawn with the 5x7 bitmap font below (upper case), so pngjs is the only dependency.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

// 5x7 glyphs: 7 rows of 5 bits, most significant bit leftmost.
const FONT = {
  ' ': [0, 0, 0, 0, 0, 0, 0],
  A: [14, 17, 17, 31, 17, 17, 17], B: [30, 17, 17, 30, 17, 17, 30], C: [14, 17, 16, 16, 16, 17, 14],
  D: [30, 17, 17, 17, 17, 17, 30], E: [31, 16, 16, 30, 16, 16, 31], F: [31, 16, 16, 30, 16, 16, 16],
  G: [14, 17, 16, 23, 17, 17, 15], H: [17, 17, 17, 31, 17, 17, 17], I: [14, 4, 4, 4, 4, 4, 14],
  J: [7, 2, 2, 2, 2, 18, 12], K: [17, 18, 20, 24, 20, 18, 17], L: [16, 16, 16, 16, 16, 16, 31],
  M: [17, 27, 21, 21, 17, 17, 17], N: [17, 17, 25, 21, 19, 17, 17], O: [14, 17, 17, 17, 17, 17, 14],
  P: [30, 17, 17, 30, 16, 16, 16], Q: [14, 17, 17, 17, 21, 18, 13], R: [30, 17, 17, 30, 20, 18, 17],
  S: [15, 16, 16, 14, 1, 1, 30], T: [31, 4, 4, 4, 4, 4, 4], U: [17, 17, 17, 17, 17, 17, 14],
  V: [17, 17, 17, 17, 17, 10, 4], W: [17, 17, 17, 21, 21, 21, 10], X: [17, 17, 10, 4, 10, 17, 17],
  Y: [17, 17, 10, 4, 4, 4, 4], Z: [31, 1, 2, 4, 8, 16, 31],
  0: [14, 17, 19, 21, 25, 17, 14], 1: [4, 12, 4, 4, 4, 4, 14], 2: [14, 17, 1, 2, 4, 8, 31],
  3: [31, 2, 4, 2, 1, 17, 14], 4: [2, 6, 10, 18, 31, 2, 2], 5: [31, 16, 30, 1, 1, 17, 14],
  6: [6, 8, 16, 30, 17, 17, 14], 7: [31, 1, 2, 4, 8, 8, 8], 8: [14, 17, 17, 14, 17, 17, 14],
  9: [14, 17, 17, 15, 1, 2, 12],
  '.': [0, 0, 0, 0, 0, 12, 12], ',': [0, 0, 0, 0, 12, 4, 8], '-': [0, 0, 0, 31, 0, 0, 0],
  '+': [0, 4, 4, 31, 4, 4, 0], '*': [0, 4, 21, 14, 21, 4, 0], '/': [0, 1, 2, 4, 8, 16, 0],
  ':': [0, 12, 12, 0, 12, 12, 0], '%': [24, 25, 2, 4, 8, 19, 3], '(': [2, 4, 8, 8, 8, 4, 2],
  ')': [8, 4, 2, 2, 2, 4, 8], '=': [0, 0, 31, 0, 31, 0, 0], '_': [0, 0, 0, 0, 0, 0, 31],
  '~': [0, 0, 8, 21, 2, 0, 0], '<': [2, 4, 8, 16, 8, 4, 2], '>': [8, 4, 2, 1, 2, 4, 8], '?': [14, 17, 1, 2, 4, 0, 4],
};

const SCALE = 2;
const CHAR_W = 6 * SCALE;
const LINE_H = 9 * SCALE;

export const LAYOUT = { width: 1400, top: 110, rowH: 2 * 22 + 16, bottom: 40, labelW: 520, barH: 22 };

const COLORS = { bg: [255, 255, 255], text: [20, 20, 20], ours: [46, 110, 200], peer: [240, 140, 40], grid: [225, 225, 225], dim: [110, 110, 110] };

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}
const okMs = (e) => (e && e.status === 'ok' && e.wallMs.length ? median(e.wallMs) : NaN);

/** Per case: the fastest validated entry of ours and the peer's median ms. */
export function chartRows(record) {
  return record.results
    .map((r) => {
      let best = null;
      for (const e of r.entries) if (okMs(e) < (okMs(best) || Infinity)) best = e;
      return { label: `${r.family} ${r.case}`, variant: best?.name ?? '-', ours: okMs(best), peer: okMs(r.peer) };
    })
    .filter((r) => Number.isFinite(r.ours) || Number.isFinite(r.peer));
}

export function chartSize(rowCount) {
  return { width: LAYOUT.width, height: LAYOUT.top + rowCount * LAYOUT.rowH + LAYOUT.bottom };
}

class Canvas {
  constructor(width, height) {
    this.png = new PNG({ width, height });
    this.rect(0, 0, width, height, COLORS.bg);
  }
  rect(x, y, w, h, [r, g, b]) {
    const { width, height, data } = this.png;
    for (let yy = Math.max(0, Math.floor(y)); yy < Math.min(height, Math.floor(y + h)); yy++)
      for (let xx = Math.max(0, Math.floor(x)); xx < Math.min(width, Math.floor(x + w)); xx++) {
        const i = (yy * width + xx) * 4;
        data[i] = r; data[i + 1] = g; data[i + 2] = b; data[i + 3] = 255;
      }
  }
  text(x, y, s, color = COLORS.text, maxChars = Infinity) {
    let str = String(s).toUpperCase().replace(/×/g, 'X').replace(/µ/g, 'U');
    if (str.length > maxChars) str = str.slice(0, maxChars - 2) + '..';
    for (const ch of str) {
      const glyph = FONT[ch] ?? FONT['?'];
      glyph.forEach((bits, row) => {
        for (let col = 0; col < 5; col++) if (bits & (16 >> col)) this.rect(x + col * SCALE, y + row * SCALE, SCALE, SCALE, color);
      });
      x += CHAR_W;
    }
    return x;
  }
}

const fmtMs = (ms) => (Number.isFinite(ms) ? (ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3)) + ' MS' : 'N/A');

export function renderChart(record) {
  const rows = chartRows(record);
  const { width, height } = chartSize(rows.length);
  const c = new Canvas(width, height);
  const L = LAYOUT;
  c.text(16, 14, `shadergrad vs ${record.peer ?? 'no peer'}`);
  c.text(16, 14 + LINE_H, String(record.device).slice(0, 100), COLORS.dim);
  c.text(16, 14 + 2 * LINE_H, `${String(record.date).slice(0, 10)}  bars: speed relative to the faster of the two (longer = faster)`, COLORS.dim);
  c.rect(16, 14 + 3 * LINE_H + 6, 14, 14, COLORS.ours);
  c.text(36, 14 + 3 * LINE_H + 6, 'shadergrad (best variant)');
  c.rect(380, 14 + 3 * LINE_H + 6, 14, 14, COLORS.peer);
  c.text(400, 14 + 3 * LINE_H + 6, 'TF.js');
  const barX = L.labelW;
  const barMax = width - barX - 330;
  rows.forEach((r, i) => {
    const y = L.top + i * L.rowH;
    c.rect(0, y + L.rowH - 4, width, 1, COLORS.grid);
    c.text(12, y + 4, r.label, COLORS.text, Math.floor((L.labelW - 20) / CHAR_W));
    c.text(12, y + 4 + LINE_H, r.variant, COLORS.dim, Math.floor((L.labelW - 20) / CHAR_W));
    const fastest = Math.min(...[r.ours, r.peer].filter(Number.isFinite));
    [[r.ours, COLORS.ours], [r.peer, COLORS.peer]].forEach(([ms, color], k) => {
      const by = y + k * L.barH;
      const len = Number.isFinite(ms) ? Math.max(2, (barMax * fastest) / ms) : 0;
      c.rect(barX, by + 2, len, L.barH - 6, color);
      c.text(barX + len + 8, by + 4, fmtMs(ms), COLORS.text);
    });
    if (Number.isFinite(r.ours) && Number.isFinite(r.peer)) c.text(width - 150, y + 14, `${(r.peer / r.ours).toFixed(2)}x`, r.peer >= r.ours ? COLORS.ours : COLORS.peer);
  });
  return PNG.sync.write(c.png);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [input, output] = process.argv.slice(2);
  if (!input) {
    console.error('usage: node scripts/bench-chart.mjs <results.json> [out.png]');
    process.exit(2);
  }
  const out = output ?? input.replace(/\.json$/, '') + '.png';
  writeFileSync(out, renderChart(JSON.parse(readFileSync(input, 'utf8'))));
  console.log(`wrote ${out}`);
}
