/**
 * Every failure the product can report, by name. Comlink forwards only `name`, `message` and
 * `stack` of an error thrown in the worker, so the name is the contract: the UI and the CLI map
 * it to a message a person understands (see `describeError`).
 */
export const ERROR_NAMES = [
  // model folder
  'ModelFileMissing',
  'ModelFileInvalid',
  'ModelDtypeUnavailable',
  'ModelLoadFailed',
  'InsecureDownload',
  // images
  'FileUnreadable',
  'EmptyFile',
  'UnsupportedImageFormat',
  'ImageDecodeFailed',
  'ImageTooLarge',
  'ImageSizeUnknown',
  'FileTooLarge',
  'NotARegularFile',
  // text
  'TokenizerFailed',
  // runtime
  'BackendUnavailable',
  'InferenceFailed',
  'ModelNotLoaded',
  'WorkerFailed',
  // app / store
  'Cancelled',
  'StorageQuotaExceeded',
  'StorageFailed',
  'ClearedElsewhere',
  'InvalidLabelSet',
  'TooManyLabels',
  'InvalidHead',
  'HeadMismatch',
  'InvalidFeedback',
  'InvalidArgument',
  // photo library (CLI index)
  'InvalidIndex',
  'IndexMismatch',
  // sidecars and keywords
  'SidecarMalformed',
  'SidecarUnwritable',
  'SidecarNameClash',
  'MetadataUnreadable',
] as const;

export type ErrorName = (typeof ERROR_NAMES)[number];

export class MumicError extends Error {
  declare readonly name: ErrorName;

  constructor(name: ErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Own property so structured clone / comlink carry it across the worker boundary.
    Object.defineProperty(this, 'name', { value: name, enumerable: true, configurable: true });
  }
}

export function isErrorName(value: unknown): value is ErrorName {
  return typeof value === 'string' && (ERROR_NAMES as readonly string[]).includes(value);
}

/** Whether `error` carries the product's error name `name` (a typed name, never a loose string). */
export function hasErrorName(error: unknown, name: ErrorName): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

/** A plain object (parsed JSON, a stored record): fields can be read and checked. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Plain, serialisable form used in CLI JSON lines and the UI. */
export interface ErrorInfo {
  name: ErrorName | 'Error';
  message: string;
}

export function toErrorInfo(error: unknown): ErrorInfo {
  if (
    error instanceof Error ||
    (typeof error === 'object' && error !== null && 'message' in error)
  ) {
    const e = error as { name?: unknown; message?: unknown };
    return {
      name: isErrorName(e.name) ? e.name : 'Error',
      message: String(e.message),
    };
  }
  return { name: 'Error', message: String(error) };
}

const HINTS: Record<ErrorName, string> = {
  ModelFileMissing: 'A file of the model is missing.',
  ModelFileInvalid: 'A file of the model is damaged or not what was expected.',
  ModelDtypeUnavailable: 'The model has no weights in the requested precision.',
  ModelLoadFailed: 'The model could not be loaded.',
  InsecureDownload: 'The download was refused because it would not be protected.',
  FileUnreadable: 'The file could not be read.',
  EmptyFile: 'The file is empty.',
  UnsupportedImageFormat: 'This file is not an image format that can be read here.',
  ImageDecodeFailed: 'The image is damaged or truncated and could not be decoded.',
  ImageTooLarge: 'The image has too many pixels to decode safely.',
  ImageSizeUnknown: 'The image does not state its size, so it cannot be decoded safely.',
  NotARegularFile: 'This is not an ordinary file (a folder, device or pipe), so it is not read.',
  FileTooLarge: 'The file is too large.',
  TokenizerFailed: 'The label text could not be tokenized.',
  BackendUnavailable: 'No inference backend could start on this device.',
  InferenceFailed: 'The model failed while computing.',
  ModelNotLoaded: 'No model is loaded yet.',
  WorkerFailed: 'The background worker stopped or stopped answering.',
  Cancelled: 'Cancelled.',
  StorageQuotaExceeded: 'Browser storage is full: clear stored results or models to free space.',
  StorageFailed: 'Browser storage could not be used.',
  ClearedElsewhere: 'Everything was cleared in another tab of this app, so this was not kept.',
  InvalidLabelSet: 'The label set file could not be read.',
  TooManyLabels: 'There are too many labels.',
  InvalidHead: 'The head file is damaged or not a head file.',
  HeadMismatch: 'The head file was made for another model or label set.',
  InvalidFeedback: 'The feedback file is damaged or not a feedback file.',
  InvalidArgument: 'An argument is not valid.',
  InvalidIndex: 'The library index is damaged or not a library index.',
  IndexMismatch: 'The library index was made with another model or precision.',
  SidecarMalformed: 'The XMP sidecar is not valid XMP; it was left untouched.',
  SidecarUnwritable: 'The XMP sidecar could not be written; the file was left as it was.',
  SidecarNameClash: 'Two photos would share one XMP sidecar; this one was not written.',
  MetadataUnreadable: "The photo's embedded metadata could not be read.",
};

/** A one-line message for a person: what happened, then the detail. */
export function describeError(error: unknown): string {
  const info = toErrorInfo(error);
  return info.name === 'Error' ? info.message : `${HINTS[info.name]} ${info.message}`.trim();
}
