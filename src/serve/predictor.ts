// The one way a trained model answers: `shadergrad classify` and `shadergrad serve` both call
// Predictor.predict, so the served classes are classify's by construction. A predictor comes from a
// `train --checkpoint` file (the model is rebuilt from the name and width recorded in it) or an ONNX file.
// Node-only (reads files; src/serve/ is marked so in scripts/build.mjs).
import { readFile } from 'node:fs/promises';
import { ValueError } from '../core/errors.js';
import { MNIST_PIXELS } from '../data/mnist.js';
import { checkpointModel } from '../cli/checkpoint-model.js';
import { MODELS } from '../cli/models.js';
import * as sg from '../node/index.js';

export interface PredictorSource {
  /** A `train --checkpoint` file (safetensors). */
  checkpoint?: string;
  /** An ONNX file (e.g. from `shadergrad export`); one input [batch, ...sample], logits out. */
  onnx?: string;
  /** The model a checkpoint holds, when it does not say (lenet, mlp, resnet). */
  model?: string;
  /** Its hidden width, when the checkpoint does not say. */
  hidden?: number;
}

export interface Prediction {
  /** [count, classes] softmax probabilities, row-major. */
  probabilities: Float32Array;
  /** [count] argmax of each row. */
  classes: Int32Array;
}

export class Predictor {
  private constructor(
    /** lenet, mlp, resnet, or 'onnx'. */
    readonly kind: string,
    /** Shape of one input sample ([784] or [1, 28, 28]); every model here reads 784 MNIST pixels. */
    readonly sampleShape: number[],
    readonly classes: number,
    /** The file it was loaded from. */
    readonly file: string,
    private readonly model: sg.nn.Module,
  ) {}

  /** Values per instance (784 for MNIST models). */
  get inputSize(): number {
    return this.sampleShape.reduce((a, b) => a * b, 1);
  }

  static async load(source: PredictorSource): Promise<Predictor> {
    if (!!source.checkpoint === !!source.onnx) throw new ValueError('give exactly one of --checkpoint FILE and --onnx FILE');
    if (source.onnx) {
      const model = sg.onnx.importModel(await readFile(source.onnx));
      const declared = model.inputShapes[0] ?? [];
      const sample = declared.slice(1).map((d) => (typeof d === 'number' ? d : NaN));
      if (model.inputNames.length !== 1 || sample.length === 0 || sample.some((d) => !Number.isInteger(d)))
        throw new ValueError(`--onnx ${source.onnx}: expected one input [batch, ...fixed sample dims], got ${JSON.stringify(model.inputShapes)}`);
      if (sample.reduce((a, b) => a * b, 1) !== MNIST_PIXELS)
        throw new ValueError(`--onnx ${source.onnx}: its input [batch, ${sample.join(', ')}] is not an MNIST digit (${MNIST_PIXELS} values: [batch, 784] or [batch, 1, 28, 28])`);
      model.eval();
      return new Predictor('onnx', sample, 10, source.onnx, model);
    }
    const file = source.checkpoint!;
    const mnist = Object.keys(MODELS).filter((k) => MODELS[k].dataset === 'mnist');
    const { name: kind, entry, build } = checkpointModel(await readFile(file), file, source, { allowed: mnist, purpose: 'an MNIST classifier' });
    const model = build(sg);
    return new Predictor(kind, entry.sampleShape, 10, file, model);
  }

  /** Class probabilities of `count` instances (`pixels`: [count, inputSize] row-major): one GPU realization. */
  async predict(pixels: Float32Array, count: number): Promise<Prediction> {
    if (pixels.length !== count * this.inputSize) throw new ValueError(`predict: ${pixels.length} values for ${count} instances of ${this.inputSize}`);
    const probs = await sg.noGrad(() => this.model.forward(sg.tensor(pixels, [count, ...this.sampleShape])).softmax(1)).data();
    if (probs.length !== count * this.classes) throw new ValueError(`predict: the model gave ${probs.length / count} outputs per instance, expected ${this.classes} class scores`);
    const classes = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      let best = 0;
      for (let c = 1; c < this.classes; c++) if (probs[i * this.classes + c] > probs[i * this.classes + best]) best = c;
      classes[i] = best;
    }
    return { probabilities: probs as Float32Array, classes }; // softmax of float logits: float32
  }
}
