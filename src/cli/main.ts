// The `shadergrad` command: train, compare-optimizers, runs, sample, export, classify, serve, info and bench.
// Run with `tsx --import ./scripts/register-wgsl.mjs src/cli/main.ts <command>` or `npx shadergrad <command>`.
import { Command, InvalidArgumentError, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { parseDigits } from './digits.js';
import type { FinetuneOptions as FinetuneArgs } from './finetune.js';
import type { PruneOptions as PruneArgs } from './prune.js';
import type { DistillOptions as DistillArgs } from './distill.js';
import type { QuantizeOptions as QuantizeArgs } from './quantize.js';
import { MODELS, OPTIMIZERS, epochsFor, type OptimizerName } from './models.js';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer.`);
    return n;
  };
}

function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer.`);
    return n;
  };
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('seed must be an integer.');
  return n;
}

/** A commander parser of a number that `ok` accepts; a refusal says `name` must be `want`. */
function numberOption(name: string, ok: (n: number) => boolean, want: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!ok(n)) throw new InvalidArgumentError(`${name} must be ${want}.`);
    return n;
  };
}

const positiveNumber = (name: string) => numberOption(name, (n) => n > 0 && Number.isFinite(n), 'a positive number');
const unitInterval = (name: string) => numberOption(name, (n) => n >= 0 && n <= 1, 'a number in [0, 1]');
const fraction = (name: string) => numberOption(name, (n) => n >= 0 && n < 1, 'a number in [0, 1)');

/** Refuses each of `flags` that is set (given on the command line) for --model `model`, saying why in `why`. */
function refuseFlags(model: string, flags: [string, unknown][], why: string): void {
  for (const [flag, set] of flags) if (set) throw new InvalidArgumentError(`${flag} is not supported for --model ${model} (${why})`);
}

const program = new Command('shadergrad')
  .description('A neural-network engine whose every tensor op is a hand-written WGSL compute shader.')
  .showHelpAfterError();

