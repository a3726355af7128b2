import { MumicError } from './errors.ts';

/**
 * Browser storage failures (Cache Storage, IndexedDB, OPFS) as the product's error names. A full
 * quota becomes StorageQuotaExceeded with what was being stored and what a person can free;
 * anything else StorageFailed.
 */

/** What was being stored when storage failed, for the message. */
export interface StorageContext {
  /** e.g. "onnx/vision_model_quantized.onnx of model clip-vit-base-patch32". */
  what: string;
  /** What was being done (default "store"), e.g. "read". */
  action?: string | undefined;
  /** Size of what was being stored, when known. */
  bytes?: number | undefined;
  /** navigator.storage.estimate() at the time, when known. */
  usage?: number | undefined;
  quota?: number | undefined;
}

/** DOMException names browsers use for a full quota (Firefox's legacy one included). */
const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED']);

export function isQuotaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  // Legacy DOMException code 22 is QUOTA_EXCEEDED_ERR.
  return (typeof name === 'string' && QUOTA_NAMES.has(name)) || code === 22;
}

/** Decimal MB/GB, as docs/MODELS.md counts sizes. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`;
  return `${bytes} B`;
}

/** What a person can free, in the order most likely to help. */
export const FREE_SPACE_ADVICE =
  'Free space: remove photos and results you no longer need (in the app), delete other mumic ' +
  "models' files (browser settings → site data for this site → Cache Storage " +
  '"mumic-models"), or clear other sites\' data or free disk space on this device; then reload';

/**
 * Maps an error thrown by a storage API to a MumicError: StorageQuotaExceeded (naming what was
 * being stored, its size, the space used and what to free) or StorageFailed. A MumicError passes
 * through unchanged.
 */
export function storageError(cause: unknown, context: StorageContext): MumicError {
  if (cause instanceof MumicError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (!isQuotaError(cause)) {
    return new MumicError(
      'StorageFailed',
      `could not ${context.action ?? 'store'} ${context.what}: ${detail}`,
      {
        cause,
      },
    );
  }
  const size = context.bytes !== undefined ? ` (${formatBytes(context.bytes)})` : '';
  const used =
    context.usage !== undefined && context.quota !== undefined
      ? ` (${formatBytes(context.usage)} of ${formatBytes(context.quota)} used)`
      : '';
  return new MumicError(
    'StorageQuotaExceeded',
    `could not ${context.action ?? 'store'} ${context.what}${size}: the browser's storage for this site is full${used}. ${FREE_SPACE_ADVICE}.`,
    { cause },
  );
}
