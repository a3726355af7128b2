import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MumicError } from '../core/errors.ts';
import { DTYPES, type Dtype } from '../core/types.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const MODEL_OPTIONS = {
  model: { type: 'string' },
  dtype: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new MumicError('InvalidArgument', (cause as Error).message, { cause });
  }
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
