import { Worker } from 'node:worker_threads';
import {
  PROBE_BUDGET,
  superviseProbe,
  type ProbeBudget,
  type ProbeReply,
} from '../core/tokenizer-probe.ts';

/**
 * Encodes long probe texts with the model's tokenizer on a worker thread, terminated if it
 * overruns the budget: ModelFileInvalid naming tokenizer.json instead of a hung install.
 */
export async function probeTokenizerInThread(
  info: { tokenizer: { json: unknown; config: unknown } },
  budget: ProbeBudget = PROBE_BUDGET,
): Promise<void> {
  const worker = new Worker(new URL('./tokenizer-probe-boot.js', import.meta.url));
  await superviseProbe(
    {
      post: (request) => worker.postMessage(request),
      onReply: (listener) => worker.on('message', (reply: ProbeReply) => listener(reply)),
      onCrash: (listener) => {
        worker.on('error', listener);
        worker.on('exit', (code) => listener(new Error(`the probe thread exited (${code})`)));
      },
      terminate: () => void worker.terminate(),
    },
    {
      tokenizer: info.tokenizer.json,
      tokenizerConfig: info.tokenizer.config,
    },
    budget,
  );
}
