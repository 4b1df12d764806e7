// Dawn prints two lines from native code, straight to fd 2, whenever it discovers a Vulkan adapter whose
// dynamic-buffer limits exceed its internal cap (lavapipe reports 1,000,000; Dawn keeps 16, WebGPU's
// default is 8 and 4; shadergrad uses no dynamic offsets). They come from requestAdapter(), before any
// device or limit is requested, so no request avoids them and no JS code can intercept a native write.
// A parent process is the one place to drop them: exactly these two lines, whole lines only; every
// other byte passes through unchanged and in order.
const NOTICE = /^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.\r?$/;
const PREFIX = 'Warning: maxDynamic';

/** Copies `from` (a child's stderr) to `to`, without Dawn's two limit notices. Resolves at the end. */
export function forwardWithoutDawnNotices(from, to) {
  let tail = '';
  from.setEncoding('utf8');
  from.on('data', (chunk) => {
    const lines = (tail + chunk).split('\n');
    tail = lines.pop();
    let out = lines.filter((line) => !NOTICE.test(line)).map((line) => `${line}\n`).join('');
    // a partial line is held back only while it may still become a notice
    if (!(PREFIX.startsWith(tail) || tail.startsWith(PREFIX))) {
      out += tail;
      tail = '';
    }
    if (out) to.write(out);
  });
  return new Promise((resolve) => {
    from.on('end', () => {
      if (tail && !NOTICE.test(tail)) to.write(tail);
      resolve();
    });
  });
}

/**
 * Makes this process a transparent parent of `child`: SIGINT, SIGTERM and SIGHUP pass on to it, and when
 * it exits this process exits the same way (its code, or the same signal, so a shell sees 128 + n) once
 * `stderrDone` (the filtered stderr) has drained, waiting at most a second for a grandchild holding the pipe.
 */
export function relayToChild(child, stderrDone) {
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const pass = (signal) => child.kill(signal);
  for (const signal of forwarded) process.on(signal, pass);
  child.on('exit', async (code, signal) => {
    await Promise.race([stderrDone, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    if (signal) {
      for (const s of forwarded) process.off(s, pass);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}
