import { toErrorInfo } from '../core/errors.ts';

/** Writes one JSON line to stdout, honouring back-pressure so large batches stay bounded. */
export function writeLine(value: unknown): Promise<void> {
  const line = `${JSON.stringify(value)}\n`;
  return new Promise((resolve) => {
    if (process.stdout.write(line)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}

/** Rounds to float32 precision in JSON: embeddings are float32, more digits are noise. */
export function toJsonNumbers(values: Float32Array): number[] {
  return Array.from(values, (v) => Number(v.toPrecision(8)));
}

/** A failure of the whole command (not of one file): named, on stderr. */
export function reportFatal(error: unknown): number {
  const info = toErrorInfo(error);
  process.stderr.write(`mumic: ${info.name}: ${info.message}\n`);
  return 2;
}
