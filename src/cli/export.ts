// `shadergrad export --onnx out.onnx --checkpoint ckpt`: rebuilds the model a checkpoint was trained as
// (model name and hidden size are in the checkpoint; --model/--hidden override), loads its weights, and
// writes an ONNX file (opset 17, batch dimension symbolic).
import { readFile } from 'node:fs/promises';
import { parseCheckpoint, restoreCheckpoint } from '../io/checkpoint.js';
import { writeFileAtomic } from '../node/files.js';
import * as sg from '../node/index.js';
import { printJsonLine } from './json-line.js';
import { MODELS } from './models.js';

export interface ExportOptions {
  onnx: string;
  checkpoint: string;
  model?: string;
  hidden?: number;
  json?: boolean;
}

export async function exportOnnx(options: ExportOptions): Promise<void> {
  const bytes = await readFile(options.checkpoint);
  const extra = (parseCheckpoint(bytes).extra ?? {}) as { model?: string; hidden?: number };
  const name = options.model ?? extra.model;
  if (!name) throw new Error(`${options.checkpoint} does not say which model it holds: pass --model (${Object.keys(MODELS).join(', ')})`);
  const entry = MODELS[name];
  if (!entry) throw new Error(`unknown model '${name}' (known: ${Object.keys(MODELS).join(', ')})`);
  const hidden = options.hidden ?? extra.hidden ?? entry.defaultHidden;
  await sg.init();
  try {
    const model = entry.build(sg, { hidden });
    restoreCheckpoint(bytes, { model });
    model.eval();
    const onnx = await sg.onnx.exportModel(model, sg.zeros([1, ...entry.sampleShape]));
    await writeFileAtomic(options.onnx, onnx);
    console.log(`wrote ${options.onnx}: ${name} (hidden ${hidden}), input [batch, ${entry.sampleShape.join(', ')}], ${onnx.length} bytes`);
    if (options.json) printJsonLine({ command: 'export', model: name, onnx: options.onnx, config: { hidden: hidden ?? null }, metrics: { bytes: onnx.length } });
  } finally {
    sg.destroy();
  }
}
