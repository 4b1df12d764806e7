#!/usr/bin/env node
// Launches src/cli/main.ts in a Node process with tsx's loader and the hook that imports .wgsl files
// as text (scripts/register-wgsl.mjs), so `npx shadergrad train` works straight from a checkout.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const args = [
  '--import', import.meta.resolve('tsx'),
  '--import', new URL('scripts/register-wgsl.mjs', root).href,
  fileURLToPath(new URL('src/cli/main.ts', root)),
  ...process.argv.slice(2),
];
const child = spawn(process.execPath, args, { stdio: 'inherit', env: { XDG_RUNTIME_DIR: '/tmp', ...process.env } });
child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