program
  .command('train')
  .description('Train a model on MNIST (9,000 train / 1,000 held-out test digits) and report test accuracy; charlm on Moby Dick; housing on Boston housing (test RMSE next to least squares); gcn, sage and gat on the karate club (held-out node accuracy); unet on procedural shapes images (held-out mean IoU); detector on canvases of several MNIST digits (held-out mAP@0.5).')
  .addOption(new Option('--model <name>', 'model to train').choices(Object.keys(MODELS)).default('mlp'))
  .option('--epochs <n>', 'passes over the training data (default: per model, 10 for lenet, 6 for vit, 3 for vit-hybrid, mobilenet, densenet, vgg and denoising-ae, 150 for housing, 200 for gcn/sage/gat, 6 for unet, 6 for detector (100 steps each), else 4)', positiveInt('epochs'))
  .option('--batch-size <n>', 'samples per step (housing and detector: 32 unless given)', positiveInt('batch-size'), 64)
  .option('--lr <rate>', 'learning rate (default: 2e-3 for adam and adamw, 5e-2 for sgd; housing without --optimizer: adamw at 3e-3; vit and vit-hybrid without --optimizer: adamw at 2e-3; gcn and sage 1e-2, gat 5e-3; detector 3e-3)', positiveNumber('lr'))
  .addOption(new Option('--optimizer <name>', 'optimizer (housing, vit, vit-hybrid: adamw unless given)').choices(Object.keys(OPTIMIZERS)).default('adam'))
  .option('--seed <n>', 'seed of the initial weights and of the data order', integer, 0)
  .option('--hidden <n>', 'hidden width (default: per model, 256 for mlp)', positiveInt('hidden'))
  .option('--quiet', 'print only the final line', false)
  .option('--checkpoint <path>', 'save model, optimizer and position here after every epoch (atomically)')
  .option('--resume <path>', 'continue the run saved in this checkpoint (same --model, --hidden, --optimizer)')
  .option('--json', 'end with one JSON line: {"command", "model", "config", "metrics"}', false)
  .option('--continue-on-nan', 'go on past a NaN or infinite loss (default: stop at that step)', false)
  .option('--logdir <dir>', 'write TensorBoard event files (loss, accuracy, lr, weight and gradient histograms, input digits) and run.json here: a new folder per run, e.g. runs/NAME')
  .option('--max-steps <n>', 'stop after n optimizer steps (mid-epoch if need be), then evaluate', positiveInt('max-steps'))
  .option('--digits <set>', 'MNIST models: train and test on these classes only, e.g. 0-4 (a transfer task; see `finetune`)', parseDigits)
  .addOption(new Option('--dataset <name>', 'graph to classify the nodes of (gcn, sage, gat; default karate)').choices(['karate']))
  .option('--out <file.png>', 'a PNG of held-out examples — unet: input | truth | prediction; detector: canvases with the predicted boxes; denoising-ae: clean, noisy and denoised digits')
  .action(async (given: { model: string; epochs?: number; batchSize: number; lr?: number; optimizer: OptimizerName; seed: number; hidden?: number; quiet: boolean; checkpoint?: string; resume?: string; json: boolean; continueOnNan: boolean; logdir?: string; maxSteps?: number; digits?: number[]; dataset?: 'karate'; out?: string }, command: Command) => {
    const { out, ...rest } = given;
    const o = { ...rest, epochs: given.epochs ?? epochsFor(given.model) };
    if (out !== undefined && !['segmentation', 'canvases', 'generative'].includes(MODELS[o.model].dataset)) throw new InvalidArgumentError(`--out is for --model unet, detector and denoising-ae, not --model ${o.model}`);
    if (MODELS[o.model].dataset === 'canvases') {
      refuseFlags(o.model, [['--resume', o.resume], ['--continue-on-nan', o.continueOnNan], ['--logdir', o.logdir], ['--digits', o.digits], ['--dataset', o.dataset]], 'it trains in one go; --checkpoint saves its weights');
      if (command.getOptionValueSource('optimizer') !== 'default') throw new InvalidArgumentError(`--optimizer is not supported for --model ${o.model} (Adam with a cosine schedule)`);
      const isGiven = (name: string) => command.getOptionValueSource(name) !== 'default';
      const { trainDetector } = await import('./detector.js');
      return void (await trainDetector({ ...o, out, lr: o.lr ?? MODELS[o.model].recipe!.lr!, batchSize: isGiven('batchSize') ? o.batchSize : MODELS[o.model].recipe!.batchSize! }));
    }
    if (o.digits && MODELS[o.model].dataset !== 'mnist') throw new InvalidArgumentError(`--digits is for the MNIST models, not --model ${o.model}`);
    if (MODELS[o.model].dataset === 'segmentation') {
      refuseFlags(o.model, [['--resume', o.resume], ['--continue-on-nan', o.continueOnNan], ['--logdir', o.logdir], ['--max-steps', o.maxSteps], ['--dataset', o.dataset]], 'it trains in one go; --checkpoint saves its weights');
      if (command.getOptionValueSource('optimizer') !== 'default') throw new InvalidArgumentError(`--optimizer is not supported for --model ${o.model} (Adam with a cosine schedule)`);
      const { trainSegmentation } = await import('./segmentation.js');
      return trainSegmentation({ ...o, model: 'unet', out, batchSize: command.getOptionValueSource('batchSize') !== 'default' ? o.batchSize : undefined });
    }
    if (MODELS[o.model].dataset === 'table') {
      refuseFlags(o.model, [['--resume', o.resume], ['--continue-on-nan', o.continueOnNan], ['--logdir', o.logdir], ['--max-steps', o.maxSteps]], 'it trains in one go; --checkpoint saves its weights');
      const isGiven = (name: string) => command.getOptionValueSource(name) !== 'default'; // housing has its own batch size and optimizer
      const { trainHousing } = await import('./tabular.js');
      return trainHousing({ ...o, model: o.model as 'housing' | 'housing-cls', batchSize: isGiven('batchSize') ? o.batchSize : undefined, optimizer: isGiven('optimizer') ? o.optimizer : undefined });
    }
    if (MODELS[o.model].dataset === 'graph') {
      refuseFlags(o.model, [['--resume', o.resume], ['--continue-on-nan', o.continueOnNan], ['--logdir', o.logdir], ['--max-steps', o.maxSteps]], 'full-batch training in one go; --checkpoint saves its weights');
      for (const name of ['batchSize', 'optimizer'])
        if (command.getOptionValueSource(name) !== 'default') throw new InvalidArgumentError(`--${name === 'batchSize' ? 'batch-size' : 'optimizer'} is not supported for --model ${o.model} (full batch, Adam)`);
      const { trainGraph } = await import('./graph.js');
      return trainGraph({ ...o, model: o.model as 'gcn' | 'sage' | 'gat', dataset: given.dataset ?? 'karate' });
    }
    if (given.dataset !== undefined) throw new InvalidArgumentError(`--dataset is for the graph models (gcn, sage, gat), not --model ${o.model}`);
    if (MODELS[o.model].dataset === 'generative') {
      refuseFlags(o.model, [['--resume', o.resume], ['--continue-on-nan', o.continueOnNan], ['--logdir', o.logdir], ['--max-steps', o.maxSteps]], '--checkpoint saves its weights at the end');
      if (command.getOptionValueSource('optimizer') !== 'default') throw new InvalidArgumentError(`--optimizer is not supported for --model ${o.model} (Adam)`);
      const { trainGenerative } = await import('./generative.js');
      return trainGenerative({ ...o, out, model: o.model as 'denoising-ae' });
    }
    if (MODELS[o.model].dataset === 'text') {
      // charlm saves its weights at the end (--checkpoint) but has no resumable run state or NaN policy yet
      if (o.resume) throw new InvalidArgumentError('--resume is not supported for --model charlm (its --checkpoint holds the weights only)');
      if (o.continueOnNan) throw new InvalidArgumentError('--continue-on-nan is not supported for --model charlm');
      const { trainCharLM } = await import('./charlm.js');
      return trainCharLM(o);
    }
    const { train } = await import('./train.js'); // loads the engine only when needed
    const optimizer = command.getOptionValueSource('optimizer') === 'default' ? (MODELS[o.model].recipe?.optimizer ?? o.optimizer) : o.optimizer;
    await train({ ...o, optimizer });
  });

