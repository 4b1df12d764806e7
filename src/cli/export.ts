// `shadergrad export --onnx out.onnx --checkpoint ckpt` or `--torch DIR --checkpoint ckpt`: rebuilds the
// model a checkpoint was trained as (model name and hidden size are in the checkpoint; --model/--hidden
// override), loads its weights, and writes an ONNX file (opset 17, batch dimension symbolic) or a PyTorch
// hand-off: DIR/model.py (the twin nn.Module, src/torch/twins.ts), DIR/model.safetensors (the state dict,
// PyTorch's keys) and DIR/train_ddp.py (continues training under DDP).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LSTMForecaster } from '../models/forecaster.js';
import { writeFileAtomic } from '../node/files.js';
import * as sg from '../node/index.js';
import { torchModelSource } from '../torch/twins.js';
import { trainScript } from '../torch/train-script.js';
import { printJsonLine } from './json-line.js';
import { checkpointModel } from './checkpoint-model.js';

export interface ExportOptions {
  onnx?: string;
  torch?: string;
  checkpoint: string;
  model?: string;
  hidden?: number;
  json?: boolean;
}

export async function exportModel(options: ExportOptions): Promise<void> {
  if ((options.onnx === undefined) === (options.torch === undefined))
    throw new sg.ValueError('export: give exactly one of --onnx <file> and --torch <dir>');
  const bytes = await readFile(options.checkpoint);
  const { name, entry, hidden, build } = checkpointModel(bytes, options.checkpoint, options);
  await sg.init();
  try {
    const model = build(sg);
    const config = { hidden: hidden ?? null };
    if (options.onnx !== undefined) {
      const onnx = await sg.onnx.exportModel(model, sg.zeros([1, ...entry.sampleShape]));
      await writeFileAtomic(options.onnx, onnx);
      console.log(`wrote ${options.onnx}: ${name} (hidden ${hidden}), input [batch, ${entry.sampleShape.join(', ')}], ${onnx.length} bytes`);
      if (options.json) printJsonLine({ command: 'export', model: name, onnx: options.onnx, config, metrics: { bytes: onnx.length } });
      return;
    }
    const dir = options.torch!;
    const source = new TextEncoder().encode(torchModelSource(model)); // refuses a module without a twin before writing anything
    const weights = new Uint8Array(await sg.save(model.stateDict()));
    const script = new TextEncoder().encode(trainScript(name, model instanceof LSTMForecaster ? 'mse' : 'cross_entropy'));
    await mkdir(dir, { recursive: true });
    const files: [string, Uint8Array][] = [['model.py', source], ['model.safetensors', weights], ['train_ddp.py', script]];
    for (const [file, data] of files) await writeFileAtomic(join(dir, file), data);
    const total = files.reduce((n, [, d]) => n + d.length, 0);
    const parameters = model.parameters().reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    console.log(`wrote ${dir}/{model.py, model.safetensors, train_ddp.py}: ${name} (hidden ${hidden}), ${parameters} parameters, ${total} bytes`);
    if (options.json) printJsonLine({ command: 'export', model: name, torch: dir, config, metrics: { bytes: total, files: files.length, parameters } });
  } finally {
    sg.destroy();
  }
}
