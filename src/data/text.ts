// Character-level text data: a vocabulary of the characters seen in training text, a fixed split
// (the last `valFraction` of the text is held out), seeded random windows as int32 batches, and the
// unigram baseline (cross-entropy of the training character frequencies on held-out text, in nats/char).
import { Random } from '../core/random.js';
import { ValueError } from '../core/errors.js';
import { checkNumber, POSITIVE_INT } from '../core/options.js';

export class CharVocab {
  readonly chars: string[];
  private readonly index: Map<string, number>;
  constructor(text: string) {
    this.chars = [...new Set(text)].sort();
    this.index = new Map(this.chars.map((c, i) => [c, i]));
  }
  get size(): number {
    return this.chars.length;
  }
  /** Ids of `text`; characters outside the vocabulary raise an error naming the first one. */
  encode(text: string): Int32Array {
    const chars = [...text];
    return Int32Array.from(chars, (c, i) => {
      const id = this.index.get(c);
      if (id === undefined) throw new ValueError(`CharVocab.encode: character ${JSON.stringify(c)} at position ${i} is not in the vocabulary of ${this.size} characters`);
      return id;
    });
  }
  decode(ids: ArrayLike<number>): string {
    return Array.from(ids, (i) => this.chars[i] ?? '?').join('');
  }
}

export interface TextSplit {
  vocab: CharVocab;
  train: Int32Array;
  val: Int32Array;
}

/** Normalises whitespace (runs of spaces/newlines inside paragraphs) and splits off the last part for validation. */
export function splitText(raw: string, valFraction = 0.1): TextSplit {
  checkNumber('splitText', 'valFraction', valFraction, { min: 0, max: 1, belowMax: true });
  const text = raw.replace(/\r/g, '').replace(/[ \t]+/g, ' ').replace(/\n{3,}/g, '\n\n');
  const cut = Math.floor(text.length * (1 - valFraction));
  const vocab = new CharVocab(text);
  return { vocab, train: vocab.encode(text.slice(0, cut)), val: vocab.encode(text.slice(cut)) };
}

/** `batch` random windows of `length + 1` ids: x = the first `length`, y = the next-character targets. */
export function randomWindows(ids: Int32Array, batch: number, length: number, rng: Random): { x: Int32Array; y: Int32Array } {
  checkNumber('randomWindows', 'batch', batch, POSITIVE_INT);
  checkNumber('randomWindows', 'length', length, POSITIVE_INT);
  if (ids.length < length + 1) throw new ValueError(`randomWindows: text of ${ids.length} ids is shorter than a window of ${length + 1}`);
  const x = new Int32Array(batch * length);
  const y = new Int32Array(batch * length);
  for (let b = 0; b < batch; b++) {
    const start = Math.floor(rng.next() * (ids.length - length));
    x.set(ids.subarray(start, start + length), b * length);
    y.set(ids.subarray(start + 1, start + length + 1), b * length);
  }
  return { x, y };
}

/** Cross-entropy (nats/char) on `val` of the add-one-smoothed character frequencies of `train`. */
export function unigramBaseline(train: Int32Array, val: Int32Array, vocabSize: number): number {
  const counts = new Float64Array(vocabSize).fill(1);
  for (const c of train) counts[c]++;
  const total = train.length + vocabSize;
  let nll = 0;
  for (const c of val) nll -= Math.log(counts[c] / total);
  return nll / val.length;
}