program
  .command('finetune')
  .description('Adapt a trained MNIST model (a `train --checkpoint` file) to other digits: a new head, then every layer trained (default), the backbone frozen (--freeze backbone), or LoRA adapters over the frozen model (--lora-rank r).')
  .requiredOption('--checkpoint <path>', 'the pre-trained model, e.g. from `train --model lenet --digits 0-4 --checkpoint f`')
  .requiredOption('--digits <set>', 'the classes to adapt to, e.g. 5-9', parseDigits)
  .option('--lora-rank <r>', 'train rank-r LoRA adapters (and the new head) over the frozen model', positiveInt('lora-rank'))
  .option('--int8-base', 'with --lora-rank: quantize the frozen model to int8 first (the new head stays float); --out merges into float weights', false)
  .option('--lora-alpha <a>', "LoRA's alpha: the update is scaled by alpha / rank (default: 4 × rank)", positiveNumber('lora-alpha'))
  .addOption(new Option('--freeze <part>', 'freeze this part and train the new head only (feature extraction)').choices(['backbone']))
  .option('--epochs <n>', 'passes over the new digits', positiveInt('epochs'), 3)
  .option('--batch-size <n>', 'samples per step', positiveInt('batch-size'), 64)
  .option('--lr <rate>', 'learning rate (default for adam/adamw: 2e-3, 1e-2 with --freeze, 5e-3 with --lora-rank; sgd: 5e-2)', positiveNumber('lr'))
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(Object.keys(OPTIMIZERS)).default('adam'))
  .option('--seed <n>', 'seed of the new head, the adapters and the data order', integer, 0)
  .option('--out <path>', 'save the adapted model here (LoRA merged into the weights), as a checkpoint classify, serve and export read')
  .option('--max-steps <n>', 'stop after n optimizer steps, then evaluate', positiveInt('max-steps'))
  .option('--quiet', 'print only the final line', false)
  .option('--json', 'end with one JSON line: {"command": "finetune", "model", "config", "metrics": {test_accuracy, trainable_params, total_params, ...}}', false)
  .action(async (o: FinetuneArgs) => {
    await (await import('./finetune.js')).finetune(o);
  });

