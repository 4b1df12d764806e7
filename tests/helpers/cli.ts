// Running the `shadergrad` command in tests: the result of one run, and the JSON line a --json run ends with.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';

const bin = resolve(import.meta.dirname, '../../bin/shadergrad.js');

/** Runs `shadergrad ...args` (stdout and stderr as text). */
export function shadergrad(args: string[], timeout = 280_000) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout });
}

/** Runs `shadergrad ...args`, expects exit 0 and returns the parsed last stdout line. */
export function lastJson(args: string[]): Record<string, any> {
  const r = shadergrad(args);
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}
