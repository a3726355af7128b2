// The tokenizer probe's worker thread (see core/tokenizer-probe.ts): one request, then done.
import { parentPort } from 'node:worker_threads';
import { runTokenizerProbe, type ProbeRequest } from '../core/tokenizer-probe.ts';

parentPort?.once('message', (request: ProbeRequest) => {
  runTokenizerProbe(request, (reply) => parentPort?.postMessage(reply));
});
