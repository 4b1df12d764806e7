#!/usr/bin/env node
// Launches src/cli/main.ts in a Node process with tsx's loader and the hook that imports .wgsl files
// as text (scripts/register-wgsl.mjs), so `npx shadergrad train` works straight from a checkout.
// The wrapper is transparent: SIGINT, SIGTERM and SIGHUP pass on to the CLI, whose exit status (or
// signal) becomes this process's; the CLI stops when the wrapper dies, SIGKILL included
// (scripts/cli-child.mjs); its stderr arrives without Dawn's two adapter notices (scripts/dawn-stderr.mjs).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { forwardWithoutDawnNotices, relayToChild } from '../scripts/dawn-stderr.mjs';

const root = new URL('../', import.meta.url);
const args = [
  '--import', new URL('scripts/cli-child.mjs', root).href, // first: the sooner it watches the wrapper, the better
  '--import', import.meta.resolve('tsx'),
  '--import', new URL('scripts/register-wgsl.mjs', root).href,
  fileURLToPath(new URL('src/cli/main.ts', root)),
  ...process.argv.slice(2),
];
const terminal = process.stderr.isTTY === true;
const env = { XDG_RUNTIME_DIR: '/tmp', ...process.env, ...(terminal ? { SHADERGRAD_STDERR_TTY_FD: '4' } : {}) };
// fd 2: piped through the filter; fd 3: the IPC channel whose closing tells the CLI we are gone;
// fd 4 (terminals only): this process's stderr, for the CLI's own writes
const child = spawn(process.execPath, args, { stdio: ['inherit', 'inherit', 'pipe', 'ipc', ...(terminal ? [2] : [])], env });
const stderrDone = forwardWithoutDawnNotices(child.stderr, process.stderr);

relayToChild(child, stderrDone);
