// Where the browser process's CPU went in a Chromium trace: its top-level tasks' CPU summed by
// the code that posted them (`src_file`/`src_func` of 'toplevel' tasks), per thread, e.g. the
// blob system's file reads against IndexedDB's writes (issue 16: the browser process's CPU).
import { readFileSync } from 'node:fs';

import type { TraceEvent } from './pipeline-trace.ts';

interface Posted extends TraceEvent {
  args?: { name?: string; src_file?: string; src_func?: string };
}

/** Report lines: per browser-process thread, its busiest posting sites, CPU ms per image. */
export function describeBrowserTasks(path: string, images: number, top = 6): string[] {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: Posted[] } | Posted[];
  const events = Array.isArray(raw) ? raw : raw.traceEvents;
  const browser = new Set(
    events.filter((e) => e.name === 'process_name' && e.args?.name === 'Browser').map((e) => e.pid),
  );
  const threads = new Map<string, string>();
  for (const e of events)
    if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
  const bySite = new Map<string, Map<string, { ms: number; n: number }>>();
  const outerEnd = new Map<string, number>();
  const tasks = events
    .filter((e) => browser.has(e.pid) && e.ph === 'X' && e.tdur !== undefined)
    .filter((e) => /RunTask/.test(e.name))
    .sort((a, b) => a.ts - b.ts);
  for (const e of tasks) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ts < (outerEnd.get(key) ?? -1)) continue;
    outerEnd.set(key, e.ts + (e.dur ?? 0));
    const thread = threads.get(key) ?? key;
    const site = `${e.args?.src_file ?? '?'} ${e.args?.src_func ?? ''}`.trim();
    const sites = bySite.get(thread) ?? new Map<string, { ms: number; n: number }>();
    const s = sites.get(site) ?? { ms: 0, n: 0 };
    s.ms += (e.tdur ?? 0) / 1000;
    s.n++;
    sites.set(site, s);
    bySite.set(thread, sites);
  }
  const lines = ['  browser process, CPU by posting site (ms/image, tasks/image):'];
  const total = (m: Map<string, { ms: number }>) => [...m.values()].reduce((a, b) => a + b.ms, 0);
  for (const [thread, sites] of [...bySite].sort((a, b) => total(b[1]) - total(a[1])).slice(0, 3)) {
    lines.push(`    ${thread}: ${(total(sites) / images).toFixed(1)} ms/image`);
    for (const [site, s] of [...sites].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
      lines.push(
        `      ${(s.ms / images).toFixed(1).padStart(7)}  ${(s.n / images).toFixed(1).padStart(6)}  ${site}`,
      );
    }
  }
  return lines;
}
