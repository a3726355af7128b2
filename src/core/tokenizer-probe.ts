/**
 * The timed tokenizer probe (issue 10, item 5): before a model folder is installed, its tokenizer
 * encodes long probe texts in a separate worker (a Web Worker in the app, a worker thread in the
 * CLI) that is terminated if it overruns its budget, since a backtracking regular expression
 * cannot be interrupted in its own thread. This module is the part both runtimes share: the
 * texts, the work done inside the worker, and the supervision (timers, messages) outside it.
 */
import { MumicError } from './errors.ts';
import { tokenizerPatterns } from './regex-screen.ts';
import { Tokenizer } from '@huggingface/tokenizers';

/**
 * Characters per probe text: about twice the longest prompt a label can make (a 300-character
 * label in a template), so a tokenizer that passes handles every real label in time.
 */
export const PROBE_LENGTH = 600;

export interface ProbeBudget {
  /** Loading tokenizer.json (MBs of JSON; worker start-up included). */
  loadMs: number;
  /** Encoding every probe text (docs/ROBUSTNESS.md has the measured cost: well under 1 s). */
  probeMs: number;
}

export const PROBE_BUDGET: ProbeBudget = { loadMs: 60_000, probeMs: 10_000 };

/** What the worker is given: tokenizer.json and tokenizer_config.json, parsed. */
export interface ProbeRequest {
  tokenizer: unknown;
  tokenizerConfig: unknown;
}

export type ProbeReply =
  | { type: 'loaded' }
  | { type: 'done'; texts: number }
  | { type: 'failed'; name: string; message: string };

/**
 * Runs of one character ended by another (backtracking fails at the end), for common character
 * kinds and for every ASCII character the tokenizer's own patterns name, plus mixed runs.
 */
export function probeTexts(tokenizer: unknown, length = PROBE_LENGTH): string[] {
  const chars = new Set(['a', 'A', '1', ' ', '!', "'", '.', '-', '_', 'é', '中', '\n', '\t']);
  if (typeof tokenizer === 'object' && tokenizer !== null) {
    for (const { regex } of tokenizerPatterns(tokenizer as Record<string, unknown>)) {
      for (const c of regex.replace(/\\[pPu]\{[^}]*\}/g, '')) {
        if (c > ' ' && c <= '~' && chars.size < 64) chars.add(c);
      }
    }
  }
  const texts = [...chars].map((c) => c.repeat(length) + (c === '!' ? 'a' : '!'));
  for (const unit of ['ab', 'a1', 'a ', "a'", 'a!', ' !']) {
    texts.push(unit.repeat(Math.ceil(length / unit.length)) + '\u0000');
  }
  return texts;
}

/**
 * Inside the worker: load, say so, encode every probe text, say so; failures are replies too.
 * The library itself, not a model family's wrapper: its normalizer and pre-tokenizer patterns
 * are what can hang, whatever the family does around them.
 */
export function runTokenizerProbe(request: ProbeRequest, reply: (r: ProbeReply) => void): void {
  try {
    const config = request.tokenizerConfig as ConstructorParameters<typeof Tokenizer>[1];
    const tokenizer = new Tokenizer(request.tokenizer as object, config);
    reply({ type: 'loaded' });
    const texts = probeTexts(request.tokenizer);
    for (const text of texts) tokenizer.encode(text, { add_special_tokens: false });
    reply({ type: 'done', texts: texts.length });
  } catch (e) {
    const error = e as { name?: unknown; message?: unknown };
    reply({ type: 'failed', name: String(error.name), message: String(error.message) });
  }
}

/** The worker as the supervisor sees it, whatever the runtime. */
export interface ProbeWorker {
  post(request: ProbeRequest): void;
  onReply(listener: (reply: ProbeReply) => void): void;
  /** The worker failed to start or crashed. */
  onCrash(listener: (error: unknown) => void): void;
  terminate(): void;
}

const seconds = (ms: number): string => `${ms / 1000} s`;

/**
 * Outside the worker: resolves when every probe text was encoded within the budget; otherwise
 * terminates the worker and rejects with ModelFileInvalid naming tokenizer.json (or the
 * tokenizer's own error). The worker is always terminated.
 */
export function superviseProbe(
  worker: ProbeWorker,
  request: ProbeRequest,
  budget: ProbeBudget = PROBE_BUDGET,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    const invalid = (what: string): MumicError =>
      new MumicError('ModelFileInvalid', `tokenizer.json: ${what}`);
    const arm = (ms: number, what: string): void => {
      clearTimeout(timer);
      timer = setTimeout(() => settle(invalid(what)), ms);
    };
    worker.onReply((reply) => {
      if (reply.type === 'loaded') {
        arm(
          budget.probeMs,
          `tokenizing probe texts of ${PROBE_LENGTH} characters took longer than ${seconds(budget.probeMs)}: a pattern in it backtracks, and would hang the app on a long label`,
        );
      } else if (reply.type === 'done') {
        settle();
      } else {
        // The folder's fault either way: a tokenizer that fails to load or to encode plain text.
        settle(
          /tokenizer(_config)?\.json/.test(reply.message)
            ? new MumicError('ModelFileInvalid', reply.message)
            : invalid(`a probe text could not be tokenized (${reply.name}: ${reply.message})`),
        );
      }
    });
    worker.onCrash((error) => {
      const detail = error instanceof Error ? error.message : String(error);
      settle(invalid(`the tokenizer check stopped: ${detail}`));
    });
    arm(budget.loadMs, `loading it took longer than ${seconds(budget.loadMs)}`);
    worker.post(request);
  });
}
