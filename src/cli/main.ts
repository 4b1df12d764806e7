// The `shadergrad` command: `shadergrad train` (MNIST) and `shadergrad info` (the adapter).
// Run with `tsx --import ./scripts/register-wgsl.mjs src/cli/main.ts <command>` or `npx shadergrad <command>`.
import { Command, InvalidArgumentError, Option } from 'commander';
import { MODELS, OPTIMIZERS, type OptimizerName } from './models.js';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer.`);
    return n;
  };
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('seed must be an integer.');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('lr must be a positive number.');
  return n;
}

const program = new Command('shadergrad')
  .description('A neural-network engine whose every tensor op is a hand-written WGSL compute shader.')
  .showHelpAfterError();

program
  .command('train')
  .description('Train a model on MNIST (9,000 train / 1,000 held-out test digits) and report test accuracy.')
  .addOption(new Option('--model <name>', 'model to train').choices(Object.keys(MODELS)).default('mlp'))
  .option('--epochs <n>', 'passes over the training digits', positiveInt('epochs'), 4)
  .option('--batch-size <n>', 'samples per step', positiveInt('batch-size'), 64)
  .option('--lr <rate>', 'learning rate (default: 2e-3 for adam and adamw, 5e-2 for sgd)', positiveNumber)
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(Object.keys(OPTIMIZERS)).default('adam'))
  .option('--seed <n>', 'seed of the initial weights and of the data order', integer, 0)
  .option('--hidden <n>', 'hidden width (default: per model, 256 for mlp)', positiveInt('hidden'))
  .option('--quiet', 'print only the final line', false)
  .option('--checkpoint <path>', 'save model, optimizer and position here after every epoch (atomically)')
  .option('--resume <path>', 'continue the run saved in this checkpoint (same --model, --hidden, --optimizer)')
  .action(async (o: { model: string; epochs: number; batchSize: number; lr?: number; optimizer: OptimizerName; seed: number; hidden?: number; quiet: boolean; checkpoint?: string; resume?: string }) => {
    const { train } = await import('./train.js'); // loads the engine only when needed
    await train(o);
  });

program
  .command('export')
  .description('Write a trained model (from a `train --checkpoint` file) as ONNX.')
  .requiredOption('--onnx <path>', 'ONNX file to write')
  .requiredOption('--checkpoint <path>', 'checkpoint to export')
  .option('--model <name>', 'model, when the checkpoint does not say')
  .option('--hidden <n>', 'hidden width, when the checkpoint does not say', positiveInt('hidden'))
  .action(async (o: { onnx: string; checkpoint: string; model?: string; hidden?: number }) => {
    const { exportOnnx } = await import('./export.js');
    await exportOnnx(o);
  });

program
  .command('info')
  .description('Print the WebGPU adapter shadergrad uses here, its features and limits.')
  .option('--json', 'print JSON', false)
  .action(async (o: { json: boolean }) => {
    const { info } = await import('./info.js');
    await info(o);
  });

try {
  await program.parseAsync(process.argv);
  process.exit(0); // the Dawn instance may keep the event loop alive after the device is destroyed
} catch (e) {
  console.error(`shadergrad: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
}
