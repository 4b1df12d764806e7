// Each optimizer's fused WGSL update against PyTorch's update rule written out in float64.
import { describe, expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

type Rule = (w: number, g: number, state: Record<string, number>, t: number) => number;

/** Runs `steps` updates of loss = sum(0.5 * c * w²) (gradient c·w) on the GPU and with `rule` on the CPU. */
async function compare(makeOpt: (p: InstanceType<typeof sg.nn.Parameter>[]) => InstanceType<typeof sg.optim.Optimizer>, rule: Rule, steps = 4) {
  const w0 = [0.5, -1.25, 2, 0.01, -0.3, 3, 0.7];
  const c = [1, 2, 0.5, 3, 1.5, 0.25, 4];
  const p = new sg.nn.Parameter(sg.tensor(w0));
  const coef = sg.tensor(c);
  const opt = makeOpt([p]);
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    p.mul(p).mul(coef).mul(0.5).sum().backward();
    opt.step();
  }
  const got = Array.from(await p.data());
  const want = w0.map((w, i) => {
    const state: Record<string, number> = {};
    for (let t = 1; t <= steps; t++) w = rule(w, c[i] * w, state, t);
    return w;
  });
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
}

describe('optimizers follow PyTorch update rules', () => {
  test('SGD', () => compare((ps) => new sg.optim.SGD(ps, { lr: 0.1 }), (w, g) => w - 0.1 * g));

  test('SGD with weight decay, momentum and dampening', () =>
    compare(
      (ps) => new sg.optim.SGD(ps, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
      (w, g, s, t) => {
        const d = g + 0.01 * w;
        s.b = t === 1 ? d : 0.9 * s.b + 0.9 * d;
        return w - 0.05 * s.b;
      },
    ));

  test('SGD Nesterov', () =>
    compare(
      (ps) => new sg.optim.SGD(ps, { lr: 0.05, momentum: 0.8, nesterov: true }),
      (w, g, s, t) => {
        s.b = t === 1 ? g : 0.8 * s.b + g;
        return w - 0.05 * (g + 0.8 * s.b);
      },
    ));

  const adam = (lr: number, wd: number, decoupled: boolean): Rule => (w, g, s, t) => {
    if (decoupled) w = w * (1 - lr * wd);
    else g = g + wd * w;
    s.m = 0.9 * (s.m ?? 0) + 0.1 * g;
    s.v = 0.999 * (s.v ?? 0) + 0.001 * g * g;
    return w - (lr * (s.m / (1 - 0.9 ** t))) / (Math.sqrt(s.v / (1 - 0.999 ** t)) + 1e-8);
  };
  test('Adam with L2 weight decay', () => compare((ps) => new sg.optim.Adam(ps, { lr: 0.01, weightDecay: 0.1 }), adam(0.01, 0.1, false)));
  test('AdamW (decoupled weight decay, default 0.01)', () => compare((ps) => new sg.optim.AdamW(ps, { lr: 0.01 }), adam(0.01, 0.01, true)));

  test('changing lr between steps (a schedule) takes effect without rebuilding the plan', async () => {
    const p = new sg.nn.Parameter(sg.tensor([1, 2, 3]));
    const opt = new sg.optim.SGD([p], { lr: 0.1 });
    const sched = new sg.optim.StepLR(opt, 1, 0.5);
    let want = [1, 2, 3];
    let built = 0;
    for (let s = 0; s < 4; s++) {
      opt.zeroGrad();
      p.sum().backward(); // gradient 1
      opt.step();
      want = want.map((w) => w - opt.lr);
      sched.step();
      await p.data();
      if (s === 1) built = sg.stats().plansBuilt;
    }
    expect(sg.stats().plansBuilt).toBe(built);
    Array.from(await p.data()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  test('clipGradNorm scales gradients to the max norm and returns the norm before clipping', async () => {
    const a = new sg.nn.Parameter(sg.tensor([3, 0]));
    const b = new sg.nn.Parameter(sg.tensor([[0, 4]]));
    a.mul(a).mul(0.5).sum().add(b.mul(b).mul(0.5).sum()).backward(); // grads = values: global norm 5
    const norm = sg.optim.clipGradNorm([a, b], 1);
    expect(await norm.item()).toBeCloseTo(5, 5);
    expect(Array.from(await a.grad!.data())).toEqual([expect.closeTo(0.6, 5), 0]);
    expect(Array.from(await b.grad!.data())).toEqual([0, expect.closeTo(0.8, 5)]);
  });

  test('stateDict round trip restores moments and step count', async () => {
    const mk = () => new sg.nn.Parameter(sg.tensor([1, -2, 3]));
    const p1 = mk();
    const o1 = new sg.optim.Adam([p1], { lr: 0.1 });
    for (let s = 0; s < 3; s++) (o1.zeroGrad(), p1.mul(p1).sum().backward(), o1.step());
    const p2 = new sg.nn.Parameter(p1.detach());
    const o2 = new sg.optim.Adam([p2], { lr: 0.1 });
    o2.loadStateDict(o1.stateDict());
    for (const [p, o] of [[p1, o1], [p2, o2]] as const) (o.zeroGrad(), p.mul(p).sum().backward(), o.step());
    expect(Array.from(await p2.data())).toEqual(Array.from(await p1.data()));
    expect(o2.stepCount).toBe(4);
  });

  test('bad options are refused', () => {
    const p = new sg.nn.Parameter(sg.tensor([1]));
    expect(() => new sg.optim.SGD([p], { lr: -1 })).toThrow(/SGD: lr must be a finite number >= 0, got -1/);
    expect(() => new sg.optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(/nesterov/);
    expect(() => new sg.optim.Adam([], {})).toThrow(/empty parameter list/);
  });
});
