// Loaded (--import) into the CLI process that bin/shadergrad.js starts.
import tty from 'node:tty';

// The wrapper reads this process's fd 2 to drop Dawn's adapter notices (scripts/dawn-stderr.mjs). When
// its own stderr is a terminal it passes that terminal in as well: JS's process.stderr writes there
// directly, so the progress bar still sees a TTY and only native output takes the filtered path.
const ttyFd = Number(process.env.SHADERGRAD_STDERR_TTY_FD);
delete process.env.SHADERGRAD_STDERR_TTY_FD; // not for this process's own children
if (Number.isInteger(ttyFd) && tty.isatty(ttyFd)) {
  const stderr = new tty.WriteStream(ttyFd);
  Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get: () => stderr });
}

// The wrapper's IPC channel closes when it dies, SIGKILL included: stop as a SIGTERM would stop us.
const stop = () => process.kill(process.pid, 'SIGTERM');
if (process.channel) {
  process.on('disconnect', stop);
  process.channel.unref(); // the channel alone must not keep this process alive
  if (!process.connected) stop(); // the wrapper died before this line ran
}
