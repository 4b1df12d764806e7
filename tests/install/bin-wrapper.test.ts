// bin/shadergrad.js, the `shadergrad` command: a transparent wrapper around the CLI process it starts.
// Its output carries no Dawn notices, its exit status is the CLI's, signals reach the CLI, and killing
// the wrapper (SIGKILL included) leaves no CLI process behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
// @ts-expect-error a plain .mjs script, no types
import { forwardWithoutDawnNotices } from '../../scripts/dawn-stderr.mjs';

const bin = resolve(import.meta.dirname, '../../bin/shadergrad.js');
const notice = (kind: string) =>
  `Warning: maxDynamic${kind}BuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\n`;

describe('Dawn notices', () => {
  test('the two limit notices are dropped, whatever the chunking; every other byte passes in order', async () => {
    const text = `a\n${notice('Uniform')}${notice('Storage')}Warning: something else\npartial`;
    for (const size of [1, 7, 64, text.length]) {
      const from = new PassThrough();
      const to = new PassThrough();
      let out = '';
      to.on('data', (b: Buffer) => (out += b.toString()));
      const done = forwardWithoutDawnNotices(from, to);
      for (let i = 0; i < text.length; i += size) from.write(text.slice(i, i + size));
      from.end();
      await done;
      expect(out, `chunks of ${size}`).toBe('a\nWarning: something else\npartial');
    }
  });

  test('`shadergrad info` prints no Warning: line; a real error still reaches stderr', () => {
    const info = spawnSync(process.execPath, [bin, 'info'], { encoding: 'utf8', timeout: 120_000 });
    expect(info.status, info.stderr).toBe(0);
    expect(`${info.stdout}${info.stderr}`).not.toMatch(/^Warning:/m);
    expect(info.stdout).toMatch(/^adapter /m);
    const bad = spawnSync(process.execPath, [bin, 'train', '--epochs', '0'], { encoding: 'utf8', timeout: 120_000 });
    expect(bad.status).toBe(1); // the CLI's own status
    expect(bad.stderr).toMatch(/epochs must be a positive integer/);
  });

  test('npm test and npm run bench run through the same filter: an adapter request prints no Warning: line', () => {
    const scripts = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')).scripts;
    expect(scripts.test).toMatch(/^node scripts\/without-dawn-notices\.mjs vitest run$/);
    expect(scripts.bench).toMatch(/^node scripts\/without-dawn-notices\.mjs /);
    const runner = resolve(import.meta.dirname, '../../scripts/without-dawn-notices.mjs');
    const webgpu = import.meta.resolve('webgpu');
    // a real adapter request (the notices' source), one other stderr line, and an exit status of its own
    const probe = `const { create, globals } = await import(${JSON.stringify(webgpu)}); Object.assign(globalThis, globals);
      const a = await create([]).requestAdapter(); console.log('adapter', a !== null); console.error('real problem'); process.exit(3);`;
    const r = spawnSync(process.execPath, [runner, process.execPath, '--input-type=module', '-e', probe], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^adapter true$/m);
    expect(r.stderr).toBe('real problem\n');
  });
});

// the CLI process the wrapper started: /proc's ppid field, with zombies counted as gone
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(ppid) === pid && state !== 'Z';
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').slice(-64).match(/\) Z /);
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A failed test must not leave its training run behind. */
function stray(pid: number): void {
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Starts a training run long enough to be interrupted; resolves once the CLI process has been up 1.5 s. */
async function startTraining(): Promise<{ wrapper: ChildProcess; cli: number; exited: Promise<{ code: number | null; signal: string | null }> }> {
  const wrapper = spawn(process.execPath, [bin, 'train', '--model', 'mlp', '--epochs', '50', '--quiet'], { stdio: 'ignore' });
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => wrapper.on('exit', (code, signal) => r({ code, signal })));
  let cli = 0;
  await until('the CLI process', () => ([cli] = childrenOf(wrapper.pid!)).length > 0, 20_000);
  await new Promise((r) => setTimeout(r, 1500));
  expect(alive(cli)).toBe(true);
  return { wrapper, cli, exited };
}

const reason = process.platform === 'linux' ? '' : 'finds the CLI process through /proc (Linux only)';
if (reason) console.warn(`tests/install/bin-wrapper.test.ts signal tests skipped: ${reason}`);

describe.skipIf(reason !== '')('signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} to the wrapper reaches the CLI, and the wrapper ends as the CLI did`, async () => {
      const { wrapper, cli, exited } = await startTraining();
      try {
        wrapper.kill(signal);
        // the CLI has no handler for these: it dies of the signal, and so does the wrapper
        expect(await exited).toEqual({ code: null, signal });
        await until('the CLI to stop', () => !alive(cli), 10_000);
      } finally {
        stray(cli);
      }
    });
  }

  test('SIGKILL of the wrapper leaves no CLI process running', async () => {
    const { wrapper, cli, exited } = await startTraining();
    try {
      wrapper.kill('SIGKILL');
      expect((await exited).signal).toBe('SIGKILL');
      await until('the orphaned CLI to stop', () => !alive(cli), 10_000);
    } finally {
      stray(cli);
    }
  });
});
