// The README's `npm install`, as a new user runs it: a fresh clone of HEAD, no environment variables
// (no ONNXRUNTIME_NODE_INSTALL, no npm_config_*), no user npm config, and no network (--offline, from
// the npm cache). It must exit 0 without warnings, and what the install scripts set up must work.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function run(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv) {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 290_000 });
}

const npmCache = run('npm', ['config', 'get', 'cache'], root).stdout.trim();

type LockEntry = {
  integrity?: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  link?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

/** The lockfile's packages that npm installs on this platform and whose tarball is not in the npm cache. */
function uncachedPackages(): string[] {
  const packages = (JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
  // npm's os/cpu fields: allowed values, or only exclusions ("!win32")
  const fits = (list: string[] | undefined, value: string) =>
    !list || list.includes(value) || (list.every((v) => v.startsWith('!')) && !list.includes(`!${value}`));
  const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header;
  const libc = process.platform !== 'linux' ? undefined : header.glibcVersionRuntime ? 'glibc' : 'musl';
  // Node's resolution over the lockfile's paths: nearest node_modules/<name> from `from` upwards
  const resolveFrom = (from: string, name: string): string | undefined => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (packages[candidate]) return candidate;
      if (!dir) return undefined;
    }
  };
  // walk from the root through what fits this platform (a wasm32-only fallback pulls in nothing here)
  const installed = new Set<string>();
  const pending = [''];
  while (pending.length) {
    const path = pending.pop()!;
    const p = packages[path];
    if (installed.has(path) || !fits(p.os, process.platform) || !fits(p.cpu, process.arch) || (libc && !fits(p.libc, libc))) continue;
    installed.add(path);
    const names = [p.dependencies, p.optionalDependencies, path === '' ? p.devDependencies : undefined].flatMap((d) => Object.keys(d ?? {}));
    for (const name of names) {
      const target = resolveFrom(path, name);
      if (target) pending.push(target);
    }
  }
  const missing: string[] = [];
  for (const path of installed) {
    const integrity = packages[path].integrity;
    if (!integrity) continue;
    // cacache stores a tarball under content-v2/<algorithm>/<hex digest, split 2/2/rest>
    const [algorithm, base64] = integrity.split(' ')[0].split(/-(.*)/s);
    const hex = Buffer.from(base64, 'base64').toString('hex');
    if (!existsSync(join(npmCache, '_cacache', 'content-v2', algorithm, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4)))) {
      missing.push(path.replace(/^.*node_modules\//, ''));
    }
  }
  return missing;
}

const missing = uncachedPackages();
const skipReason = missing.length
  ? `the npm cache (${npmCache}) lacks ${missing.length} of the lockfile's packages (${missing.slice(0, 3).join(', ')}…): run \`npm install\` online once`
  : '';
if (skipReason) console.warn(`tests/install/clean-install.test.ts skipped: ${skipReason}`);

const work = mkdtempSync(join(tmpdir(), 'shadergrad-clean-install-'));
// a fresh node_modules takes tens of seconds to delete on a loaded disk: let a detached rm do it
afterAll(() => {
  if (process.platform === 'win32') rmSync(work, { recursive: true, force: true });
  else spawn('rm', ['-rf', work], { detached: true, stdio: 'ignore' }).unref();
});

test.skipIf(skipReason !== '')('npm install in a fresh clone succeeds offline, quietly, with no variables set', () => {
  const head = run('git', ['rev-parse', 'HEAD'], root).stdout.trim();
  const clone = join(work, 'shadergrad');
  // --shared borrows the objects instead of copying them; the clone holds HEAD, not uncommitted edits
  const cloned = run('git', ['clone', '--quiet', '--shared', '--no-checkout', root, clone], work);
  expect(cloned.status, cloned.stderr).toBe(0);
  expect(run('git', ['checkout', '--quiet', head], clone).status).toBe(0);

  // what a fresh login shell has: no npm_config_*, no ONNXRUNTIME_NODE_INSTALL, an empty user .npmrc
  const userconfig = join(work, 'empty-npmrc');
  writeFileSync(userconfig, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    npm_config_userconfig: userconfig,
    npm_config_cache: npmCache,
  };
  const started = performance.now();
  const install = run('npm', ['install', '--offline', '--ignore-scripts=false', '--no-audit', '--no-fund'], clone, env);
  const seconds = (performance.now() - started) / 1000;
  const output = `${install.stdout}\n${install.stderr}`;
  console.log(`clean install: exit ${install.status} in ${seconds.toFixed(1)} s`);
  expect(install.status, output).toBe(0);
  // quiet: no unreviewed install scripts, no unknown config, nothing else npm warns about
  expect(output.split('\n').filter((line) => /^npm (warn|error)/i.test(line))).toEqual([]);

  // the oracle loads (its CPU build ships in the package; the denied postinstall only fetches CUDA's)
  const ort = run('node', ['-e', 'const o = require("onnxruntime-node"); if (!o.InferenceSession) process.exit(1)'], clone, env);
  expect(ort.status, ort.stderr).toBe(0);
  // esbuild's approved postinstall ran: bin/esbuild is the native binary of the installed version
  const esbuildVersion = JSON.parse(readFileSync(join(clone, 'node_modules/esbuild/package.json'), 'utf8')).version;
  const esbuild = run(join(clone, 'node_modules/esbuild/bin/esbuild'), ['--version'], clone, env);
  expect(esbuild.stdout.trim(), esbuild.stderr).toBe(esbuildVersion);
  if (process.platform !== 'win32') {
    expect(readFileSync(join(clone, 'node_modules/esbuild/bin/esbuild')).subarray(0, 2).toString('latin1')).not.toBe('#!');
  }
  // webgpu's native module loads
  const webgpu = run('node', ['--input-type=module', '-e', 'import { create } from "webgpu"; if (typeof create !== "function") process.exit(1)'], clone, env);
  expect(webgpu.status, webgpu.stderr).toBe(0);
}, 300_000);
