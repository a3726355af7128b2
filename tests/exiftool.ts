// exiftool (Debian's libimage-exiftool-perl, installed by .ci/run) is the independent reader and
// writer of the sidecar tests. Missing, it fails the suite loudly: a skipped check looks green.
import { execFileSync } from 'node:child_process';

function version(): string | null {
  try {
    return execFileSync('exiftool', ['-ver'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

export const EXIFTOOL_VERSION = version();
if (EXIFTOOL_VERSION === null) {
  throw new Error(
    'exiftool not found: install it (Debian: apt-get install libimage-exiftool-perl; .ci/run does).',
  );
}

/** Runs exiftool quietly; returns stdout. */
export const exiftool = (args: readonly string[]): string =>
  execFileSync('exiftool', ['-q', '-q', ...args], { encoding: 'utf8' });

/** Tag values of one file, exactly as exiftool reads them (lists as arrays of strings). */
export function readTags(file: string, tags: readonly string[]): Record<string, string[]> {
  const [json] = JSON.parse(exiftool(['-j', '-G1', ...tags.map((t) => `-${t}`), file])) as [
    Record<string, unknown>,
  ];
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(json ?? {})) {
    if (key === 'SourceFile') continue;
    out[key] = (Array.isArray(value) ? value : [value]).map(String);
  }
  return out;
}
