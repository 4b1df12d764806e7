// Node: the git revision of a checkout, read from its .git folder (HEAD, loose refs, packed-refs; linked
// worktrees' `.git` files and commondir), so that a run record names the code it ran without needing git.
// Only `dirty` asks the git command, and is null where git is not installed.
import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export interface GitRevision {
  /** The commit HEAD points at (40 hex digits). */
  revision: string;
  /** The branch checked out, or null for a detached HEAD. */
  branch: string | null;
  /** Whether tracked files differ from that commit; null when git could not say. */
  dirty: boolean | null;
}

const read = (path: string) => readFile(path, 'utf8').then((s) => s.trim(), () => null);

/** The `.git` folder of the checkout holding `dir` (searching upwards), or null. */
async function findGitDir(dir: string): Promise<{ gitDir: string; workTree: string } | null> {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const dotGit = join(d, '.git');
    const s = await stat(dotGit).catch(() => null);
    if (s?.isDirectory()) return { gitDir: dotGit, workTree: d };
    if (s?.isFile()) {
      // a linked worktree or submodule: "gitdir: PATH"
      const m = /^gitdir:\s*(.+)$/m.exec((await read(dotGit)) ?? '');
      if (m) return { gitDir: resolve(d, m[1]), workTree: d };
    }
    if (dirname(d) === d) return null;
  }
}

/** The commit `ref` names: a loose ref in the worktree's or the common folder, else packed-refs. */
async function resolveRef(gitDir: string, commonDir: string, ref: string): Promise<string | null> {
  for (const base of [gitDir, commonDir]) {
    const loose = await read(join(base, ref));
    if (loose && /^[0-9a-f]{40}$/.test(loose)) return loose;
  }
  const packed = (await read(join(commonDir, 'packed-refs'))) ?? '';
  for (const line of packed.split('\n')) {
    const [sha, name] = line.split(' ');
    if (name === ref && /^[0-9a-f]{40}$/.test(sha)) return sha;
  }
  return null;
}

/** The revision of the checkout holding `dir`, or null when it is not in one (or HEAD names no commit yet). */
export async function gitRevision(dir: string): Promise<GitRevision | null> {
  const found = await findGitDir(dir);
  if (!found) return null;
  const { gitDir, workTree } = found;
  const common = await read(join(gitDir, 'commondir'));
  const commonDir = common ? resolve(gitDir, common) : gitDir;
  const head = await read(join(gitDir, 'HEAD'));
  if (!head) return null;
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  const revision = ref ? await resolveRef(gitDir, commonDir, ref) : /^[0-9a-f]{40}$/.test(head) ? head : null;
  if (!revision) return null;
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: workTree, encoding: 'utf8', timeout: 10_000 });
  const dirty = status.status === 0 ? status.stdout.trim() !== '' : null;
  return { revision, branch: ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null, dirty };
}