program
  .command('prune')
  .description('Prune a trained MNIST model (a `train --checkpoint` file) by weight magnitude, then fine-tune it with the pruned weights held at zero; --structured removes conv channels instead.')
  .requiredOption('--checkpoint <path>', 'the trained model')
  .option('--sparsity <s>', 'fraction of the weights to remove (structured: of each conv layer\'s channels)', fraction('sparsity'), 0.5)
  .option('--finetune-epochs <n>', 'epochs of fine-tuning after (unstructured: while) pruning; 0 prunes in one shot', nonNegativeInt('finetune-epochs'), 1)
  .option('--structured', 'remove whole conv output channels (smallest L1 filters) and shrink the layers', false)
  .option('--per-layer', 'unstructured: the fraction in each layer, not over all layers together', false)
  .option('--batch-size <n>', 'samples per step', positiveInt('batch-size'), 64)
  .option('--lr <rate>', "fine-tuning's learning rate (default: a fifth of the optimizer's, 4e-4 for adam)", positiveNumber('lr'))
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(Object.keys(OPTIMIZERS)).default('adam'))
  .option('--seed <n>', 'seed of the data order', integer, 0)
  .option('--out <path>', 'save the pruned model (weights with their zeros, and the masks) as a checkpoint classify, serve and export read')
  .option('--quiet', 'print only the final line', false)
  .option('--json', 'end with one JSON line: {"command": "prune", "model", "config", "metrics": {test_accuracy, sparsity, before_test_accuracy, ...}}', false)
  .action(async (o: PruneArgs) => {
    await (await import('./prune.js')).prune(o);
  });

program
  .command('distill')
  .description('Distil a trained MNIST teacher (a `train --checkpoint` file) into a small student (Hinton et al.: temperature-softened KL to the teacher plus the hard labels), next to the same student trained alone.')
  .requiredOption('--teacher <path>', 'the teacher, e.g. from `train --model lenet --checkpoint f`')
  .addOption(new Option('--student <name>', 'the student model').choices(Object.keys(MODELS).filter((m) => MODELS[m].dataset === 'mnist')).default('mlp'))
  .option('--hidden <n>', "the student's hidden width (default: the model's)", positiveInt('hidden'))
  .option('--epochs <n>', 'epochs for the student (and for the student alone)', positiveInt('epochs'), 10)
  .option('--temperature <t>', 'softmax temperature of the soft targets', positiveNumber('temperature'), 4)
  .option('--alpha <a>', 'weight of the soft term (1 - alpha goes to the hard labels)', unitInterval('alpha'), 0.9)
  .option('--augment', "augment the training digits for both students (LeNet's random affine; measured to help neither a small MLP nor its distillation)", false)
  .option('--batch-size <n>', 'samples per step', positiveInt('batch-size'), 64)
  .option('--lr <rate>', 'learning rate (default: the optimizer\'s)', positiveNumber('lr'))
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(Object.keys(OPTIMIZERS)).default('adam'))
  .option('--seed <n>', "seed of the student's initial weights and of the data order (both runs)", integer, 0)
  .option('--out <path>', 'save the distilled student as a checkpoint (classify, serve, export and quantize read it)')
  .option('--quiet', 'print only the final line', false)
  .option('--json', 'end with one JSON line: {"command": "distill", "model", "config", "metrics": {test_accuracy, student_alone_test_accuracy, teacher_test_accuracy, ...}}', false)
  .action(async (o: DistillArgs) => {
    await (await import('./distill.js')).distill(o);
  });

