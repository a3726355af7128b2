import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MumicError, type ErrorName } from '../core/errors.ts';
import { DTYPES, type Dtype } from '../core/types.ts';
import { readRegularFile } from './files.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes: the model, its dtype and --help. */
export const MODEL_OPTIONS = {
  model: { type: 'string' },
  dtype: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

// Help lines of the options several commands share (classify, eval, adapt).
export const MODEL_HELP = `  --model DIR|ID  a model folder in the Hugging Face layout, or an installed model's id`;
export const DTYPE_HELP = `  --dtype D       fp32 | fp16 | q8 | q4 | q4f16 (default: q8 when present, else fp32)`;

export const TRUTH_HELP = `  --truth FILE    the ground-truth CSV
  --truth-from keywords
                  instead of --truth: the keywords of the photos PATH... (files or folders):
                  embedded XMP, IPTC and EXIF keywords and their sidecars (NAME.EXT.xmp,
                  NAME.xmp), matched to label names (case-insensitive, the leaf of a hierarchy);
                  a keyword is a "yes"; photos without any keyword are left out
  --complete-labels FILE|all
                  with --truth-from keywords: labels your keywording is complete for (one name per
                  line, or all); only for them does a missing keyword count as "no"`;

export const TRUTH_OPTIONS = {
  truth: { type: 'string' },
  'truth-from': { type: 'string' },
  'complete-labels': { type: 'string' },
} as const satisfies Options;

export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new MumicError('InvalidArgument', (cause as Error).message, { cause });
  }
}

/**
 * Parses a command's arguments: MODEL_OPTIONS and the command's own `options`. With --help,
 * prints `help` and returns null (the command then exits 0).
 */
export function parseCommand<O extends Options>(argv: string[], help: string, options: O) {
  const parsed = parse(argv, { ...MODEL_OPTIONS, ...options });
  // Generic here, so TypeScript cannot see `help` in the values: MODEL_OPTIONS declares it.
  if (!(parsed.values as { help?: boolean }).help) return parsed;
  process.stdout.write(`${help}\n`);
  return null;
}

export function requireModel(value: string | undefined): string {
  if (!value) throw new MumicError('InvalidArgument', '--model DIR is required');
  return value;
}

export function parseDtype(value: string | undefined): Dtype | undefined {
  if (value === undefined) return undefined;
  if (!(DTYPES as readonly string[]).includes(value)) {
    throw new MumicError(
      'InvalidArgument',
      `--dtype must be one of ${DTYPES.join(', ')}, not "${value}"`,
    );
  }
  return value as Dtype;
}

/** A number option in [min, max], or undefined when not given. */
export function optionalNumber(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new MumicError(
      'InvalidArgument',
      `${name} must be a number in [${min}, ${max}], not "${value}"`,
    );
  }
  return n;
}

/** Far above any label set, head or truth file; a bound so a huge file fails by name. */
export const MAX_OPTION_FILE_BYTES = 256 * 1024 * 1024;

/**
 * The text of a file an option names. Failing to read it is a MumicError named `error`; a path
 * that is not a regular file (a FIFO, a device, a folder) is NotARegularFile.
 */
export async function readOptionFile(file: string, error: ErrorName): Promise<string> {
  try {
    return new TextDecoder().decode(await readRegularFile(file, MAX_OPTION_FILE_BYTES, error));
  } catch (cause) {
    if ((cause as Error).name === 'NotARegularFile') throw cause;
    const detail = (cause as Error).message;
    throw new MumicError(
      error,
      detail.startsWith('cannot') ? detail : `cannot read ${file}: ${detail}`,
      { cause },
    );
  }
}
