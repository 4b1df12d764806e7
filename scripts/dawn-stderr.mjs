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
