/**
 * `classify --xmp`: writes each photo's chosen labels as keywords into its XMP sidecar, merged into
 * the existing one. Writes are atomic (a temporary file in the same folder, synced, then renamed
 * over the sidecar), so a sidecar is never left truncated; the photo itself is never opened for
 * writing.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { MumicError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import type { Label } from '../core/labels/index.ts';
import { DEFAULT_KEYWORD_ROOT, labelKeywords } from '../core/xmp/keyword-paths.ts';
import { SIDECAR_NAMINGS, sidecarName, type SidecarNaming } from '../core/xmp/sidecar-names.ts';
import type { Options } from './args.ts';

export const XMP_OPTIONS = {
  xmp: { type: 'boolean' },
  'xmp-name': { type: 'string' },
  'keyword-root': { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const satisfies Options;

export const XMP_HELP = `  --xmp           write the chosen labels as keywords into an XMP sidecar beside each photo,
                  merged into an existing one (threshold 0.5 unless --threshold; see
                  docs/SIDECARS.md)
  --xmp-name N    ext: NAME.EXT.xmp (darktable, digiKam; default) | base: NAME.xmp (Lightroom)
  --keyword-root R  first level of the hierarchical keywords (default "mumic"; "" for none)
  --dry-run       with --xmp: report what would change, write nothing`;

/** What happened to one photo's sidecar (a field of its JSON line). */
export type SidecarReport =
  | {
      file: string;
      action: 'created' | 'updated' | 'unchanged';
      dry_run?: true;
      added: string[];
      removed: string[];
    }
  | { file: string; error: ErrorInfo };

export interface SidecarWriter {
  write(photo: string, labels: readonly Label[]): Promise<SidecarReport>;
}

/** The writer --xmp asks for, or null without --xmp (the other options then are errors). */
export function sidecarWriter(values: {
  xmp?: boolean;
  'xmp-name'?: string;
  'keyword-root'?: string;
  'dry-run'?: boolean;
}): SidecarWriter | null {
  const naming = values['xmp-name'] ?? 'ext';
  if (!values.xmp) {
    const stray = (['xmp-name', 'keyword-root', 'dry-run'] as const).find((k) => values[k]);
    if (stray) throw new MumicError('InvalidArgument', `--${stray} needs --xmp`);
    return null;
  }
  if (!(SIDECAR_NAMINGS as readonly string[]).includes(naming)) {
    throw new MumicError('InvalidArgument', `--xmp-name must be ext or base, not "${naming}"`);
  }
  const root = values['keyword-root'] ?? DEFAULT_KEYWORD_ROOT;
  const dryRun = values['dry-run'] === true;
  // Photos a.jpg and a.png share a.xmp under base naming: the second would undo the first.
  const owners = new Map<string, string>();
  return {
    async write(photo, labels) {
      const file = sidecarName(photo, naming as SidecarNaming);
      try {
        const owner = owners.get(resolve(file));
        if (owner !== undefined) {
          throw new MumicError('SidecarNameClash', `${file} is already the sidecar of ${owner}`);
        }
        owners.set(resolve(file), photo);
        const existing = await readExisting(file);
        // Loaded when used: the XML parser costs every other command start-up time.
        const { planSidecar } = await import('../core/xmp/sidecar-merge.ts');
        const plan = planSidecar(existing, labelKeywords(labels, root), file);
        if (plan.changed && !dryRun) await writeAtomically(file, plan.text);
        return {
          file,
          action: !plan.changed ? 'unchanged' : plan.created ? 'created' : 'updated',
          ...(dryRun ? { dry_run: true as const } : {}),
          added: plan.added.subject,
          removed: plan.removed.subject,
        };
      } catch (error) {
        return { file, error: toErrorInfo(error) };
      }
    },
  };
}

/** The current sidecar text, or null when there is none. */
async function readExisting(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new MumicError(
      'SidecarUnwritable',
      `${file}: cannot read it to merge into it: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** Temporary file in the same folder (so rename is atomic), synced, then renamed over `file`. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  // A symlinked sidecar stays a link: its target is what gets replaced.
  const file = await realpath(path).catch(() => path);
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // Keep the permissions of an existing sidecar; refuse one the person made read-only.
    const current = await stat(file).catch(() => null);
    if (current) await access(file, constants.W_OK);
    const handle = await open(temp, 'wx');
    try {
      if (current) await handle.chmod(current.mode & 0o7777);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (cause) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new MumicError('SidecarUnwritable', `${path}: ${(cause as Error).message}`, { cause });
  }
}
