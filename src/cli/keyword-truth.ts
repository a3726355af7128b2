/** `--truth-from keywords`: each photo's keywords (embedded and in sidecars) as its answers. */
import { readFile } from 'node:fs/promises';
import { MumicError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { judgeInputFile } from '../core/image-files.ts';
import type { Label } from '../core/labels/index.ts';
import {
  matchKeywords,
  parseCompleteLabels,
  photoKeywordLeaves,
  readEmbeddedKeywords,
  readSidecarKeywords,
  sidecarNames,
  type KeywordLists,
} from '../core/xmp/index.ts';
import { collectFiles } from './files.ts';

export interface KeywordTruth {
  /** Photos with at least one keyword. */
  files: string[];
  photoLabels: string[][];
  complete: ReadonlySet<string>;
  errors: { file: string; error: ErrorInfo }[];
  notes: {
    complete_labels: number;
    photos_without_keywords: number;
    unknown_keywords: Record<string, number>;
    warning?: string;
  };
}

/**
 * Reads the keywords of the photos under `paths`. A photo with no keyword at all is left out (it
 * was not keyworded, which says nothing of its labels); one whose metadata or sidecar cannot be
 * read is listed under errors.
 */
export async function keywordTruth(
  paths: readonly string[],
  labels: readonly Label[],
  completeSpec: string | null,
): Promise<KeywordTruth> {
  const complete =
    completeSpec === null ? new Set<string>() : parseCompleteLabels(completeSpec, labels);
  const photos = (await collectFiles(paths)).filter((f) => judgeInputFile(f, '').take);
  const truth: KeywordTruth = {
    files: [],
    photoLabels: [],
    complete,
    errors: [],
    notes: { complete_labels: complete.size, photos_without_keywords: 0, unknown_keywords: {} },
  };
  if (complete.size === 0) {
    truth.notes.warning =
      'no --complete-labels: every known answer is a "yes", so there are no negatives to rank against';
  }
  for (const file of photos) {
    let leaves: string[];
    try {
      leaves = await photoLeaves(file);
    } catch (error) {
      truth.errors.push({ file, error: toErrorInfo(error) });
      continue;
    }
    if (leaves.length === 0) {
      truth.notes.photos_without_keywords++;
      continue;
    }
    const match = matchKeywords(leaves, labels);
    for (const k of match.unknown) {
      truth.notes.unknown_keywords[k] = (truth.notes.unknown_keywords[k] ?? 0) + 1;
    }
    truth.files.push(file);
    truth.photoLabels.push(match.labelIds);
  }
  if (truth.files.length === 0) {
    throw new MumicError('InvalidArgument', `no photo under ${paths.join(', ')} has keywords`);
  }
  return truth;
}

async function photoLeaves(file: string): Promise<string[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new MumicError('FileUnreadable', `${file}: ${(cause as Error).message}`, { cause });
  }
  const embedded = await readEmbeddedKeywords(bytes, file);
  const sidecars: KeywordLists[] = [];
  for (const name of sidecarNames(file)) {
    const text = await readFile(name, 'utf8').catch((cause: NodeJS.ErrnoException) => {
      if (cause.code === 'ENOENT') return null;
      throw new MumicError('FileUnreadable', `${name}: ${cause.message}`, { cause });
    });
    if (text !== null) sidecars.push(readSidecarKeywords(text, name).keywords);
  }
  return photoKeywordLeaves(embedded, sidecars);
}
