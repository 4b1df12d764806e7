// `shadergrad distill`: knowledge distillation (Hinton et al. 2015) of a trained MNIST teacher (a checkpoint)
// into a small student of `train`'s models, next to the same student trained alone on the hard labels
// with the same seed (same initial weights), data order, augmentation and number of steps.
import { ValueError } from '../core/errors.js';
import { DataLoader } from '../data/dataloader.js';
import { mnistDataset } from '../data/mnist.js';
import { checkWritableFilePath } from '../node/files.js';
import { loadMnist } from '../node/mnist-files.js';
import * as sg from '../node/index.js';
import { evaluate, type ClassifierLoss } from '../train/loop.js';
import { countParams, fitEpochs, openMnistCheckpoint, pct, type RunOptions } from './fit.js';
import { printJsonLine } from './json-line.js';
import { DIGIT_AUGMENT, MODELS, OPTIMIZERS } from './models.js';

export interface DistillOptions extends RunOptions {
  teacher: string;
  student: string;
  hidden?: number;
  epochs: number;
  /** Softmax temperature of the soft targets. */
  temperature: number;
  /** Weight of the soft (KD) term; 1 − alpha goes to the hard labels. */
  alpha: number;
  /** Augment the training digits (LeNet's random affine), the same for both students. */
  augment: boolean;
  /** Save the distilled student here (a checkpoint classify, serve and export read). */
  out?: string;
}

export async function distill(options: DistillOptions): Promise<void> {
  const entry = MODELS[options.student];
  if (!entry || entry.dataset !== 'mnist') throw new ValueError(`--student ${options.student}: not an MNIST model of \`shadergrad train\` (known: ${Object.keys(MODELS).filter((m) => MODELS[m].dataset === 'mnist').join(', ')})`);
  const { source } = await openMnistCheckpoint(options.teacher, '--teacher');
  if (options.out) await checkWritableFilePath(options.out, '--out');
  const log = (line: string) => !options.quiet && console.log(line);
  const hidden = options.hidden ?? entry.defaultHidden;
  const lr = options.lr ?? OPTIMIZERS[options.optimizer].defaultLr;
  const [mnist] = await Promise.all([loadMnist(), sg.init()]);
  try {
    const testLoader = new DataLoader(mnistDataset(mnist.test, [1, 28, 28]), { batchSize: 500 });
    const teacher = source.build(sg);
    const teacherShape = source.entry.sampleShape;
    const teacherTestAccuracy = await evaluate(teacher, new DataLoader(mnistDataset(mnist.test, teacherShape), { batchSize: 500 }));
    teacher.eval();
    teacher.freeze();

    // both students see the digits as images, augmented alike when asked (a flat student flattens them first)
    const imageShape = [1, 28, 28];
    const flat = entry.sampleShape.length === 1;
    const recipe = { epochs: options.epochs, ...(options.augment && { augment: DIGIT_AUGMENT }) };
    /** The student trained from the seed: with the KD loss, or alone on the labels (loss undefined). */
    const trainStudent = async (loss: ClassifierLoss | undefined, what: string) => {
      sg.manualSeed(options.seed);
      const student = entry.build(sg, { hidden });
      const model = flat ? new sg.nn.Sequential(new sg.nn.Flatten(), student) : student;
      const opt = OPTIMIZERS[options.optimizer].build(sg, student.parameters(), lr);
      const trainLoader = new DataLoader(mnistDataset(mnist.train, imageShape), { batchSize: options.batchSize, shuffle: true, seed: options.seed });
      log(`${what}:`);
      const fit = await fitEpochs({ model, opt, train: trainLoader, test: testLoader, epochs: options.epochs, recipe, seed: options.seed, quiet: options.quiet, loss });
      return { ...fit, student, params: countParams(student.parameters()) };
    };
    log(
      `distill ${source.name} from ${options.teacher} (${pct(teacherTestAccuracy)} held out, ${countParams(teacher.parameters())} parameters) into ${options.student}` +
        `${hidden ? ` (hidden ${hidden})` : ''}: temperature ${options.temperature}, alpha ${options.alpha}, ${options.optimizer} lr ${lr}, batch ${options.batchSize}, ${options.epochs} epochs`,
    );
    const kd: ClassifierLoss = (logits, y, x) => {
      const soft = sg.noGrad(() => teacher.forward(x.reshape([x.shape[0], ...teacherShape])));
      return sg.nn.functional.distillationLoss(logits, soft, y, { temperature: options.temperature, alpha: options.alpha });
    };
    const distilled = await trainStudent(kd, 'student distilled from the teacher');
    if (options.out) {
      const extra = { model: options.student, hidden, distilledFrom: options.teacher, testAccuracy: distilled.testAccuracy };
      await sg.saveCheckpoint(options.out, { model: distilled.student }, { epoch: options.epochs, step: distilled.steps, extra });
      log(`saved the distilled student to ${options.out}`);
    }
    const alone = await trainStudent(undefined, 'the same student alone (same seed, data order and steps)');
    console.log(
      `test accuracy ${pct(distilled.testAccuracy)} distilled, ${pct(alone.testAccuracy)} alone (teacher ${pct(teacherTestAccuracy)}; ` +
        `${options.student} of ${distilled.params} parameters, ${distilled.steps} steps each)`,
    );
    if (options.json)
      printJsonLine({
        command: 'distill',
        model: options.student,
        config: { teacher: options.teacher, teacher_model: source.name, student: options.student, hidden, epochs: options.epochs, temperature: options.temperature, alpha: options.alpha, augment: options.augment, batch_size: options.batchSize, lr, optimizer: options.optimizer, seed: options.seed },
        metrics: {
          test_accuracy: distilled.testAccuracy, student_alone_test_accuracy: alone.testAccuracy, teacher_test_accuracy: teacherTestAccuracy,
          student_params: distilled.params, teacher_params: countParams(teacher.parameters()), steps: distilled.steps,
          seconds: distilled.seconds, student_alone_seconds: alone.seconds,
        },
      });
  } finally {
    sg.destroy();
  }
}
