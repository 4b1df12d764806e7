// File I/O for Node: safetensors by path, and checkpoints written atomically (a crash mid-save keeps
// the previous file): temp file in the same directory, fsync, rename over the target, fsync the directory.
import { access, constants, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkTargets, checkpointBytes, restoreCheckpoint, type CheckpointTargets, type RunPosition } from '../io/checkpoint.js';
import * as core from '../io/safetensors.js';
import { ValueError } from '../core/errors.js';

/** Whether process `pid` is running (EPERM: it is, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files `.NAME.tmp-PID-*` that writers of `path` killed mid-save left behind: only those
 * of processes no longer running (a live writer's file is in use). Returns the names removed.
 */
export async function removeStaleTempFiles(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return []; // the directory's problems are reported by the write itself
  }
  const stale = names.filter((n) => {
    if (!n.startsWith(prefix)) return false;
    const pid = Number(/^([1-9][0-9]*)-/.exec(n.slice(prefix.length))?.[1]);
    return Number.isSafeInteger(pid) && pid !== process.pid && !alive(pid);
  });
  await Promise.all(stale.map((n) => rm(join(dir, n), { force: true })));
  return stale;
}

/**
 * Writes `bytes` to `path` so that readers see either the old file or the whole new one, never a part;
 * first removes the temp files of earlier writers of `path` that were killed mid-save.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await removeStaleTempFiles(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const file = await open(tmp, 'wx');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } catch (e) {
    await file.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await file.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync(); // makes the rename itself durable
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic there
  } finally {
    await d.close();
  }
}

/**
 * `sg.save(model.stateDict(), 'mlp.safetensors')` writes a file (atomically);
 * without a path it returns the bytes, as in browsers.
 */
export async function save(state: core.StateDict, path: string, options?: core.SaveOptions): Promise<void>;
export async function save(state: core.StateDict, path?: undefined, options?: core.SaveOptions): Promise<ArrayBuffer>;
export async function save(state: core.StateDict, path?: string, options: core.SaveOptions = {}): Promise<ArrayBuffer | void> {
  core.checkSaveOptions(options);
  const bytes = core.serialize(await core.toHost(state), options.metadata);
  if (path === undefined) return bytes.buffer as ArrayBuffer;
  await writeFileAtomic(path, bytes);
}

/** `model.loadStateDict(await sg.load('mlp.safetensors'))`; also takes the bytes themselves. */
export async function load(source: string | ArrayBuffer | ArrayBufferView, options: core.LoadOptions = {}): Promise<core.StateDict> {
  core.checkLoadOptions(options);
  return core.load(typeof source === 'string' ? await readFile(source) : source, options);
}

/** Saves model, optimizer, scheduler, RNG stream and run position to `path`, atomically. */
export async function saveCheckpoint(path: string, targets: CheckpointTargets, position: RunPosition): Promise<void> {
  await writeFileAtomic(path, await checkpointBytes(targets, position));
}

/** Restores a checkpoint written by saveCheckpoint into `targets`; returns the run position. */
export async function loadCheckpoint(path: string, targets: CheckpointTargets): Promise<RunPosition> {
  checkTargets('loadCheckpoint', targets);
  return restoreCheckpoint(await readFile(path), targets);
}

/** Throws a ValueError naming `argument` unless `path` is an existing regular file this process can read. */
export async function checkReadableFile(path: string, argument: string): Promise<void> {
  const s = await stat(path).catch(() => null);
  if (!s) throw new ValueError(`${argument} ${path}: no such file`);
  if (!s.isFile()) throw new ValueError(`${argument} ${path}: ${s.isDirectory() ? 'is a directory' : 'is not a regular file'}`);
  await access(path, constants.R_OK).catch(() => {
    throw new ValueError(`${argument} ${path}: not readable (permission denied)`);
  });
}

/** Throws a ValueError naming `argument` unless a file can be written at `path` (its folder exists and is writable; it is not a folder). */
export async function checkWritableFilePath(path: string, argument: string): Promise<void> {
  const existing = await stat(path).catch(() => null);
  if (existing?.isDirectory()) throw new ValueError(`${argument} ${path}: is a directory, not a file`);
  const dir = dirname(path);
  const d = await stat(dir).catch(() => null);
  if (!d || !d.isDirectory()) throw new ValueError(`${argument} ${path}: the folder ${dir} does not exist`);
  await access(dir, constants.W_OK).catch(() => {
    throw new ValueError(`${argument} ${path}: the folder ${dir} is not writable`);
  });
}
