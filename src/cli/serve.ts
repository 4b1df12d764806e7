// `shadergrad serve`: starts the server of src/serve/server.ts on a GPU device and runs until SIGINT/SIGTERM,
// then answers what is in flight, closes, and releases the device.
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
  await sg.init();
  const { checkpoint, onnx, model, hidden, json, ...rest } = options;
  const source = checkpoint || onnx ? { checkpoint, onnx, model, hidden } : undefined;
  let server;
  try {
    server = await startServer({ ...rest, name: options.name ?? model ?? 'model', source, log: (line) => console.error(`serve: ${line}`) });
  } catch (e) {
    sg.destroy();
    throw e;
  }
  const latest = server.repository.latest;
  const name = options.name ?? model ?? 'model';
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
