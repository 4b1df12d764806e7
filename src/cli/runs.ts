// `shadergrad runs`: the runs `train --logdir` wrote under a folder (each sub-folder's run.json, or the
// folder's own), listed in start order and compared: final metrics, and the settings that differ.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ValueError } from '../core/errors.js';
import { printJsonLine } from './json-line.js';
import { RUN_FILE, type RunRecord } from './run-log.js';

export interface RunSummary {
  name: string;
  path: string;
  model?: string;
  status?: RunRecord['status'];
  epochs?: number;
  steps?: number;
  started?: string;
  ended?: string | null;
  git_revision?: string | null;
  config?: Record<string, unknown>;
  /** The final metrics; for a run still going (or failed), its last epoch's. */
  metrics?: Record<string, number | null>;
  /** Why run.json could not be read; the other fields are then absent. */
  error?: string;
}

/** The summary of one run folder's run.json (an `error` entry when it is not a run record). */
async function readRun(name: string, dir: string): Promise<RunSummary> {
  const path = join(dir, RUN_FILE);
  let r: RunRecord;
  try {
    r = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    return { name, path, error: `${RUN_FILE} is not valid JSON (${(e as Error).message})` };
  }
  if (typeof r !== 'object' || r === null || typeof r.model !== 'string' || typeof r.started !== 'string' || !Array.isArray(r.epochs))
    return { name, path, error: `${RUN_FILE} is not a run record (no model, started or epochs)` };
  const lastEpoch = r.epochs[r.epochs.length - 1];
  const { epoch: _epoch, step: _step, steps: _steps, ...epochMetrics } = lastEpoch ?? {};
  const metrics = r.metrics && Object.keys(r.metrics).length > 0 ? r.metrics : epochMetrics;
  return { name, path, model: r.model, status: r.status, epochs: r.epochs.length, steps: r.steps, started: r.started, ended: r.ended, git_revision: r.git?.revision ?? null, config: r.config, metrics };
}

/** Every run under `logdir`: the folder itself when it holds a run.json, else its sub-folders that do. */
export async function findRuns(logdir: string): Promise<RunSummary[]> {
  const s = await stat(logdir).catch(() => null);
  if (!s?.isDirectory()) throw new ValueError(`--logdir ${logdir}: ${s ? 'is a file, not a folder' : 'no such folder'} (train --logdir ${join(logdir, 'NAME')} writes a run there)`);
  if (await stat(join(logdir, RUN_FILE)).catch(() => null)) return [await readRun(logdir, logdir)];
  const entries = await readdir(logdir, { withFileTypes: true });
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const runs: RunSummary[] = [];
  for (const name of dirs) if (await stat(join(logdir, name, RUN_FILE)).catch(() => null)) runs.push(await readRun(name, join(logdir, name)));
  return runs.sort((a, b) => (a.started ?? '').localeCompare(b.started ?? '') || a.name.localeCompare(b.name));
}

const cell = (v: unknown): string =>
  v === undefined || v === null ? '-' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)))) : String(v);

/** Rows as a text table with aligned columns. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** The table `shadergrad runs` prints: name, model, status, epochs, steps, start, the differing settings, then the metrics. */
export function runsTable(runs: RunSummary[]): string {
  const ok = runs.filter((r) => !r.error);
  const configKeys = [...new Set(ok.flatMap((r) => Object.keys(r.config ?? {})))].filter(
    (k) => new Set(ok.map((r) => JSON.stringify(r.config?.[k]))).size > 1,
  );
  const metricKeys = [...new Set(ok.flatMap((r) => Object.keys(r.metrics ?? {})))];
  const header = ['run', 'model', 'status', 'epochs', 'steps', 'started', ...configKeys, ...metricKeys];
  const rows = runs.map((r) =>
    r.error
      ? [r.name, '-', `unreadable: ${r.error}`, ...header.slice(3).map(() => '')]
      : [r.name, r.model, r.status, r.epochs, r.steps, r.started?.slice(0, 16).replace('T', ' '), ...configKeys.map((k) => r.config?.[k]), ...metricKeys.map((k) => r.metrics?.[k])].map(cell),
  );
  return table(header, rows);
}

export async function listRuns(o: { logdir: string; json: boolean }): Promise<void> {
  const runs = await findRuns(o.logdir);
  console.log(runs.length === 0 ? `no runs under ${o.logdir} (train --logdir ${join(o.logdir, 'NAME')} writes one)` : runsTable(runs));
  if (o.json) printJsonLine({ command: 'runs', metrics: { runs } });
}
