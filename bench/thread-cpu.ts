// CPU time per thread of this process, from /proc (Linux), grouped as the pipeline's stages run
// on them: the main thread (onnxruntime's session.run, one intra-op thread here, and the loop),
// libvips' workers (JPEG/PNG decoding), and every other thread (prepare threads' JavaScript:
// resize, file reads; V8's GC helpers; libuv's pool). Elsewhere: an empty reading.
import { readdirSync } from 'node:fs';
import { taskCpu } from './proc-task.ts';

export type ThreadCpu = Map<string, number>;

/** CPU ms per thread id (with its group), now. */
export function threadCpu(): ThreadCpu {
  const out: ThreadCpu = new Map();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tasks) {
    const task = taskCpu('self', tid);
    if (!task) continue; // the thread ended meanwhile
    const group =
      tid === String(process.pid) ? 'main' : task.name.startsWith('libvips') ? 'libvips' : 'other';
    out.set(`${group}:${tid}`, task.ms);
  }
  return out;
}

/** CPU ms per group (main, libvips, other) between two readings, per `images`. */
export function cpuByGroup(before: ThreadCpu, after: ThreadCpu, images: number): string {
  const groups = new Map<string, number>([
    ['main', 0],
    ['libvips', 0],
    ['other', 0],
  ]);
  for (const [key, ms] of after) {
    const group = key.slice(0, key.indexOf(':'));
    groups.set(group, (groups.get(group) ?? 0) + ms - (before.get(key) ?? 0));
  }
  if (after.size === 0) return '';
  return [...groups].map(([g, ms]) => `${g} ${(ms / images).toFixed(0)}`).join(', ');
}
