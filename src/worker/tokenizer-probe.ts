import {
  PROBE_BUDGET,
  superviseProbe,
  type ProbeBudget,
  type ProbeReply,
} from '../core/tokenizer-probe.ts';

/**
 * Encodes long probe texts with a chosen folder's tokenizer on a nested worker, terminated if it
 * overruns the budget: ModelFileInvalid naming tokenizer.json instead of a hung CLIP worker.
 * Where workers cannot nest (or in Node) only the static screen of model-limits.ts applies.
 */
export async function probeTokenizerInWorker(
  info: { tokenizer: { json: unknown; config: unknown } },
  budget: ProbeBudget = PROBE_BUDGET,
): Promise<void> {
  if (typeof Worker === 'undefined') return;
  // This exact form lets Vite bundle the worker as its own chunk (build and dev server).
  const worker = new Worker(new URL('./tokenizer-probe-worker.ts', import.meta.url), {
    type: 'module',
    name: 'mumic-tokenizer-probe',
  });
  await superviseProbe(
    {
      post: (request) => worker.postMessage(request),
      onReply: (listener) => {
        worker.onmessage = (event: MessageEvent<ProbeReply>) => listener(event.data);
      },
      onCrash: (listener) => {
        worker.onerror = (event) => {
          event.preventDefault();
          listener(new Error(event.message || 'the probe worker could not start'));
        };
        worker.onmessageerror = () => listener(new Error('a message could not be read'));
      },
      terminate: () => worker.terminate(),
    },
    { tokenizer: info.tokenizer.json, tokenizerConfig: info.tokenizer.config },
    budget,
  );
}
