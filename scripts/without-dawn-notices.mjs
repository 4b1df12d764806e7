#!/usr/bin/env node
// Runs a command (`node scripts/without-dawn-notices.mjs vitest run`) with its stderr piped through the
// filter that drops Dawn's two adapter notices (scripts/dawn-stderr.mjs); stdout, every other stderr
// byte, the exit status and SIGINT/SIGTERM/SIGHUP pass through. npm test and npm run bench use it, as
// bin/shadergrad.js does for the CLI: the notices are printed by native code that no JS can intercept.
import { spawn } from 'node:child_process';
import { forwardWithoutDawnNotices, relayToChild } from './dawn-stderr.mjs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/without-dawn-notices.mjs COMMAND [ARGS...]');
  process.exit(2);
}
const child = spawn(command, args, { stdio: ['inherit', 'inherit', 'pipe'], env: { XDG_RUNTIME_DIR: '/tmp', ...process.env } });
const stderrDone = forwardWithoutDawnNotices(child.stderr, process.stderr);
child.on('error', (e) => {
  console.error(`cannot run ${command}: ${e.message}`);
  process.exit(127);
});
relayToChild(child, stderrDone);
