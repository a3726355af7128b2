// The tokenizer probe's nested worker (see core/tokenizer-probe.ts): one request, then done.
import { runTokenizerProbe, type ProbeRequest } from '../core/tokenizer-probe.ts';

self.onmessage = ({ data }: MessageEvent<ProbeRequest>) => {
  runTokenizerProbe(data, (reply) => self.postMessage(reply));
};
