// `npm run models`: fetches a manifest's files from a Hugging Face endpoint into a download cache,
// verifies every one, and only then moves the model into the models directory.
import { copyFile, link, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MumicError } from '../src/core/errors.ts';
import { onnxPath } from '../src/core/model-files.ts';
import { loadModelFolder } from '../src/core/model-folder.ts';
import { MODEL_NOTES_FILE } from '../src/core/model-notes.ts';
import type { Dtype } from '../src/core/types.ts';
import { NodeModelSource } from '../src/cli/model-source-node.ts';
import { commitInstall, dtypesOf } from './commit-install.ts';
import {
  DOWNLOAD_DEFAULTS,
  downloadFile,
  megabytes,
  tokenProblem,
  type DownloadOptions,
} from './download-file.ts';
import { digestFile, digestMismatch, type FileDigest } from './file-digest.ts';
import { filesFor, TOWERS, type ManifestFile, type ModelManifest } from './model-manifest.ts';
import type { InstalledFile, ModelEntry } from './models-index.ts';
import type { Reporter } from './progress.ts';
import { stagingDir } from './publish-model-dir.ts';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export interface HubInstallOptions {
  manifest: ModelManifest;
  /** Default: the manifest's defaultDtypes. */
  dtypes?: readonly Dtype[] | undefined;
  /** e.g. https://huggingface.co or a mirror; files come from `<endpoint>/<repo>/resolve/<revision>/<path>`. */
  endpoint: string;
  modelsDir: string;
  /** Partial and verified downloads live here until the whole model is ready (resumable). */
  cacheDir: string;
  /** Accept files the manifest does not pin, recording the hash of what was received. */
  trustOnFirstUse?: boolean | undefined;
  /** Hugging Face token, sent to the endpoint only (gated or private repos). */
  token?: string | undefined;
  download?: Partial<Pick<DownloadOptions, 'stallTimeoutMs' | 'attempts' | 'backoffMs'>>;
  report?: Reporter | undefined;
}

