/** Decoded pixels, upright (EXIF applied), 8 bits per channel, row-major, interleaved. */
export interface DecodedImage {
  width: number;
  height: number;
  /** 1 (gray), 3 (RGB) or 4 (RGBA; alpha is dropped, not composited, as the reference does). */
  channels: 1 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
  /**
   * EXIF orientation (2-8) still to apply: the pixels, width and height are as stored. Set only
   * by a decoder asked to leave the turn to `preprocess` / `resize`, which turn only their small
   * result (exif-transpose.ts `upright` turns it for anything else). Absent: upright.
   */
  orientation?: number;
}

/** Weight precisions of the Hugging Face ONNX layout (transformers.js names). */
export const DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const;
export type Dtype = (typeof DTYPES)[number];

export type Backend = 'webgpu' | 'wasm' | 'node';

export type Tower = 'vision' | 'text';

/**
 * Reads the files of a model folder, wherever it lives (Node fs, fetch from the app's origin,
 * Cache Storage). Paths are relative to the model root, with '/' separators.
 */
export interface ModelSource {
  /** A human-readable location used in error messages. */
  readonly location: string;
  /** Resolves to the bytes, or rejects with MumicError('ModelFileMissing') naming the file. */
  read(
    path: string,
    onProgress?: (loaded: number, total: number | undefined) => void,
  ): Promise<Uint8Array>;
  /**
   * Optional, for a source that stores what it downloads (the browser's Cache Storage): the bytes
   * as soon as they are checked, and `stored`, which settles once they are kept for offline use
   * and rejects by name when they could not be. `read` waits for both; a reader that has work to
   * do with the bytes (a session to create) does it meanwhile.
   */
  readThenStore?(
    path: string,
    onProgress?: (loaded: number, total: number | undefined) => void,
  ): Promise<{ bytes: Uint8Array; stored: Promise<void> }>;
  exists(path: string): Promise<boolean>;
}

/** Bytes of one model file received so far (total unknown without Content-Length). */
export interface LoadProgress {
  file: string;
  loaded: number;
  total: number | undefined;
}