program
  .command('quantize')
  .description('Quantize a trained MNIST model (a `train --checkpoint` file) to int8 (weights per output channel; activations calibrated or per row at run time) and compare accuracy, size and batch latency with float32.')
  .requiredOption('--checkpoint <path>', 'the float32 model')
  .requiredOption('--out <path>', 'the int8 checkpoint to write (weights as I8), which classify and serve read')
  .addOption(new Option('--activations <how>', 'activation scales: one per layer calibrated on training batches, or per row at run time').choices(['static', 'dynamic']).default('static'))
  .option('--calibration-batches <n>', 'training batches of 64 that calibrate static scales', positiveInt('calibration-batches'), 8)
  .option('--qat-epochs <n>', 'epochs of quantization-aware training (fake-quantized weights and inputs, straight-through gradients) before converting', nonNegativeInt('qat-epochs'), 0)
  .option('--batch-size <n>', 'digits in the batch whose latency is timed', positiveInt('batch-size'), 256)
  .option('--quiet', 'print only the final line', false)
  .option('--json', 'end with one JSON line: {"command": "quantize", "model", "config", "metrics": {test_accuracy, float_test_accuracy, size_bytes, float_size_bytes, ms_per_batch, float_ms_per_batch}}', false)
  .action(async (o: QuantizeArgs, command: Command) => {
    if (o.activations === 'dynamic' && command.getOptionValueSource('calibrationBatches') !== 'default')
      throw new InvalidArgumentError('--calibration-batches is for --activations static');
    await (await import('./quantize.js')).quantizeCommand(o);
  });

program
  .command('compare-optimizers')
  .description('Train the housing TabularNet with SGD, SGD+momentum, Adam and AdamW (same seed, split and batches); draw their training-loss curves as a PNG.')
  .addOption(new Option('--model <name>', 'model to compare on').choices(['housing']).default('housing'))
  .option('--out <path>', 'PNG to write', 'housing-optimizers.png')
  .option('--epochs <n>', 'epochs per optimizer', positiveInt('epochs'), 40)
  .option('--seed <n>', 'seed of the initial weights and of the data order', integer, 0)
  .option('--quiet', 'print only the JSON line, if asked', false)
  .option('--json', 'end with one JSON line: {"command": "compare-optimizers", "model", "metrics": {"<optimizer>_test_rmse", "<optimizer>_final_loss", ...}}', false)
  .action(async (o: { out: string; epochs: number; seed: number; quiet: boolean; json: boolean }) => (await import('./tabular-optimizers.js')).compareOptimizers(o));

program
  .command('runs')
  .description('List the runs that `train --logdir` wrote under a folder and compare their final metrics in a table.')
  .option('--logdir <dir>', 'folder holding one sub-folder per run', 'runs')
  .option('--json', 'end with one JSON line: {"command": "runs", "metrics": {"runs": [...]}}', false)
  .action(async (o: { logdir: string; json: boolean }) => (await import('./runs.js')).listRuns(o));

program
  .command('export')
  .description('Write a trained model (from a `train --checkpoint` file) as ONNX, or as a PyTorch model with a DDP training script.')
  .option('--onnx <path>', 'ONNX file to write')
  .option('--torch <dir>', 'folder to write model.py, model.safetensors and train_ddp.py into')
  .requiredOption('--checkpoint <path>', 'checkpoint to export')
  .option('--model <name>', 'model, when the checkpoint does not say')
  .option('--hidden <n>', 'hidden width, when the checkpoint does not say', positiveInt('hidden'))
  .option('--json', 'end with one JSON line: {"command", "model", "metrics"}', false)
  .action(async (o: { onnx?: string; torch?: string; checkpoint: string; model?: string; hidden?: number; json: boolean }) => {
    const { exportModel } = await import('./export.js');
    await exportModel(o);
  });

