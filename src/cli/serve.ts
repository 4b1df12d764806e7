// `shadergrad serve`: starts the server of src/serve/server.ts on a GPU device and runs until SIGINT/SIGTERM,
// then answers what is in flight, closes, and releases the device.
import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { parseCheckpoint } from '../io/checkpoint.js';
import * as sg from '../node/index.js';
import { startServer, type ServeOptions } from '../serve/server.js';
import { printJsonLine } from './json-line.js';

export interface ServeCommandOptions extends Omit<ServeOptions, 'name' | 'source' | 'log'> {
  name?: string;
  checkpoint?: string;
  onnx?: string;
  model?: string;
  hidden?: number;
  json?: boolean;
}

export async function serve(options: ServeCommandOptions): Promise<void> {
  const given = [options.checkpoint && '--checkpoint', options.onnx && '--onnx', options.modelDir && '--model-dir'].filter(Boolean);
  if (given.length !== 1) throw new sg.ValueError(`serve: give exactly one of --checkpoint FILE, --onnx FILE, --model-dir DIR${given.length ? ` (got ${given.join(' and ')})` : ''}`);
  const name = options.name ?? (await defaultName(options));
  await sg.init();
  const { checkpoint, onnx, model, hidden, json, ...rest } = options;
  const source = checkpoint || onnx ? { checkpoint, onnx, model, hidden } : undefined;
  let server;
  try {
    server = await startServer({ ...rest, name, source, log: (line) => console.error(`serve: ${line}`) });
  } catch (e) {
    sg.destroy();
    throw e;
  }
  const latest = server.repository.latest;
  console.log(`serving '${name}' (${latest.predictor.kind}, version ${latest.version}) at ${server.url}/v1/models/${name}:predict${options.cors ? ` (CORS: ${options.cors})` : ''}`);
  if (json) printJsonLine({ command: 'serve', model: latest.predictor.kind, url: server.url, name, metrics: { version: latest.version, max_batch: options.maxBatch ?? null, max_wait_ms: options.maxWaitMs ?? null } });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  sg.destroy();
}

/** The URL's model name without --name: the model a checkpoint holds (lenet, mlp, ...), an ONNX file's or a model directory's own name (as TF Serving names a model after its base path). */
async function defaultName(o: ServeCommandOptions): Promise<string> {
  if (o.modelDir) return basename(resolve(o.modelDir));
  if (o.onnx) return basename(o.onnx, extname(o.onnx));
  const extra = (parseCheckpoint(await readFile(o.checkpoint!)).extra ?? {}) as { model?: unknown };
  return o.model ?? (typeof extra.model === 'string' ? extra.model : 'model');
}
