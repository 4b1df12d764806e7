// Which model a `train --checkpoint` file holds, and that model rebuilt with its weights: the one way
// export, classify and serve read a checkpoint (the model name and hidden width are in its extras;
// --model/--hidden override them).
import { ValueError } from '../core/errors.js';
import { parseCheckpoint, restoreCheckpoint } from '../io/checkpoint.js';
import type * as SG from '../node/index.js';
import { MODELS, type ModelEntry } from './models.js';

export interface CheckpointModel {
  name: string;
  entry: ModelEntry;
  hidden: number;
  /** Builds the model, loads the checkpoint's weights into it, and puts it in eval mode (needs sg.init()). */
  build(sg: typeof SG): SG.nn.Module;
}

/**
 * Reads the model choice of checkpoint `bytes` (from `file`), before any GPU work. `allowed` are the
 * models the caller can use (default: all); `purpose` says what it needs them for, in the refusal.
 */
export function checkpointModel(
  bytes: Uint8Array,
  file: string,
  given: { model?: string; hidden?: number },
  { allowed = Object.keys(MODELS), purpose = 'a model of `shadergrad train`' }: { allowed?: string[]; purpose?: string } = {},
): CheckpointModel {
  const parsed = parseCheckpoint(bytes);
  const extra = (parsed.extra ?? {}) as { model?: string; hidden?: number; quantized?: { activations: 'dynamic' | 'static' } };
  const name = given.model ?? extra.model;
  if (!name) throw new ValueError(`${file} does not say which model it holds: pass --model (${allowed.join(', ')})`);
  if (!allowed.includes(name)) throw new ValueError(`--model ${name}: not ${purpose} (known: ${allowed.join(', ')})`);
  const entry = MODELS[name];
  const hidden = given.hidden ?? extra.hidden ?? entry.defaultHidden;
  return {
    name,
    entry,
    hidden,
    build(sg) {
      const model = entry.build(sg, { hidden });
      // a pruned checkpoint: its masks, and layers that structured pruning made smaller
      const saved = parsed.model;
      if (extra.quantized) sg.nn.quantizedLike(model, extra.quantized.activations === 'static' ? 'static' : 'dynamic'); // `shadergrad quantize` wrote it
      sg.prune.shrinkToState(model, Object.fromEntries(Object.entries(saved).map(([k, t]) => [k, t.shape])));
      sg.prune.prepareMasks(model, Object.keys(saved));
      restoreCheckpoint(bytes, { model });
      model.eval();
      return model;
    },
  };
}
