// CPU time by thread in a Chromium trace ('toplevel' tasks carry thread CPU time as `tdur`): where
// a run's CPU went outside the model (the page, the CLIP worker's own tasks, image decoding on
// Chromium's pool threads, storage), which a loaded machine distorts far less than wall-clock
// time. onnxruntime-web's compute does not show: its WASM threads run in tasks that never end
// within the trace, so the figures are the CPU that is not the model's.
import { readFileSync } from 'node:fs';

import { userTimingSpans, type TraceEvent } from './pipeline-trace.ts';

export interface ThreadCpu {
  thread: string;
  cpuMs: number;
  tasks: number;
}

/**
 * CPU ms of top-level tasks that ended in the trace, summed by thread name (busiest first); only
 * within the user-timing measure `window` if given (e.g. the bare loop's, without its set-up).
 */
export function cpuByThread(path: string, window?: string): ThreadCpu[] {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as
    { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(raw) ? raw : raw.traceEvents;
  const names = new Map<string, string>();
  const processes = new Map<number, string>();
  for (const e of events) {
    if (e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
    if (e.name === 'process_name') processes.set(e.pid, e.args?.name ?? '?');
  }
  const out = new Map<string, ThreadCpu>();
  // Outermost tasks only: a task nested in another (same thread) is already in its time.
  const outerEnd = new Map<string, number>();
  const span = window === undefined ? undefined : userTimingSpans(events).get(window)?.[0];
  const inside = (e: TraceEvent) =>
    !span || (e.ts >= span.start && e.ts + (e.dur ?? 0) <= span.end);
  const tasks = events
    .filter((e) => e.ph === 'X' && e.tdur !== undefined && /RunTask/.test(e.name) && inside(e))
    .sort((a, b) => a.ts - b.ts);
  for (const e of tasks) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ts < (outerEnd.get(key) ?? -1)) continue;
    outerEnd.set(key, e.ts + (e.dur ?? 0));
    const thread = `${processes.get(e.pid) ?? e.pid}: ${names.get(`${e.pid}:${e.tid}`) ?? e.tid}`;
    const t = out.get(thread) ?? { thread, cpuMs: 0, tasks: 0 };
    t.cpuMs += (e.tdur ?? 0) / 1000;
    t.tasks++;
    out.set(thread, t);
  }
  return [...out.values()].sort((a, b) => b.cpuMs - a.cpuMs);
}

/** Report lines: the busiest threads' CPU per image, and the total. */
export function describeCpu(threads: ThreadCpu[], images: number, top = 8): string[] {
  const total = threads.reduce((s, t) => s + t.cpuMs, 0);
  return [
    `  CPU of top-level tasks (the model's WASM threads not counted): ${(total / images).toFixed(0)} ms/image; busiest threads:`,
    ...threads
      .slice(0, top)
      .map((t) => `    ${(t.cpuMs / images).toFixed(1).padStart(7)} ms/image  ${t.thread}`),
  ];
}
