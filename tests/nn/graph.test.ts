// Graph layers refuse bad input with a typed error naming it, before any GPU work (their values are
// checked against PyTorch twins in tests/torch/twins.test.ts).
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { bad, runBadInputs } from '../helpers/opcheck.js';
import { f32, ints } from '../ops/rows/inputs.js';

useGpu();
const edges = () => ints([0, 1, 1, 2], [2, 2]);

describe('bad inputs of GCNConv, SAGEConv, GATConv', () =>
  runBadInputs([
    bad('segmentSum', 'GCNConv: unknown option', () => new sg.nn.GCNConv(3, 2, { normalise: true } as never), sg.ValueError, /GCNConv\(3, 2\).*unknown option 'normalise'/),
    bad('segmentSum', 'GCNConv: zero channels', () => new sg.nn.GCNConv(0, 2), sg.ValueError, /GCNConv\(0, 2\).*inChannels/),
    bad('segmentSum', "SAGEConv: aggr 'sum'", () => new sg.nn.SAGEConv(3, 2, { aggr: 'sum' as never }), sg.ValueError, /SAGEConv.*aggr/),
    bad('segmentSoftmax', 'GATConv: dropout 1.5', () => new sg.nn.GATConv(3, 2, { dropout: 1.5 }), sg.ValueError, /GATConv.*dropout/),
    bad('segmentSoftmax', 'GATConv: 0 heads', () => new sg.nn.GATConv(3, 2, { heads: 0 }), sg.ValueError, /GATConv.*heads/),
  ]));

// forward() of a built layer (building one uploads its weights: that GPU work comes before the count)
type Conv = { forward(x: sg.Tensor, e: sg.Tensor): sg.Tensor };
const forwardCases: Array<[string, () => Conv, () => [sg.Tensor, sg.Tensor], new (...a: never[]) => Error, RegExp]> = [
  ['GCNConv: x of the wrong width', () => new sg.nn.GCNConv(3, 2), () => [f32([4, 5]), edges()], sg.ShapeError, /GCNConv\(3, 2\): x must be \[N, 3\], got shape \[4, 5\]/],
  ['GCNConv: float edge index', () => new sg.nn.GCNConv(3, 2), () => [f32([4, 3]), f32([2, 2])], sg.DTypeError, /GCNConv.*edgeIndex must be int32, got float32/],
  ['GCNConv: edge index [3, E]', () => new sg.nn.GCNConv(3, 2), () => [f32([4, 3]), ints([0, 1, 2], [3, 1])], sg.ShapeError, /GCNConv.*edgeIndex must be \[2, E\].*\[3, 1\]/],
  ['SAGEConv: node out of range', () => new sg.nn.SAGEConv(3, 2), () => [f32([2, 3]), edges()], sg.ValueError, /SAGEConv\(3, 2\): edgeIndex holds node 2 \(row 1\) outside \[0, 2\)/],
  ['GATConv: edge index computed on the GPU', () => new sg.nn.GATConv(3, 2), () => [f32([4, 3]), edges().float().int()], sg.ValueError, /GATConv.*computed on the GPU/],
];

test.each(forwardCases)('forward: %s is refused before any GPU work', (_what, build, inputs, error, message) => {
  const layer = build();
  const [x, e] = inputs();
  const before = sg.stats();
  expect(() => layer.forward(x, e)).toThrow(error);
  expect(() => layer.forward(x, e)).toThrow(message);
  const after = sg.stats();
  expect(after.dispatches).toBe(before.dispatches);
});