export function fileUrl(endpoint: string, repo: string, revision: string, path: string): string {
  const segments = path.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/+$/, '')}/${repo}/resolve/${revision}/${segments}`;
}

export async function installHubModel(opts: HubInstallOptions): Promise<ModelEntry> {
  const { manifest, report } = opts;
  const dtypes = opts.dtypes ?? manifest.defaultDtypes;
  const files = filesFor(manifest, dtypes);
  // The SHA-256 is the check; a size, when known, only fails a wrong download earlier.
  const unpinned = files.filter((f) => f.sha256 === null);
  if (!manifest.revisionPinned && !opts.trustOnFirstUse) {
    throw new MumicError(
      'InvalidArgument',
      `${manifest.source}: no public source established a commit of ${manifest.repo} to pin, so its files would come from the moving branch "main". Pass --trust-on-first-use to accept what the server sends now and record its hashes in index.json`,
    );
  }
  if (unpinned.length > 0 && !opts.trustOnFirstUse) {
    throw new MumicError(
      'InvalidArgument',
      `${unpinned.map((f) => f.path).join(', ')}: no SHA-256 pinned in ${manifest.source}, so the download could not be verified. Pin them there, or pass --trust-on-first-use to accept what the server sends and record its hash in index.json`,
    );
  }
  if (opts.trustOnFirstUse && (unpinned.length > 0 || !manifest.revisionPinned)) {
    report?.info(
      `--trust-on-first-use: ${manifest.revisionPinned ? '' : `"${manifest.revision}" is not a pinned commit; `}${unpinned.length} file(s) will be accepted unverified and their SHA-256 recorded as received.`,
    );
  }

  const target = join(opts.modelsDir, manifest.id);
  const staging = stagingDir(opts.cacheDir, manifest.id, manifest.revision);
  await mkdir(staging, { recursive: true });
  const known = files.reduce((sum, f) => sum + (f.size ?? 0), 0);
  report?.info(
    `Installing ${manifest.repo} at ${manifest.revision.slice(0, 12)} (dtypes ${dtypes.join(', ')}): ${files.length} files, ${megabytes(known)}, into ${target}`,
  );

  // Refused before any request: the token would otherwise go out in clear text.
  const problem = opts.token ? tokenProblem(new URL(opts.endpoint)) : undefined;
  if (problem) throw new MumicError('InsecureDownload', problem);
  const download: DownloadOptions = {
    ...DOWNLOAD_DEFAULTS,
    ...opts.download,
    auth: opts.token
      ? { origin: new URL(opts.endpoint).origin, authorization: `Bearer ${opts.token}` }
      : undefined,
    session: { reachable: false },
    onNotice: (message) => report?.info(`  ${message}`),
  };
  const installed: InstalledFile[] = [];
  for (const file of files) {
    const dest = join(staging, file.path);
    await mkdir(dirname(dest), { recursive: true });
    const digest =
      (await reuse(file, dest, join(target, file.path), report)) ??
      (await fetchFile(file, dest, opts, download, report));
    installed.push({ path: file.path, size: digest.size, sha256: digest.sha256 });
  }

  // Exactly the requested files go live: the cache may hold other dtypes from earlier runs.
  const ready = `${staging}.ready-${process.pid}`;
  await rm(ready, { recursive: true, force: true });
  try {
    for (const file of files) {
      await mkdir(dirname(join(ready, file.path)), { recursive: true });
      await linkOrCopy(join(staging, file.path), join(ready, file.path));
    }
    if (manifest.notes) {
      // What the split towers do not say (a SigLIP calibration, dtypes per backend).
      const notesPath = join(ready, MODEL_NOTES_FILE);
      await writeFile(notesPath, `${JSON.stringify(manifest.notes, null, 2)}\n`);
      const digest = await digestFile(notesPath);
      installed.push({ path: MODEL_NOTES_FILE, size: digest.size, sha256: digest.sha256 });
    }
    try {
      await validate(ready, files);
    } catch (error) {
      // An unpinned file that fails validation must not be reused from the cache next time.
      for (const f of files) {
        if (f.sha256 === null) await rm(join(staging, f.path), { force: true });
      }
      throw error;
    }
    const entry: ModelEntry = {
      id: manifest.id,
      name: manifest.name,
      dtypes: dtypesOf(installed),
      files: installed,
      repo: manifest.repo,
      revision: manifest.revision,
      purpose: manifest.purpose,
    };
    await commitInstall(ready, opts.modelsDir, entry);
    await rm(staging, { recursive: true, force: true });
    return entry;
  } finally {
    await rm(ready, { recursive: true, force: true });
  }
}

/** A verified copy already on disk: in the download cache, or in the current install. */
async function reuse(
  file: ManifestFile,
  dest: string,
  installed: string,
  report: Reporter | undefined,
): Promise<FileDigest | undefined> {
  const cached = await verified(dest, file);
  if (cached) {
    report?.fileDone(file.path, 'already downloaded, verified');
    return cached;
  }
  // An unpinned file on disk cannot be told apart from a damaged one: fetch it again.
  if (file.sha256 === null) return undefined;
  const current = await verified(installed, file);
  if (!current) return undefined;
  await linkOrCopy(installed, dest);
  report?.fileDone(file.path, 'already installed, verified');
  return current;
}

async function fetchFile(
  file: ManifestFile,
  dest: string,
  opts: HubInstallOptions,
  download: DownloadOptions,
  report: Reporter | undefined,
): Promise<FileDigest> {
  const { manifest } = opts;
  report?.fileStart(file.path, file.size);
  const digest = await downloadFile(
    { ...file, url: fileUrl(opts.endpoint, manifest.repo, manifest.revision, file.path) },
    dest,
    {
      ...download,
      onProgress: (received, total) => report?.fileProgress(file.path, received, total),
    },
  );
  if (file.sha256 === null) {
    report?.fileDone(
      file.path,
      `${megabytes(digest.size)}, NOT VERIFIED (trusted on first use): SHA-256 ${digest.sha256}`,
    );
  } else {
    report?.fileDone(file.path, `${megabytes(digest.size)}, SHA-256 verified`);
  }
  return digest;
}

/** The digest of `path` when it exists and matches the pins (a mismatching copy is ignored). */
async function verified(path: string, file: ManifestFile): Promise<FileDigest | undefined> {
  let digest: FileDigest;
  try {
    digest = await digestFile(path, { gitSha1: file.gitSha1 !== undefined });
  } catch {
    return undefined;
  }
  return digestMismatch(digest, file) === undefined ? digest : undefined;
}

/**
 * Pinned files are trusted by hash; the folder is still parsed (cheap) so a manifest listing the
 * wrong files fails here. Unpinned weights are opened, as a local folder's are.
 */
async function validate(dir: string, files: readonly ManifestFile[]): Promise<void> {
  const { family } = await loadModelFolder(new NodeModelSource(dir));
  const trusted = new Set(files.filter((f) => f.sha256 === null).map((f) => f.path));
  if (trusted.size === 0) return;
  const { checkOnnxTower } = await import('./check-onnx-tower.ts');
  for (const tower of TOWERS) {
    for (const file of files) {
      if (!trusted.has(file.path) || !isWeightOf(file.path, tower)) continue;
      await checkOnnxTower(join(dir, file.path), tower, `${file.path} (downloaded)`, family);
    }
  }
}

function isWeightOf(path: string, tower: 'vision' | 'text'): boolean {
  return path.startsWith(onnxPath(tower, 'fp32').replace(/\.onnx$/, ''));
}

/** A hard link costs no space or time; a copy when links are not possible (other file system). */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await rm(to, { force: true });
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}
