// How `train --model housing` chose its default of 150 epochs: validation RMSE after 20/40/80/150 epochs on a
// split carved (seed 1) out of the training rows only, the held-out test rows never seen. Run:
//   XDG_RUNTIME_DIR=/tmp node --import tsx --import ./scripts/register-wgsl.mjs scripts/housing-epochs.mts
import { loadBostonHousing } from '../src/node/datasets.js';
import { encodeTable, HOUSING_SPEC } from '../src/data/tabular.js';
import { permutation } from '../src/core/random.js';
import { trainTabular, TABULAR_DEFAULTS } from '../src/train/tabular.js';
import * as sg from '../src/node/index.js';
import { HOUSING_SPLIT } from '../src/cli/tabular.js';
const rows = await loadBostonHousing();
const order = permutation(rows.length, HOUSING_SPLIT.seed);
const trainRows = Array.from(order.subarray(Math.round(HOUSING_SPLIT.testFraction * rows.length)), (i) => rows[i]); // encodeTable's training rows
const t = encodeTable(trainRows, HOUSING_SPEC, { seed: 1 });
await sg.init();
for (const epochs of [20, 40, 80, 150]) console.log(epochs, (await trainTabular(t, { ...TABULAR_DEFAULTS, epochs })).testRmse.toFixed(3));
sg.destroy();
