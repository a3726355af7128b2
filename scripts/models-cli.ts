// The `npm run models` command line: argument parsing, dispatch, and messages that say what to do.
import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MumicError } from '../src/core/errors.ts';
import { megabytes, UnreachableError } from './download-file.ts';
import { DEFAULT_ENDPOINT, installHubModel } from './install-hub-model.ts';
import { isInstalled, listModels, removeModel, verifyModels } from './manage-models.ts';
import { catalogueEntry, describeEntry, loadCatalogue } from './catalogue.ts';
import { availableDtypes, loadManifest, parseDtypes } from './model-manifest.ts';
import type { ModelEntry } from './models-index.ts';
import { createReporter, type Output } from './progress.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..');
export const DEFAULT_MODELS_DIR = resolve(REPO_ROOT, 'public', 'models');
/** Outside public/: Vite copies public/ into the build, and partial downloads must not ship. */
export const DEFAULT_CACHE_DIR = resolve(REPO_ROOT, '.cache', 'models');

export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** Test hooks: short timeouts instead of the 30 s stall limit and second-long backoffs. */
export interface CliTuning {
  download?: { stallTimeoutMs?: number; attempts?: number; backoffMs?: number };
  /** Another catalogue (folder of manifests) and default manifest. */
  catalogue?: { dir: string; defaultManifest: string };
}

const USAGE = `Usage:
  npm run models                         install the default model (CLIP ViT-B/32)
  npm run models -- --model ID           install a catalogue model (ids: see --list)
  npm run models -- --from DIR --id ID   install a local model folder (Hugging Face layout)
  npm run models -- --list               the catalogue (sizes, purpose) and the installed models
  npm run models -- --remove ID          delete an installed model
  npm run models -- --verify [--id ID]   re-hash installed files against index.json

Options:
  --dtypes LIST          weights to install, e.g. q8,q4,q4f16 (default for the hub model;
                         "all" for every one); with --from, default: all the folder has
  --endpoint URL         Hugging Face endpoint or mirror (default: $HF_ENDPOINT, else
                         ${DEFAULT_ENDPOINT})
  --manifest FILE        install another pinned model (default: scripts/default-model.json)
  --trust-on-first-use   accept files whose hash the manifest does not pin, and record it
  --if-missing           do nothing when the model is already installed
  --name NAME            display name for --from
  --models-dir DIR       where models go (default: public/models)
  --cache-dir DIR        partial downloads, kept for resuming (default: .cache/models)
`;

