import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MumicError, toErrorInfo, type ErrorInfo } from '../../core/errors.ts';
import { MAX_FILE_BYTES } from '../../core/image-header.ts';
import type { Library, PhotoRecord } from './library-files.ts';

/** A row to keep: its record (with fresh size/mtime) and the library row its embedding is in. */
export interface KeptRow {
  record: PhotoRecord;
  row: number;
}

export interface IndexPlan {
  kept: KeptRow[];
  /** Files to encode, with what they will be recorded as. */
  encode: PhotoRecord[];
  failed: { file: string; error: ErrorInfo }[];
  /** Rows whose files are gone (or changed and failed). */
  removed: number;
  /** Rows whose file changed (then re-encoded, or reused from a copy with the same content). */
  changed: number;
}

const GONE = new Set(['ENOENT', 'ENOTDIR']);

/**
 * Decides, without encoding anything, what a re-index does: a file whose size and mtime are
 * unchanged keeps its row; otherwise its content hash decides: a hash the library already holds
 * (the same file touched, or a copy) reuses that row's embedding, a new hash is encoded. Rows of
 * files that no longer exist are dropped; rows of existing files not named this time are kept.
 */
export async function planIndex(
  library: Library | undefined,
  files: readonly string[],
): Promise<IndexPlan> {
  const old = library?.photos ?? [];
  const rowOfFile = new Map(old.map((p, i) => [p.file, i]));
  const rowOfHash = new Map(old.map((p, i) => [p.sha256, i]));
  const plan: IndexPlan = { kept: [], encode: [], failed: [], removed: 0, changed: 0 };
  const named = new Set(files);
  // Rows not named this time: kept while the file exists.
  for (const [i, record] of old.entries()) {
    if (named.has(record.file)) continue;
    const info = await stat(record.file).catch((e: NodeJS.ErrnoException) => e);
    if (info instanceof Error && GONE.has(info.code ?? '')) plan.removed++;
    else plan.kept.push({ record, row: i });
  }
  for (const file of files) {
    const row = rowOfFile.get(file);
    const prior = row === undefined ? undefined : old[row];
    let record: PhotoRecord;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new MumicError('FileUnreadable', `${file} is not a regular file`);
      if (prior && row !== undefined && prior.size === info.size && prior.mtime === info.mtimeMs) {
        plan.kept.push({ record: prior, row });
        continue;
      }
      if (info.size > MAX_FILE_BYTES) {
        throw new MumicError(
          'FileTooLarge',
          `${file} is ${info.size} bytes; the limit is ${MAX_FILE_BYTES}`,
        );
      }
      record = { file, sha256: await sha256File(file), size: info.size, mtime: info.mtimeMs };
    } catch (error) {
      if (prior) plan.removed++;
      plan.failed.push({ file, error: toErrorInfo(unreadable(file, error)) });
      continue;
    }
    if (prior) plan.changed++;
    const same = rowOfHash.get(record.sha256);
    if (same !== undefined) plan.kept.push({ record, row: same });
    else plan.encode.push(record);
  }
  return plan;
}

function unreadable(file: string, error: unknown): unknown {
  if (error instanceof MumicError) return error;
  return new MumicError('FileUnreadable', `cannot read ${file}: ${(error as Error).message}`, {
    cause: error,
  });
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
