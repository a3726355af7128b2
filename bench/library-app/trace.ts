// The long tasks of a phase of bench/library-app.ts, each taken apart: a Chromium trace over the
// Chrome DevTools Protocol (devtools.timeline), the page's main-thread tasks over 50 ms, and for
// each what ran in it (trace events by name: a script's function with its source place, layout,
// style, paint), longest first. The raw trace is written to `file` (open it in DevTools).
import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** The thread's CPU time in the event (wall time minus time descheduled), in µs. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { data?: { functionName?: string; url?: string; lineNumber?: number; name?: string } };
}

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8.execute',
  'blink.user_timing',
].join(',');

export async function traced<T>(page: Page, file: string, phase: () => Promise<T>): Promise<T> {
  const [out, events] = await tracing(page, CATEGORIES, file, phase);
  report(events as TraceEvent[]);
  return out;
}

/** The trace events (of `categories`) while `phase` runs, also written to `file`. */
export async function tracing<T>(
  page: Page,
  categories: string,
  file: string,
  phase: () => Promise<T>,
): Promise<[T, unknown[]]> {
  const cdp = await page.context().newCDPSession(page);
  const events: unknown[] = [];
  cdp.on('Tracing.dataCollected', (e) => void events.push(...e.value));
  const complete = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
  await cdp.send('Tracing.start', { categories, transferMode: 'ReportEvents' });
  const out = await phase();
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
  writeFileSync(file, JSON.stringify({ traceEvents: events }));
  return [out, events];
}

function report(events: TraceEvent[]): void {
  const main = events.find(
    (e) => e.name === 'thread_name' && (e.args as { name?: string })?.name === 'CrRendererMain',
  );
  const onMain = events.filter(
    (e) => e.ph === 'X' && main && e.pid === main.pid && e.tid === main.tid,
  );
  const tasks = onMain.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > 50_000);
  // The target is about the CPU a task takes on the main thread; on two shared cores a task's wall
  // time also counts the time the thread waited for a core, so both are given.
  const cpu = (e: TraceEvent) => (e.tdur ?? e.dur ?? 0) / 1000;
  const overCpu = tasks.filter((t) => cpu(t) > 50);
  console.log(
    `  main-thread tasks over 50 ms in the trace: ${tasks.length} by wall time, ` +
      `${overCpu.length} by the thread's CPU time` +
      (tasks.length ? ` (longest ${Math.max(...tasks.map(cpu)).toFixed(0)} ms of CPU)` : ''),
  );
  // By CPU, all tasks (not only those over 50 ms of wall time): the margin under the target.
  const cpus = onMain.filter((e) => e.name === 'RunTask').map(cpu);
  console.log(
    `  main-thread tasks by CPU: ${[30, 40, 50].map((t) => `${cpus.filter((c) => c > t).length} over ${t} ms`).join(', ')}; ` +
      `longest ${Math.max(0, ...cpus).toFixed(0)} ms; all tasks ${cpus.reduce((a, b) => a + b, 0).toFixed(0)} ms`,
  );
  const listed = onMain.filter(
    (e) => e.name === 'RunTask' && (cpu(e) > 30 || (e.dur ?? 0) > 50_000),
  );
  for (const task of listed.sort((a, b) => cpu(b) - cpu(a)).slice(0, 12)) {
    const end = task.ts + (task.dur ?? 0);
    const inside = onMain.filter(
      (e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end,
    );
    const byName = new Map<string, number>();
    for (const e of inside) {
      const d = e.args?.data;
      const where =
        d?.functionName || d?.url
          ? ` ${d.functionName ?? ''}@${(d.url ?? '').split('/').pop()}:${d.lineNumber ?? ''}`
          : '';
      const key = `${e.name}${where}`;
      byName.set(key, (byName.get(key) ?? 0) + (e.dur ?? 0) / 1000);
    }
    const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(
      `    ${((task.dur ?? 0) / 1000).toFixed(0)} ms (CPU ${cpu(task).toFixed(0)}): ${top.map(([n, t]) => `${n} ${t.toFixed(0)}`).join('; ')}`,
    );
  }
}
