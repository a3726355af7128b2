import { open, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { MumicError } from '../core/errors.ts';
import type { ModelSource } from '../core/types.ts';

/** Read in slices so progress moves on big ONNX files (hundreds of MB) without a second copy. */
const CHUNK = 8 * 1024 * 1024;

/** Codes that mean "there is no such file here" rather than "the disk failed". */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

/** A model folder on the local disk. */
export class NodeModelSource implements ModelSource {
  readonly location: string;

  constructor(dir: string) {
    this.location = resolve(dir);
  }

  async read(
    path: string,
    onProgress?: (loaded: number, total: number | undefined) => void,
  ): Promise<Uint8Array> {
    const file = this.resolve(path);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (cause) {
      throw this.failure(path, cause);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        throw new MumicError('ModelFileMissing', `${path} is not a file in ${this.location}`);
      }
      const size = info.size;
      // Told before the buffer is made: a reader bounding the size refuses here (model-limits).
      onProgress?.(0, size);
      const bytes = new Uint8Array(size);
      let loaded = 0;
      while (loaded < size) {
        const { bytesRead } = await handle.read(
          bytes,
          loaded,
          Math.min(CHUNK, size - loaded),
          loaded,
        );
        if (bytesRead === 0) break; // truncated while reading; JSON/ONNX parsing will say so
        loaded += bytesRead;
        onProgress?.(loaded, size);
      }
      return loaded === size ? bytes : bytes.subarray(0, loaded);
    } catch (cause) {
      throw this.failure(path, cause);
    } finally {
      await handle.close();
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      return (await stat(this.resolve(path))).isFile();
    } catch (cause) {
      if (MISSING.has((cause as NodeJS.ErrnoException).code ?? '')) return false;
      throw this.failure(path, cause);
    }
  }

  /** Paths are model-relative with '/'; refuse anything that would leave the folder. */
  private resolve(path: string): string {
    const file = resolve(this.location, path);
    const rel = relative(this.location, file);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      throw new MumicError('InvalidArgument', `${path} is not a path inside ${this.location}`);
    }
    return file;
  }

  private failure(path: string, cause: unknown): MumicError {
    if (cause instanceof MumicError) return cause;
    const code = (cause as NodeJS.ErrnoException).code ?? '';
    if (MISSING.has(code)) {
      return new MumicError('ModelFileMissing', `${path} is missing from ${this.location}`, {
        cause,
      });
    }
    const why = cause instanceof Error ? cause.message : String(cause);
    return new MumicError('ModelLoadFailed', `could not read ${path} in ${this.location}: ${why}`, {
      cause,
    });
  }
}
