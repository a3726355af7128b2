// `npm run models -- --from DIR --id ID`: validates a model folder in the Hugging Face layout and
// installs the files the app uses.
import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MumicError } from '../src/core/errors.ts';
import { onnxPath } from '../src/core/model-files.ts';
import { familyById } from '../src/core/families/index.ts';
import { loadModelFolder, type ModelInfo } from '../src/core/model-folder.ts';
import { MODEL_NOTES_FILE } from '../src/core/model-notes.ts';
import type { Dtype, Tower } from '../src/core/types.ts';
import { NodeModelSource } from '../src/cli/model-source-node.ts';
import { probeTokenizerInThread } from '../src/cli/tokenizer-probe-thread.ts';
import { checkOnnxTower } from './check-onnx-tower.ts';
import { commitInstall, dtypesOf } from './commit-install.ts';
import { megabytes } from './download-file.ts';
import { digestFile } from './file-digest.ts';
import { CONFIG_FILES, isModelId, TOWERS } from './model-manifest.ts';
import type { InstalledFile, ModelEntry } from './models-index.ts';
import type { Reporter } from './progress.ts';

export interface LocalInstallOptions {
  from: string;
  /** Folder name under the models directory. */
  id: string;
  /** Default: config.json `_name_or_path`, else the id. */
  name?: string | undefined;
  /** Install only these dtypes (each must exist for both towers); default: all the folder has. */
  dtypes?: readonly Dtype[] | undefined;
  modelsDir: string;
  /** Where the copy is assembled before it goes live. */
  cacheDir: string;
  report?: Reporter | undefined;
}

export async function installLocalModel(opts: LocalInstallOptions): Promise<ModelEntry> {
  if (!isModelId(opts.id)) {
    throw new MumicError(
      'InvalidArgument',
      `--id must be a plain folder name (letters, digits, . _ -), not "${opts.id}"`,
    );
  }
  const from = resolve(opts.from);
  const { report } = opts;
  // Required files, JSON shapes and tower sizes; names the file that is missing or wrong.
  const info = await loadModelFolder(new NodeModelSource(from));
  // Long texts must tokenize in time: a backtracking pattern would hang every later run.
  await probeTokenizerInThread(info);
  const dtypes = pickDtypes(info.dtypes, opts.dtypes, from);

  const weights = TOWERS.flatMap((tower) =>
    dtypes[tower].map((dtype) => ({ tower, path: onnxPath(tower, dtype) })),
  );
  for (const { tower, path } of weights) {
    await checkOnnxTower(join(from, path), tower, `${path} in ${from}`, info.family);
    report?.fileDone(path, `a ${familyById(info.family).name} ${tower} tower`);
  }

  const paths = [...CONFIG_FILES, ...weights.map((w) => w.path)];
  const ready = join(opts.cacheDir, `${opts.id}.from-${process.pid}`);
  await rm(ready, { recursive: true, force: true });
  try {
    const files: InstalledFile[] = [];
    for (const path of paths) {
      const dest = join(ready, path);
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(join(from, path), dest);
      // copyFile keeps the source's mode; a read-only source must not make the install read-only.
      await chmod(dest, 0o644);
      // Hash the copy, not the source: the copy is what gets served.
      const digest = await digestFile(dest);
      files.push({ path, size: digest.size, sha256: digest.sha256 });
    }
    // The combined graph (a SigLIP calibration's source) is not copied: keep what it said.
    const notes = notesOf(info, from);
    if (notes) {
      const dest = join(ready, MODEL_NOTES_FILE);
      await writeFile(dest, `${JSON.stringify(notes, null, 2)}\n`);
      const digest = await digestFile(dest);
      files.push({ path: MODEL_NOTES_FILE, size: digest.size, sha256: digest.sha256 });
    }
    const entry: ModelEntry = {
      id: opts.id,
      name: opts.name ?? info.id ?? opts.id,
      dtypes: dtypesOf(files),
      files,
    };
    await commitInstall(ready, opts.modelsDir, entry);
    const total = files.reduce((sum, f) => sum + f.size, 0);
    report?.info(`Copied ${files.length} files (${megabytes(total)}) from ${from}`);
    return entry;
  } finally {
    await rm(ready, { recursive: true, force: true });
  }
}

/** mumic-model.json for the copy: what the folder's notes or combined graph said. */
function notesOf(info: ModelInfo, from: string): Record<string, unknown> | undefined {
  const { logitScale, logitBias, source } = info.calibration;
  const notes: Record<string, unknown> = {};
  if (logitScale !== undefined && logitBias !== undefined) {
    const where =
      source.includes(' in /') || !source.startsWith('onnx/') ? source : `${source} in ${from}`;
    notes['calibration'] = { logit_scale: logitScale, logit_bias: logitBias, source: where };
  }
  if (info.dtypeOrder) notes['dtypes'] = info.dtypeOrder;
  if (info.purpose !== undefined) notes['purpose'] = info.purpose;
  return Object.keys(notes).length > 0 ? notes : undefined;
}

function pickDtypes(
  present: Record<Tower, Dtype[]>,
  wanted: readonly Dtype[] | undefined,
  from: string,
): Record<Tower, Dtype[]> {
  if (wanted === undefined) return present;
  for (const tower of TOWERS) {
    const missing = wanted.find((d) => !present[tower].includes(d));
    if (missing !== undefined) {
      throw new MumicError(
        'ModelDtypeUnavailable',
        `${onnxPath(tower, missing)} is missing from ${from} (${tower} dtypes there: ${present[tower].join(', ')})`,
      );
    }
  }
  return {
    vision: present.vision.filter((d) => wanted.includes(d)),
    text: present.text.filter((d) => wanted.includes(d)),
  };
}
