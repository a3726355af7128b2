// `npx tsx bench/tokenizer-probe.ts`: what the install-time tokenizer probe costs (issue 10,
// item 5) on the fixtures' tokenizers, and how long a hostile one takes to be stopped. Medians of
// 5 runs; the thread's start-up (tsx loader) is included, as an install pays it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeTokenizerInThread } from '../src/cli/tokenizer-probe-thread.ts';
import { probeTexts, PROBE_BUDGET, runTokenizerProbe } from '../src/core/tokenizer-probe.ts';
import { FIXTURE_DIR } from '../tests/fixture.ts';

const ROUNDS = 5;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const read = (dir: string, file: string): unknown =>
  JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run().catch(() => undefined);
  return performance.now() - start;
}

for (const name of ['clip-tiny', 'siglip-tiny']) {
  const dir = join(FIXTURE_DIR, '..', name);
  const tokenizer = {
    json: read(dir, 'tokenizer.json'),
    config: read(dir, 'tokenizer_config.json'),
  };
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++)
    ms.push(await timed(() => probeTokenizerInThread({ tokenizer })));
  const texts = probeTexts(tokenizer.json).length;
  // The encoding alone, in this thread: what the budget measures.
  const encode: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let loaded = 0;
    runTokenizerProbe({ tokenizer: tokenizer.json, tokenizerConfig: tokenizer.config }, (r) => {
      if (r.type === 'loaded') loaded = performance.now();
      if (r.type === 'done') encode.push(performance.now() - loaded);
    });
  }
  console.log(`${name}: encoding the ${texts} probe texts takes ${median(encode).toFixed(0)} ms`);
  console.log(
    `${name}: the whole probe (thread start, load, encode) passes in ${median(ms).toFixed(0)} ms (median of ${ROUNDS}; budget ${PROBE_BUDGET.probeMs} ms after loading)`,
  );
}

const hostile = read(FIXTURE_DIR, 'tokenizer.json') as {
  pre_tokenizer: { pretokenizers: { pattern: { Regex: string } }[] };
};
const split = hostile.pre_tokenizer.pretokenizers[0];
if (split) split.pattern.Regex = 'a*a*a*a*a*a*b|[\\p{L}]+';
const budget = { loadMs: 60_000, probeMs: 2_000 };
const stop = await timed(() =>
  probeTokenizerInThread(
    { tokenizer: { json: hostile, config: read(FIXTURE_DIR, 'tokenizer_config.json') } },
    budget,
  ),
);
console.log(
  `hostile (a*a*a*a*a*a*b): stopped after ${stop.toFixed(0)} ms with a ${budget.probeMs} ms budget`,
);
