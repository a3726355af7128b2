// What of a drop, paste or pick becomes a photo, and what is listed as skipped, with why.
import { judgeInputFile } from '../../core/image-files.ts';
import type { Collected, Picked } from '../collect-files.ts';

export interface SkippedFile {
  name: string;
  path: string;
  reason: string;
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** The images of a drop, and the other files (unreadable or not images) with the reason. */
export function intake(collected: Collected): { taken: Picked[]; skipped: SkippedFile[] } {
  const skipped = collected.unreadable.map((u) => ({
    name: baseName(u.path),
    path: u.path,
    reason: u.reason,
  }));
  const taken: Picked[] = [];
  for (const picked of collected.files) {
    const verdict = judgeInputFile(picked.path, picked.file.type);
    if (verdict.take) taken.push(picked);
    else skipped.push({ name: picked.file.name, path: picked.path, reason: verdict.reason });
  }
  return { taken, skipped };
}
