// Runs the independent event-file reader (read_tfevents.py: Python stdlib only, no shadergrad code) on a
// file and returns what it read, or the rule the file broke.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const READER = resolve(import.meta.dirname, 'read_tfevents.py');

export interface ReadValue {
  tag: string;
  simple_value?: number | 'NaN' | 'Infinity' | '-Infinity';
  histo?: { min: number; max: number; num: number; sum: number; sum_squares: number; bucket_limit: number[]; bucket: number[] };
  image?: { height: number; width: number; colorspace: number; png: { width: number; height: number; bit_depth: number; color_type: number; channels?: number; pixels_sha256?: string } };
}
export interface ReadEvent {
  wall_time: number;
  step: number;
  file_version?: string;
  summary?: ReadValue[];
}
export type ReadResult = { records: number; events: ReadEvent[] } | { error: string; records_read: number };

/** The reader's verdict on `path` (exit 0 with the events, or exit 1 with the error; anything else throws). */
export function readEventFile(path: string): ReadResult {
  const r = spawnSync('python3', [READER, path], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`read_tfevents.py exited with ${r.status}: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as ReadResult;
  if ((r.status === 0) !== 'events' in out) throw new Error(`read_tfevents.py: exit ${r.status} does not match its output ${r.stdout.slice(0, 200)}`);
  return out;
}

/** Every event of a file the reader accepts (a test failure naming the broken rule otherwise). */
export function readEvents(path: string): ReadEvent[] {
  const r = readEventFile(path);
  if ('error' in r) throw new Error(`${path}: ${r.error} (after ${r.records_read} records)`);
  return r.events;
}

/** The summary values of `events` as [step, value] pairs, in file order. */
export const summaryValues = (events: ReadEvent[]): [number, ReadValue][] => events.flatMap((e) => (e.summary ?? []).map((v) => [e.step, v] as [number, ReadValue]));

/** The event files (events.out.tfevents.*) in `dir`. */
export const eventFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('events.out.tfevents.')).map((n) => join(dir, n));
