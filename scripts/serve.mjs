// `npm run demo`: builds the browser bundles, then serves the repository on localhost (WebGPU needs a
// secure context, and http://localhost is one). `node scripts/serve.mjs [port]`, or PORT=...; 0 = any.
// Static files only, GET/HEAD, nothing outside the repository, no caching (pages change as you rebuild).
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, build } from './build.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wgsl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.safetensors': 'application/octet-stream',
};

/** Starts the static server; resolves with its URL and a close(). */
export function startServer({ port = 8080, host = '127.0.0.1', root = ROOT } = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const send = (status, text) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(400, 'bad request');
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return send(403, 'forbidden');
    let stat;
    try {
      stat = statSync(file);
      if (stat.isDirectory()) {
        if (!path.endsWith('/')) {
          res.writeHead(301, { location: `${path}/` });
          return res.end();
        }
        file = join(file, 'index.html');
        stat = statSync(file);
      }
    } catch {
      return send(404, `not found: ${path}`);
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': stat.size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({
        url: `http://localhost:${actual}/`,
        port: actual,
        close: () => new Promise((r) => server.close(() => r())),
        server,
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  try {
    await build();
  } catch (e) {
    for (const m of e.errors ?? []) console.error(`error: ${m.text}`);
    if (!e.errors?.length) console.error(e.message ?? e);
    process.exit(1);
  }
  const { url } = await startServer({ port }).catch((e) => {
    console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: try \`npm run demo -- 0\` (any free port) or PORT=8090` : e.message);
    process.exit(1);
  });
  console.log(`shadergrad demos at ${url}  (WebGPU needs Chrome/Edge 113+; Ctrl+C stops)`);
}
