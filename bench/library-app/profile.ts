// Where the page's main thread spent its time during a phase of bench/library-app.ts: a V8 CPU
// profile over the Chrome DevTools Protocol, summed by function (self time), the top few printed.
import type { Page } from '@playwright/test';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export async function profiled<T>(page: Page, top: number, phase: () => Promise<T>): Promise<T> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  const out = await phase();
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  await cdp.detach();
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byNode.get(id)?.callFrame;
    if (!f) return;
    const file = f.url.slice(f.url.lastIndexOf('/') + 1);
    const name = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const rows = [...self].filter(([n]) => !n.startsWith('(idle)')).sort((a, b) => b[1] - a[1]);
  console.log('  main thread, self time by function (CPU profile):');
  for (const [name, t] of rows.slice(0, top))
    console.log(`    ${t.toFixed(0).padStart(6)} ms  ${name}`);
  return out;
}
