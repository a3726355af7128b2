// One thread's name and CPU time from Linux's /proc: read by the Node pipeline's per-thread
// figures (thread-cpu.ts) and by the browser benches' per-process ones (browser/proc-cpu.ts).
import { readFileSync } from 'node:fs';

/** `pid` 'self' for this process; undefined when the thread has ended (or off Linux). */
export function taskCpu(
  pid: number | 'self',
  tid: string,
): { name: string; ms: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, in clock ticks (USER_HZ: 100 per second on Linux).
  return { name, ms: (Number(fields[11]) + Number(fields[12])) * 10 };
}
