// What `npm run models` downloads: a Hub repo pinned to one commit, and each file's size and hash.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MumicError } from '../src/core/errors.ts';
import { onnxPath } from '../src/core/model-files.ts';
import { parseModelNotes } from '../src/core/model-notes.ts';
import { DTYPES, type Dtype, type Tower } from '../src/core/types.ts';

export const DEFAULT_MANIFEST = resolve(import.meta.dirname, 'default-model.json');

/** The non-weight files the app reads (see loadModelFolder). */
export const CONFIG_FILES = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
] as const;

export const TOWERS: readonly Tower[] = ['vision', 'text'];

export interface ManifestFile {
  /** Path inside the repo, '/'-separated, e.g. `onnx/vision_model_q4.onnx`. */
  path: string;
  /** null: not pinned; only --trust-on-first-use accepts such a file. */
  size: number | null;
  sha256: string | null;
  /** The Hub's git blob id for small (non-LFS) files; checked when given. */
  gitSha1?: string | undefined;
  /** A public figure for the size when no exact one is known: shown by --list, never checked. */
  approxSize?: number | undefined;
}

export interface ModelManifest {
  /** Folder name under public/models/. */
  id: string;
  name: string;
  repo: string;
  /** A full commit hash: a branch name could move under a pinned hash. "main" when not pinned. */
  revision: string;
  /** False when no public source established a commit: then only --trust-on-first-use installs. */
  revisionPinned: boolean;
  defaultDtypes: Dtype[];
  files: ManifestFile[];
  /** Where the manifest came from, for messages. */
  source: string;
  /** What the model is for, in one line (`--list`). */
  purpose?: string | undefined;
  /** Written into the installed folder as mumic-model.json (calibration, dtypes per backend). */
  notes?: Record<string, unknown> | undefined;
}

const ID = /^[A-Za-z0-9][\w.-]*$/;
const REPO = /^[\w.-]+\/[\w.-]+$/;
const COMMIT = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const SHA1 = /^[0-9a-f]{40}$/;

export function isModelId(id: string): boolean {
  return ID.test(id) && !id.endsWith('.part');
}

