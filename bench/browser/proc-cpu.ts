// CPU time of Chromium's processes from Linux's /proc, by process type and thread name, between
// two snapshots: all the CPU, the model's WASM threads included, and independent of the trace
// (whose own collection runs on the browser process's threads). Linux only; elsewhere, empty.
import { readdirSync, readFileSync } from 'node:fs';
import { taskCpu } from '../proc-task.ts';

/** CPU seconds by "process type: thread name" (a snapshot). */
export type ProcSnapshot = Map<string, number>;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process or thread ended meanwhile
  }
}

/** Pids descended from `root` (this Node process: the browser it launched and its children). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    const ppid = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
    if (ppid !== undefined) parent.set(Number(name), Number(ppid));
  }
  const out: number[] = [];
  const within = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) return true;
    }
    return false;
  };
  for (const pid of parent.keys()) if (within(pid)) out.push(pid);
  return out;
}

/** CPU seconds so far of every Chromium thread under this process. */
export function procSnapshot(root = process.pid): ProcSnapshot {
  const out: ProcSnapshot = new Map();
  if (process.platform !== 'linux') return out;
  for (const pid of descendants(root)) {
    // Chromium rewrites its children's titles: arguments may be joined by spaces.
    const cmdline = read(`/proc/${pid}/cmdline`)?.split(/[\0 ]/) ?? [];
    if (!/chrom/i.test(cmdline[0] ?? '')) continue;
    const type = cmdline.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser';
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const task = taskCpu(pid, tid);
      if (!task) continue;
      const key = `${type}: ${task.name.replace(/\d+$/, '')}`;
      out.set(key, (out.get(key) ?? 0) + task.ms / 1000);
    }
  }
  return out;
}

/** Report lines: CPU ms per image between two snapshots, busiest first, and by process. */
export function describeProcCpu(
  before: ProcSnapshot,
  after: ProcSnapshot,
  images: number,
  top = 10,
): string[] {
  const diff = [...after]
    .map(([k, s]) => [k, (s - (before.get(k) ?? 0)) * 1000] as const)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1]);
  const byProcess = new Map<string, number>();
  for (const [k, ms] of diff) {
    const p = k.slice(0, k.indexOf(':'));
    byProcess.set(p, (byProcess.get(p) ?? 0) + ms);
  }
  const per = (ms: number) => (ms / images).toFixed(0).padStart(6);
  return [
    `  CPU from /proc (all threads, the model's included), ms/image: ${[...byProcess]
      .map(([p, ms]) => `${p} ${per(ms).trim()}`)
      .join(', ')}`,
    ...diff.slice(0, top).map(([k, ms]) => `    ${per(ms)} ms/image  ${k}`),
  ];
}

/**
 * Waits until Chromium's processes together use under `share` of one core over a second (at most
 * `limitMs`): what the app still does after its load (storing a model) is then not in the batch.
 * Resolves with the ms waited.
 */
export async function untilQuiet(share = 0.05, limitMs = 120_000): Promise<number> {
  const started = Date.now();
  const total = (s: ProcSnapshot) => [...s.values()].reduce((a, b) => a + b, 0);
  let last = total(procSnapshot());
  while (Date.now() - started < limitMs) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = total(procSnapshot());
    if (now - last < share) break;
    last = now;
  }
  return Date.now() - started;
}
