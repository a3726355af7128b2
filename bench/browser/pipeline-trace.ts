// Reads a Chromium trace of the benchmark's pipeline run: where batches were prepared (the nested
// prepare worker, or the CLIP worker itself) and the prepare worker's wall-clock and CPU time.
// (The CLIP worker thread's own tasks did not account for session.run in these traces, so its
// busy/idle time is not reported: onnxruntime-web's compute was not attributed to it.)
import { readFileSync } from 'node:fs';

export interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  id?: string;
  id2?: { local?: string };
  args?: { name?: string };
}

/** Names of the user-timing measures the app's workers and the bench page record. */
export const MEASURES = {
  window: 'bench:pipeline',
  inWorker: 'mumic:prepare',
  inClipWorker: 'mumic:prepare-here',
} as const;

interface Span {
  tid: number;
  start: number;
  end: number;
}

export interface PipelineTrace {
  windowMs: number;
  prepareWorker: { batches: number; prepareMs: number; busyMs: number; cpuMs: number };
  /** Batches the CLIP worker prepared itself (the nested worker was booting, or failed). */
  preparedInClipWorker: { batches: number; ms: number };
}

export function readPipelineTrace(path: string): PipelineTrace {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as
    { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(raw) ? raw : raw.traceEvents;
  const spans = userTimingSpans(events);
  const window = spans.get(MEASURES.window)?.[0];
  if (!window) throw new Error(`no ${MEASURES.window} measure in the trace`);
  const inWindow = (s: Span) => s.start >= window.start && s.end <= window.end;
  const remote = (spans.get(MEASURES.inWorker) ?? []).filter(inWindow);
  const local = (spans.get(MEASURES.inClipWorker) ?? []).filter(inWindow);
  const prepareTid = remote[0]?.tid;

  const workers = new Set(
    events
      .filter((e) => e.name === 'thread_name' && /DedicatedWorker/.test(e.args?.name ?? ''))
      .map((e) => e.tid),
  );
  const busy = new Map<number, { wall: number; cpu: number }>();
  for (const e of events) {
    if (e.ph !== 'X' || !/RunTask/.test(e.name) || !workers.has(e.tid)) continue;
    if (e.ts < window.start || e.ts + (e.dur ?? 0) > window.end) continue;
    const b = busy.get(e.tid) ?? { wall: 0, cpu: 0 };
    b.wall += e.dur ?? 0;
    b.cpu += e.tdur ?? 0;
    busy.set(e.tid, b);
  }
  const prep = (prepareTid === undefined ? undefined : busy.get(prepareTid)) ?? { wall: 0, cpu: 0 };
  const ms = (us: number) => us / 1000;
  const sum = (list: Span[]) => list.reduce((t, s) => t + s.end - s.start, 0);
  const windowUs = window.end - window.start;
  return {
    windowMs: ms(windowUs),
    prepareWorker: {
      batches: remote.length,
      prepareMs: ms(sum(remote)),
      busyMs: ms(prep.wall),
      cpuMs: ms(prep.cpu),
    },
    preparedInClipWorker: { batches: local.length, ms: ms(sum(local)) },
  };
}

/** User-timing measures by name: complete events, or async begin/end pairs. */
export function userTimingSpans(events: TraceEvent[]): Map<string, Span[]> {
  const out = new Map<string, Span[]>();
  const open = new Map<string, TraceEvent>();
  const add = (name: string, span: Span) => out.set(name, [...(out.get(name) ?? []), span]);
  for (const e of events) {
    if (!e.cat?.includes('blink.user_timing')) continue;
    if (e.ph === 'X') add(e.name, { tid: e.tid, start: e.ts, end: e.ts + (e.dur ?? 0) });
    const key = `${e.name}:${e.pid}:${e.id ?? e.id2?.local ?? ''}`;
    if (e.ph === 'b') open.set(key, e);
    if (e.ph === 'e') {
      const begin = open.get(key);
      if (begin) add(e.name, { tid: begin.tid, start: begin.ts, end: e.ts });
      open.delete(key);
    }
  }
  return out;
}

/** Lines for the benchmark's report, per image where it helps. */
export function describeTrace(t: PipelineTrace, images: number): string[] {
  const per = (ms: number) => `${(ms / images).toFixed(1)} ms/image`;
  return [
    `  prepare worker      ${t.prepareWorker.batches} batches, ${per(t.prepareWorker.prepareMs)} preparing (CPU ${per(t.prepareWorker.cpuMs)})`,
    `  prepared in the CLIP worker: ${t.preparedInClipWorker.batches} batches, ${t.preparedInClipWorker.ms.toFixed(0)} ms`,
  ];
}