/** --checkpoint, --onnx, --model, --hidden: where classify and serve get their model (src/serve/predictor.ts). */
function withModelSource(command: Command, note = ''): Command {
  return command
    .option('--checkpoint <path>', `a \`train --checkpoint\` file${note}`)
    .option('--onnx <path>', `an ONNX file, e.g. from \`shadergrad export\`${note}`)
    .addOption(new Option('--model <name>', 'model, when a checkpoint does not say').choices(Object.keys(MODELS).filter((m) => MODELS[m].dataset === 'mnist')))
    .option('--hidden <n>', 'hidden width, when the checkpoint does not say', positiveInt('hidden'));
}

withModelSource(
  program.command('classify').description('Classify the 1,000 held-out MNIST digits with a trained model (the predictor `serve` uses) and print the accuracy.'),
)
  .option('--count <n>', 'classify only the first n held-out digits', positiveInt('count'))
  .option('--images <png>', 'classify the digits of this PNG instead (one 28x28 digit, or a grid of them as `sample` writes; light ink on dark)')
  .option('--batch-size <n>', 'digits per realization', positiveInt('batch-size'), 250)
  .option('--json', 'end with one JSON line: {"command", "model", "metrics": {accuracy, count, seconds}}; with --images {"command", "model", "metrics": {count, confident_fraction, confident_classes}, "predictions": [{"class", "p"}, ...]}', false)
  .action(async (o: { checkpoint?: string; onnx?: string; model?: string; hidden?: number; count?: number; images?: string; batchSize: number; json: boolean }) => {
    if (!!o.checkpoint === !!o.onnx) throw new InvalidArgumentError('give exactly one of --checkpoint FILE and --onnx FILE');
    if (o.images && o.count !== undefined) throw new InvalidArgumentError('--count is for the held-out digits; --images classifies every digit of the file');
    const { classify, classifyImages } = await import('./classify.js');
    if (o.images) await classifyImages({ ...o, images: o.images });
    else await classify(o);
  });

withModelSource(
  program
    .command('serve')
    .description("Serve a trained model over HTTP with TensorFlow Serving's REST API (POST /v1/models/NAME:predict), dynamic batching, Prometheus /metrics and drift monitoring."),
  ' (served as version 1)',
)
  .option('--model-dir <dir>', 'a directory of numbered versions DIR/1/, DIR/2/, ... (each one model.onnx or .safetensors checkpoint), polled for new ones')
  .option('--name <name>', "the model name in the URL (default: the checkpoint's model, e.g. lenet; the ONNX file's or the model directory's name)")
  .option('--port <n>', 'TCP port (0: any free one)', nonNegativeInt('port'), 8501)
  .option('--host <addr>', 'address to listen on', '127.0.0.1')
  .option('--max-batch <n>', 'most instances in one GPU realization', positiveInt('max-batch'), 32)
  .option('--max-wait-ms <ms>', 'longest a batch waits for more requests after its first', nonNegativeInt('max-wait-ms'), 5)
  .option('--poll-ms <ms>', 'how often --model-dir is scanned for new versions', positiveInt('poll-ms'), 1000)
  .option('--cors <origin>', "let pages from this origin ('*' for any) call the API from a browser (default: CORS off)")
  .option('--body-limit <bytes>', 'largest request body; larger ones get 413', positiveInt('body-limit'), 4 * 1024 * 1024)
  .option('--max-instances <n>', 'most instances in one request', positiveInt('max-instances'), 1024)
  .option('--json', 'print one JSON line once listening: {"command", "model", "url", "metrics"}', false)
  .action(async (o: { checkpoint?: string; onnx?: string; modelDir?: string; name?: string; model?: string; hidden?: number; port: number; host: string; maxBatch: number; maxWaitMs: number; pollMs: number; cors?: string; bodyLimit: number; maxInstances: number; json: boolean }) => {
    const { serve } = await import('./serve.js');
    await serve(o);
  });