export async function runModelsCli(
  argv: readonly string[],
  io: CliIo = processIo(),
  tuning: CliTuning = {},
): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        model: { type: 'string' },
        id: { type: 'string' },
        name: { type: 'string' },
        dtypes: { type: 'string' },
        endpoint: { type: 'string' },
        manifest: { type: 'string' },
        'trust-on-first-use': { type: 'boolean' },
        'if-missing': { type: 'boolean' },
        'models-dir': { type: 'string' },
        'cache-dir': { type: 'string' },
        list: { type: 'boolean' },
        remove: { type: 'string' },
        verify: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    io.stderr.write(`npm run models: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const modes = [
    values.from !== undefined,
    values.model !== undefined || values.manifest !== undefined,
    values.list,
    values.remove !== undefined,
    values.verify,
  ];
  if (modes.filter(Boolean).length > 1 || (values.model && values.manifest)) {
    io.stderr.write(
      `npm run models: use one of --model (or --manifest), --from, --list, --remove, --verify\n\n${USAGE}`,
    );
    return 2;
  }
  if (values.from !== undefined && values.id === undefined) {
    io.stderr.write(
      `npm run models: --from needs --id ID (the folder name to install as)\n\n${USAGE}`,
    );
    return 2;
  }

  const modelsDir = resolve(io.cwd, values['models-dir'] ?? DEFAULT_MODELS_DIR);
  const cacheDir = resolve(io.cwd, values['cache-dir'] ?? DEFAULT_CACHE_DIR);
  const endpoint = (values.endpoint ?? io.env['HF_ENDPOINT'] ?? DEFAULT_ENDPOINT).replace(
    /\/+$/,
    '',
  );
  const report = createReporter(io.stdout);
  // Relative to where the user stands when that is shorter, as typed paths usually are.
  const shown = (dir: string): string => {
    const rel = relative(io.cwd, dir);
    return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dir : rel;
  };

  try {
    const catalogue = () => loadCatalogue(tuning.catalogue?.dir, tuning.catalogue?.defaultManifest);
    if (values.list) {
      const models = await listModels(modelsDir);
      const installed = new Set(models.map((m) => m.id));
      io.stdout.write(`Catalogue (install one with: npm run models -- --model ID):\n`);
      (await catalogue()).forEach((m, i) =>
        io.stdout.write(`${describeEntry(m, installed.has(m.id), i === 0).join('\n')}\n`),
      );
      io.stdout.write(`\nInstalled in ${shown(modelsDir)}:\n`);
      if (models.length === 0) {
        io.stdout.write(`No models installed yet. Install the default with: npm run models\n`);
      }
      for (const m of models) io.stdout.write(`${describe(m)}\n`);
      return 0;
    }
    if (values.remove !== undefined) {
      await removeModel(modelsDir, cacheDir, values.remove);
      io.stdout.write(`Removed ${values.remove} from ${shown(modelsDir)}\n`);
      return 0;
    }
    if (values.verify) {
      const problems = await verifyModels(modelsDir, values.id);
      for (const p of problems) io.stderr.write(`${p}\n`);
      if (problems.length > 0) {
        io.stderr.write(`Reinstall the model(s) named above (npm run models, or --from).\n`);
        return 1;
      }
      io.stdout.write(`All installed model files match index.json.\n`);
      return 0;
    }
    if (values.from !== undefined) {
      // Loaded lazily: onnxruntime is only needed to check a local folder's ONNX files.
      const { installLocalModel } = await import('./install-local-model.ts');
      const entry = await installLocalModel({
        from: resolve(io.cwd, values.from),
        id: values.id ?? '',
        name: values.name,
        dtypes:
          values.dtypes === undefined || values.dtypes.trim() === 'all'
            ? undefined
            : parseDtypes(values.dtypes, []),
        modelsDir,
        cacheDir,
        report,
      });
      io.stdout.write(`Installed ${describe(entry)} into ${shown(modelsDir)}/${entry.id}\n`);
      return 0;
    }

    const manifest =
      values.model !== undefined
        ? catalogueEntry(await catalogue(), values.model)
        : values.manifest !== undefined
          ? await loadManifest(resolve(io.cwd, values.manifest))
          : (await catalogue())[0];
    if (!manifest) throw new MumicError('InvalidArgument', 'the catalogue is empty');
    if (values['if-missing'] && (await isInstalled(modelsDir, manifest.id))) {
      io.stdout.write(`${manifest.id} is already installed in ${shown(modelsDir)}\n`);
      return 0;
    }
    const entry = await installHubModel({
      manifest,
      dtypes:
        values.dtypes === undefined
          ? undefined
          : parseDtypes(values.dtypes, availableDtypes(manifest)),
      endpoint,
      modelsDir,
      cacheDir,
      trustOnFirstUse: values['trust-on-first-use'],
      token: io.env['HF_TOKEN'] ?? io.env['HUGGING_FACE_HUB_TOKEN'],
      download: tuning.download,
      report,
    });
    io.stdout.write(`Installed ${describe(entry)} into ${shown(modelsDir)}/${entry.id}\n`);
    return 0;
  } catch (error) {
    report.close();
    io.stderr.write(failure(error, { endpoint, cacheDir: shown(cacheDir) }));
    return 1;
  }
}

function describe(m: ModelEntry): string {
  const size = m.files.reduce((sum, f) => sum + f.size, 0);
  const from = m.repo ? `, ${m.repo} at ${m.revision?.slice(0, 12) ?? '?'}` : ', local folder';
  const purpose = m.purpose ? ` - ${m.purpose}` : '';
  const towers = `vision ${m.dtypes.vision.join('/')}, text ${m.dtypes.text.join('/')}`;
  return `${m.id}: ${m.name} (${towers}; ${m.files.length} files, ${megabytes(size)}${from})${purpose}`;
}

/** The error, then what the user can do about it. */
function failure(error: unknown, ctx: { endpoint: string; cacheDir: string }): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UnreachableError) {
    return `npm run models: ${message}, so the model cannot be downloaded.
What to do:
  - Check the network connection and try again; downloaded parts are kept in ${ctx.cacheDir}
    and the download resumes where it stopped.
  - This installer connects directly (it does not read HTTP(S)_PROXY). To use a mirror, set
    HF_ENDPOINT=URL or pass --endpoint URL (now: ${ctx.endpoint}).
  - Or install a model folder you already have (Hugging Face layout, e.g. copied from another
    machine): npm run models -- --from DIR --id clip-vit-base-patch32
`;
  }
  const hint =
    error instanceof MumicError &&
    name === 'ModelFileInvalid' &&
    /verification|pinned/.test(message)
      ? '\nRun the command again to retry. If it fails the same way, something between you and the server alters the file, or the manifest pins the wrong file.'
      : '';
  return `npm run models: ${name}: ${message}${hint}\n`;
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