export async function loadManifest(file = DEFAULT_MANIFEST): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new MumicError('InvalidArgument', `cannot read the manifest ${file}: ${String(cause)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new MumicError('InvalidArgument', `${file} is not valid JSON: ${String(cause)}`);
  }
  return parseManifest(json, file);
}

export function parseManifest(json: unknown, source: string): ModelManifest {
  const bad = (what: string): MumicError =>
    new MumicError('InvalidArgument', `manifest ${source}: ${what}`);
  if (!isRecord(json)) throw bad('expected a JSON object');
  const str = (key: string, re?: RegExp): string => {
    const v = json[key];
    if (typeof v !== 'string' || (re && !re.test(v))) throw bad(`"${key}" is missing or invalid`);
    return v;
  };
  const id = str('id');
  if (!isModelId(id)) throw bad(`"id" must be a plain folder name, not ${JSON.stringify(id)}`);
  const revisionPinned = json['revision'] !== null;
  const revision = revisionPinned ? str('revision') : 'main';
  if (revisionPinned && !COMMIT.test(revision)) {
    throw bad(
      `"revision" must be a full 40-hex commit hash (a branch can move), or null when none is known, not "${revision}"`,
    );
  }
  const rawFiles = json['files'];
  if (!Array.isArray(rawFiles)) throw bad('"files" must be an array');
  const files = rawFiles.map((f: unknown, i): ManifestFile => {
    if (!isRecord(f) || typeof f['path'] !== 'string' || !safePath(f['path'])) {
      throw bad(`files[${i}].path must be a relative path inside the repo`);
    }
    const path = f['path'];
    const size = f['size'] ?? null;
    if (size !== null && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) {
      throw bad(`${path}: "size" must be a byte count or null`);
    }
    const sha256 = f['sha256'] ?? null;
    if (sha256 !== null && (typeof sha256 !== 'string' || !SHA256.test(sha256))) {
      throw bad(`${path}: "sha256" must be 64 lower-case hex digits or null`);
    }
    const gitSha1 = f['gitSha1'];
    if (gitSha1 !== undefined && (typeof gitSha1 !== 'string' || !SHA1.test(gitSha1))) {
      throw bad(`${path}: "gitSha1" must be 40 lower-case hex digits`);
    }
    const approx = f['approxSize'];
    if (approx !== undefined && (typeof approx !== 'number' || !(approx > 0))) {
      throw bad(`${path}: "approxSize" must be a positive number`);
    }
    return {
      path,
      size,
      sha256,
      ...(gitSha1 === undefined ? {} : { gitSha1 }),
      ...(approx === undefined ? {} : { approxSize: approx }),
    };
  });
  const dtypes = json['defaultDtypes'];
  if (!Array.isArray(dtypes) || dtypes.length === 0 || !dtypes.every(isDtype)) {
    throw bad(`"defaultDtypes" must list some of ${DTYPES.join(', ')}`);
  }
  const name = typeof json['name'] === 'string' ? json['name'] : id;
  const notes = json['notes'];
  if (notes !== undefined) {
    try {
      parseModelNotes(notes, `manifest ${source}: notes`);
    } catch (cause) {
      throw bad((cause as Error).message);
    }
  }
  const manifest: ModelManifest = {
    id,
    name,
    repo: str('repo', REPO),
    revision,
    revisionPinned,
    defaultDtypes: dtypes,
    files,
    source,
    purpose: typeof json['purpose'] === 'string' ? json['purpose'] : undefined,
    notes: isRecord(notes) ? notes : undefined,
  };
  filesFor(manifest, manifest.defaultDtypes); // the defaults must be installable
  return manifest;
}

/** Dtypes whose weights the manifest lists for both towers. */
export function availableDtypes(manifest: ModelManifest): Dtype[] {
  const paths = new Set(manifest.files.map((f) => f.path));
  return DTYPES.filter((d) => TOWERS.every((t) => paths.has(onnxPath(t, d))));
}

/** The files to install for these dtypes: the configs, then each tower's weights. */
export function filesFor(manifest: ModelManifest, dtypes: readonly Dtype[]): ManifestFile[] {
  const byPath = new Map(manifest.files.map((f) => [f.path, f]));
  const wanted = [
    ...CONFIG_FILES,
    ...DTYPES.filter((d) => dtypes.includes(d)).flatMap((d) => TOWERS.map((t) => onnxPath(t, d))),
  ];
  return wanted.map((path) => {
    const file = byPath.get(path);
    if (!file) {
      throw new MumicError(
        'ModelDtypeUnavailable',
        `manifest ${manifest.source} lists no ${path} (dtypes available: ${availableDtypes(manifest).join(', ') || 'none'})`,
      );
    }
    return file;
  });
}

/** `q8,q4` → ['q8', 'q4']; `all` → every dtype the manifest (or folder) has. */
export function parseDtypes(value: string, all: readonly Dtype[]): Dtype[] {
  if (value.trim() === 'all') return [...all];
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new MumicError('InvalidArgument', '--dtypes is empty');
  for (const d of items) {
    if (!isDtype(d)) {
      throw new MumicError(
        'InvalidArgument',
        `--dtypes: unknown dtype "${d}" (known: ${DTYPES.join(', ')}, or "all")`,
      );
    }
  }
  return DTYPES.filter((d) => items.includes(d));
}

export function isDtype(v: unknown): v is Dtype {
  return typeof v === 'string' && (DTYPES as readonly string[]).includes(v);
}

/** Relative, '/'-separated, no `..` or empty segments: it becomes a path on disk and in a URL. */
export function safePath(path: string): boolean {
  return (
    path.length > 0 &&
    !path.startsWith('/') &&
    !path.includes('\\') &&
    path.split('/').every((s) => s !== '' && s !== '.' && s !== '..')
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