program
  .command('sample')
  .description('Print text generated by a character-level GPT trained with `train --model charlm`.')
  .requiredOption('--weights <path>', 'weights saved by `train --model charlm` (safetensors)')
  .option('--hidden <n>', 'width the model was trained with', positiveInt('hidden'), 64)
  .option('--length <n>', 'characters to generate', positiveInt('length'), 300)
  .option('--prompt <text>', 'text to continue', 'The whale ')
  .option('--temperature <t>', 'softmax temperature', positiveNumber('temperature'), 0.8)
  .option('--seed <n>', 'sampling seed', integer, 0)
  .option('--json', 'end with one JSON line: {"command", "model", "text", "metrics"}', false)
  .action(async (o: { weights: string; hidden: number; length: number; prompt: string; temperature: number; seed: number; json: boolean }) => {
    const { sampleCharLM } = await import('./charlm.js');
    await sampleCharLM(o);
  });

program
  .command('visualize')
  .description("Write what a trained MNIST CNN learned as PNGs: its first layer's filters and the feature maps each convolution makes of one held-out digit.")
  .requiredOption('--checkpoint <path>', 'a `train --checkpoint` file of a convolutional model (lenet, resnet, mobilenet, densenet, vgg, ...)')
  .requiredOption('--out <dir>', 'folder to write digit.png, filters.png and maps-N-LAYER.png into (made if missing)')
  .option('--index <n>', 'which held-out digit (0-based)', nonNegativeInt('index'), 0)
  .option('--scale <n>', 'pixels per feature-map pixel (filters are drawn 4 times larger)', positiveInt('scale'), 4)
  .option('--json', 'end with one JSON line: {"command": "visualize", "model", "config", "metrics": {label, predicted, probability, conv_layers, files}, "filters", "layers", "files"}', false)
  .action(async (o: { checkpoint: string; out: string; index: number; scale: number; json: boolean }) => (await import('./visualize.js')).visualize(o));

program
  .command('info')
  .description('Print the WebGPU adapter shadergrad uses here, its features and limits.')
  .option('--json', 'print one JSON line: {"command", "adapter", ..., "metrics"}', false)
  .action(async (o: { json: boolean }) => {
    const { info } = await import('./info.js');
    await info(o);
  });

program
  .command('bench')
  .description('Run the kernel benchmarks against TF.js (the same harness as `npm run bench`; `shadergrad bench --help` for its options).')
  .helpOption(false)
  .allowUnknownOption()
  .argument('[options...]', 'passed to the benchmark harness (bench/run.ts)')
  .action(async (args: string[]) => {
    // a child process with this one's module loaders (tsx, WGSL as text): the harness parses its own argv
    // (--json is the harness's own option: its last stdout line is then {"command": "bench", ...})
    const { spawnSync } = await import('node:child_process');
    const harness = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
    const r = spawnSync(process.execPath, [...process.execArgv, harness, ...args], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  });

try {
  await program.parseAsync(process.argv);
  process.exit(0); // the Dawn instance may keep the event loop alive after the device is destroyed
} catch (e) {
  console.error(`shadergrad: ${oneLine(e)}`);
  process.exit(1);
}

/**
 * Every failure is one line: the message (file errors as "cannot read PATH: no such file"), no stack. A
 * bug shows its stack with `node --stack-trace-limit=… bin/shadergrad.js` under a debugger, not here.
 */
function oneLine(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const sys = e as NodeJS.ErrnoException;
  const what: Record<string, string> = { ENOENT: 'no such file or directory', EISDIR: 'is a directory, not a file', EACCES: 'permission denied', ENOTDIR: 'a part of the path is not a directory' };
  if (sys.code && sys.path && what[sys.code]) return `cannot ${sys.syscall === 'open' || sys.syscall === 'read' ? 'read' : sys.syscall ?? 'use'} ${sys.path}: ${what[sys.code]}`;
  return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`.replace(/\s*\n\s*/g, ' ');
}
