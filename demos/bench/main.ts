// Live benchmark page: bench/'s matmul family and harness, run in the browser on the page's GPU.
import { matmulFamily, type MatmulCase } from '../../bench/families/matmul.js';
import { median, type BenchContext, type CaseResult } from '../../bench/harness.js';
import { runtime } from '../../src/runtime/runtime.js';
import { bootDemo, byId, demo, el, setState, showError } from '../../src/demo-kit/page.js';

const DEFAULT_CASES = ['256x256x256', '64x784x256'];

export interface BenchRow {
  case: string;
  variant: string;
  status: string;
  note?: string;
  wallMs: number | null;
  gpuMs: number | null;
  gflops: number | null;
  samples: number;
}

function rowsOf(r: CaseResult): BenchRow[] {
  return r.entries.map((e) => {
    const wallMs = e.wallMs.length ? median(e.wallMs) : null;
    const gpuMs = e.gpuMs.length ? median(e.gpuMs) : null;
    const ms = gpuMs ?? wallMs;
    return {
      case: r.case,
      variant: e.name,
      status: e.status,
      note: e.note,
      wallMs,
      gpuMs,
      gflops: ms && r.flops ? r.flops / (ms * 1e6) : null,
      samples: e.wallMs.length,
    };
  });
}

const num = (x: number | null, d: number) => (x === null ? '–' : x.toFixed(d));

async function main(): Promise<void> {
  if (!(await bootDemo())) return;
  const cases = matmulFamily.cases(false);
  const boxes = cases.map((c) => {
    const box = el('input', { type: 'checkbox', value: c.name });
    box.checked = DEFAULT_CASES.includes(c.name);
    return box;
  });
  byId('cases').replaceChildren(...cases.map((c, i) => el('label', { style: 'margin-right:14px' }, boxes[i], ` ${c.name}`)));
  const button = byId<HTMLButtonElement>('run');
  const tbody = byId('results');
  const progress = byId('progress');
  demo.benchRows = [] as BenchRow[];

  const run = async (selected: MatmulCase[], rounds: number) => {
    button.disabled = true;
    setState('running');
    tbody.replaceChildren();
    const rows: BenchRow[] = [];
    demo.benchRows = rows;
    const ctx: BenchContext = {
      rt: runtime(),
      peer: null,
      options: { quick: true, rounds, budgetMs: 3000, sampleMs: 40 },
      log: (line) => (progress.textContent = line),
    };
    try {
      for (const c of selected) {
        progress.textContent = `running ${c.name}…`;
        for (const r of rowsOf(await matmulFamily.run(ctx, c))) {
          rows.push(r);
          tbody.append(
            el('tr', { class: r.status === 'ok' ? '' : 'bad', title: r.note ?? '' },
              ...[r.case, r.variant, r.status, num(r.wallMs, 3), num(r.gpuMs, 3), num(r.gflops, 1), String(r.samples)].map((t) => el('td', {}, t))),
          );
        }
      }
      progress.textContent = `done: ${rows.length} rows on ${runtime().caps.description}`;
      setState('done');
    } catch (e) {
      showError(e);
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener('click', () => void run(cases.filter((_, i) => boxes[i].checked), 3));
  button.disabled = false;
  // tests (and links) may ask for an immediate run: ?run=256x256x256,64x784x256&rounds=2
  const params = new URLSearchParams(location.search);
  if (params.has('run')) {
    const names = params.get('run')!.split(',');
    boxes.forEach((b) => (b.checked = names.includes(b.value)));
    await run(cases.filter((c) => names.includes(c.name)), Number(params.get('rounds') ?? 3));
  }
}

main().catch(showError);
