// What a reload of bench/library-app.ts waits for: a Chromium trace of all threads from the
// reload until the library is shown, then per thread its busy time per second, the network
// requests (with whether the service worker answered), and the longest events per thread.
import type { Page } from '@playwright/test';
import { tracing } from './trace.ts';

interface Ev {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown> & { data?: Record<string, unknown>; name?: string };
}

const CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8',
  'v8.wasm',
  'v8.execute',
  'blink.user_timing',
  'loading',
  'ServiceWorker',
  'IndexedDB',
].join(',');

export async function tracedReload<T>(
  page: Page,
  file: string,
  phase: () => Promise<T>,
): Promise<T> {
  const [out, events] = await tracing(page, CATEGORIES, file, phase);
  summarise(events as Ev[]);
  return out;
}

function summarise(events: Ev[]): void {
  const names = new Map<string, string>();
  for (const e of events)
    if (e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, String(e.args?.name));
  const nav = events.find((e) => e.name === 'navigationStart' || e.name === 'NavigationTiming');
  const t0 = nav?.ts ?? Math.min(...events.filter((e) => e.ts > 0).map((e) => e.ts));
  const marks = events.filter((e) => e.cat.includes('user_timing') && e.name.startsWith('mumic:'));
  console.log(
    `    marks: ${marks.map((m) => `${m.name.slice(6)} ${((m.ts - t0) / 1000).toFixed(0)}`).join(', ')}`,
  );
  // Top-level tasks per thread, busy ms per second.
  const busy = new Map<string, number[]>();
  for (const e of events) {
    if (e.ph !== 'X' || !(e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask'))
      continue;
    const key = `${e.pid}:${e.tid}`;
    const name = `${names.get(key) ?? '?'} ${key}`;
    const row = busy.get(name) ?? [];
    const s = Math.floor((e.ts - t0) / 1e6);
    if (s < 0) continue;
    row[s] = (row[s] ?? 0) + (e.dur ?? 0) / 1000;
    busy.set(name, row);
  }
  for (const [name, row] of [...busy].sort()) {
    const total = row.reduce((a, b) => a + (b ?? 0), 0);
    if (total < 50) continue;
    console.log(
      `    ${name.padEnd(36)} ${Array.from(row, (x) => String(Math.round(x ?? 0)).padStart(5)).join('')}`,
    );
  }
  // Requests.
  const sends = events.filter((e) => e.name === 'ResourceSendRequest');
  const finish = new Map(
    events.filter((e) => e.name === 'ResourceFinish').map((e) => [e.args?.data?.['requestId'], e]),
  );
  const resp = new Map(
    events
      .filter((e) => e.name === 'ResourceReceiveResponse')
      .map((e) => [e.args?.data?.['requestId'], e]),
  );
  for (const s of sends) {
    const id = s.args?.data?.['requestId'];
    const f = finish.get(id);
    const r = resp.get(id);
    const url = String(s.args?.data?.['url'] ?? '').replace(/^https?:\/\/[^/]+/, '');
    console.log(
      `    req ${((s.ts - t0) / 1000).toFixed(0).padStart(6)} → ${f ? ((f.ts - t0) / 1000).toFixed(0) : '?'} ms ${url.slice(0, 70)} ${r?.args?.data?.['fromServiceWorker'] ? 'SW' : ''}${r?.args?.data?.['fromCache'] ? ' cache' : ''} ${names.get(`${s.pid}:${s.tid}`) ?? ''}`,
    );
  }
  // Longest non-toplevel events per thread (what the busy seconds were).
  const per = new Map<string, Map<string, number>>();
  for (const e of events) {
    if (e.ph !== 'X' || e.name.includes('RunTask') || (e.dur ?? 0) < 5000) continue;
    const thread = names.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`;
    const d = e.args?.data;
    const where =
      d?.['functionName'] || d?.['url']
        ? ` ${String(d?.['functionName'] ?? '')}@${String(d?.['url'] ?? '')
            .split('/')
            .pop()}`
        : '';
    const m = per.get(thread) ?? new Map<string, number>();
    const k = `${e.name}${where}`;
    m.set(k, (m.get(k) ?? 0) + (e.dur ?? 0) / 1000);
    per.set(thread, m);
  }
  for (const [thread, m] of per) {
    const top = [...m].sort((a, b) => b[1] - a[1]).slice(0, 6);
    console.log(`    ${thread}: ${top.map(([k, v]) => `${k} ${v.toFixed(0)}`).join('; ')}`);
  }
}
