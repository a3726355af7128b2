// `npm run models -- --from DIR --id ID`, `--list`, `--remove`, `--verify`, on copies of clip-tiny.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { afterInstall } from '../../scripts/after-install.ts';
import { runModels } from '../models-cli-io.ts';
import { readIndex } from '../../scripts/models-index.ts';
import { FIXTURE_DIR } from '../fixture.ts';

// The label-embedding hook is a no-op today; here it only has to be called, once, after listing.
vi.mock('../../scripts/after-install.ts', () => ({ afterInstall: vi.fn(async () => {}) }));

const JSON_FILES = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
];
const sha256 = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex');

let root: string;
let modelsDir: string;
let cacheDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mumic-models-local-'));
  modelsDir = join(root, 'models');
  cacheDir = join(root, 'cache');
  vi.mocked(afterInstall).mockClear();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A folder with the fixture's JSON files and the given ONNX files (fixture names → contents). */
function folder(onnx: Record<string, string | { from: string }>): string {
  const dir = join(root, 'source');
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const f of JSON_FILES) copyFileSync(join(FIXTURE_DIR, f), join(dir, f));
  for (const [name, content] of Object.entries(onnx)) {
    const dest = join(dir, 'onnx', name);
    if (typeof content === 'string') writeFileSync(dest, content);
    else copyFileSync(join(FIXTURE_DIR, 'onnx', content.from), dest);
  }
  return dir;
}

/** The fixture's int8 towers: a complete, small model. */
const Q8 = {
  'vision_model_quantized.onnx': { from: 'vision_model_quantized.onnx' },
  'text_model_quantized.onnx': { from: 'text_model_quantized.onnx' },
};

const run = (...args: string[]) =>
  runModels([...args, '--models-dir', modelsDir, '--cache-dir', cacheDir], root);

describe('npm run models -- --from', () => {
  it('validates, copies the files the app uses, and lists them in index.json', async () => {
    const { code, out, err } = await run('--from', FIXTURE_DIR, '--id', 'clip-tiny');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('Installed clip-tiny');

    const target = join(modelsDir, 'clip-tiny');
    expect(readdirSync(target).sort()).toEqual([...JSON_FILES, 'onnx'].sort());
    const [entry, ...others] = (await readIndex(modelsDir)).models;
    expect(others).toEqual([]);
    expect(entry?.id).toBe('clip-tiny');
    expect(entry?.dtypes).toEqual({ vision: ['fp32', 'q8', 'q4'], text: ['fp32', 'q8', 'q4'] });
    expect(entry?.files).toHaveLength(10);
    for (const file of entry?.files ?? []) {
      expect(file.sha256).toBe(sha256(join(FIXTURE_DIR, file.path)));
      expect(sha256(join(target, file.path))).toBe(file.sha256);
    }
    // The precompute hook runs once the model is in place and listed.
    expect(afterInstall).toHaveBeenCalledExactlyOnceWith(target, 'clip-tiny');
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('installs only the requested dtypes', async () => {
    const { code } = await run(
      '--from',
      FIXTURE_DIR,
      '--id',
      'tiny',
      '--dtypes',
      'q8',
      '--name',
      'Tiny',
    );
    expect(code).toBe(0);
    expect(readdirSync(join(modelsDir, 'tiny', 'onnx')).sort()).toEqual([
      'text_model_quantized.onnx',
      'vision_model_quantized.onnx',
    ]);
    const [entry] = (await readIndex(modelsDir)).models;
    expect(entry).toMatchObject({ name: 'Tiny', dtypes: { vision: ['q8'], text: ['q8'] } });
  });

  it('names a missing required file and installs nothing', async () => {
    const dir = folder(Q8);
    rmSync(join(dir, 'tokenizer.json'));
    const { code, err } = await run('--from', dir, '--id', 'broken');
    expect(code).toBe(1);
    expect(err).toContain('ModelFileMissing');
    expect(err).toContain(`tokenizer.json is missing from ${dir}`);
    expect(existsSync(join(modelsDir, 'broken'))).toBe(false);
    expect(afterInstall).not.toHaveBeenCalled();
  });

  it('names an ONNX file that is not a model', async () => {
    const dir = folder({ ...Q8, 'text_model_quantized.onnx': 'this is not an ONNX file\n' });
    const { code, err } = await run('--from', dir, '--id', 'broken');
    expect(code).toBe(1);
    expect(err).toContain(
      `ModelFileInvalid: onnx/text_model_quantized.onnx in ${dir} is not a loadable ONNX model`,
    );
    expect(existsSync(join(modelsDir, 'broken'))).toBe(false);
    expect((await readIndex(modelsDir)).models).toEqual([]);
  });

  it('names an ONNX file whose inputs and outputs are not the tower it claims to be', async () => {
    // A text tower saved under the vision tower's name: valid ONNX, wrong interface.
    const dir = folder({
      ...Q8,
      'vision_model_quantized.onnx': { from: 'text_model_quantized.onnx' },
    });
    const { code, err } = await run('--from', dir, '--id', 'broken');
    expect(code).toBe(1);
    expect(err).toContain(`onnx/vision_model_quantized.onnx in ${dir} is not a CLIP vision tower`);
    expect(err).toContain('found inputs [input_ids, attention_mask] and outputs [text_embeds');
    expect(existsSync(join(modelsDir, 'broken'))).toBe(false);
  });

  it('names a requested dtype the folder lacks', async () => {
    const { code, err } = await run('--from', folder(Q8), '--id', 'x', '--dtypes', 'q8,fp16');
    expect(code).toBe(1);
    expect(err).toContain('onnx/vision_model_fp16.onnx is missing from');
  });

  it('refuses an id that is not a plain folder name', async () => {
    const { code, err } = await run('--from', folder(Q8), '--id', '../escape');
    expect(code).toBe(1);
    expect(err).toContain('--id must be a plain folder name');
    expect(existsSync(join(root, 'escape'))).toBe(false);
  });
});

describe('npm run models -- --list / --remove / --verify', () => {
  it('lists, verifies, detects a corrupted file by name, and removes', async () => {
    expect((await run('--list')).out).toContain('No models installed yet');
    expect((await run('--from', folder(Q8), '--id', 'a')).code).toBe(0);
    expect((await run('--from', folder(Q8), '--id', 'b', '--name', 'Model B')).code).toBe(0);

    const list = await run('--list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^Catalogue .*\nclip-vit-base-patch32 \[default\]: /);
    const installed = list.out.slice(list.out.indexOf('\nInstalled in ') + 1);
    expect(installed.trim().split('\n').slice(1)).toEqual([
      expect.stringMatching(/^a: .*vision q8, text q8; 6 files, [\d.]+ MB, local folder\)$/),
      expect.stringMatching(/^b: Model B \(/),
    ]);

    expect(await run('--verify')).toMatchObject({ code: 0, err: '' });
    const damaged = join(modelsDir, 'a', 'onnx', 'vision_model_quantized.onnx');
    const bytes = readFileSync(damaged);
    bytes[100] = (bytes[100] ?? 0) ^ 1;
    writeFileSync(damaged, bytes);
    const verify = await run('--verify');
    expect(verify.code).toBe(1);
    expect(verify.err).toMatch(
      /^a\/onnx\/vision_model_quantized\.onnx: SHA-256 [0-9a-f]{64}, expected/,
    );
    expect((await run('--verify', '--id', 'b')).code).toBe(0);

    expect(await run('--remove', 'a')).toMatchObject({ code: 0 });
    expect(existsSync(join(modelsDir, 'a'))).toBe(false);
    expect((await readIndex(modelsDir)).models.map((m) => m.id)).toEqual(['b']);
    const unknown = await run('--remove', 'a');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no model "a"');
    expect(unknown.err).toContain('installed: b');
  });

  it('replaces an installed model of the same id', async () => {
    expect((await run('--from', FIXTURE_DIR, '--id', 'm')).code).toBe(0);
    expect((await run('--from', folder(Q8), '--id', 'm')).code).toBe(0);
    expect(readdirSync(join(modelsDir, 'm', 'onnx'))).toHaveLength(2);
    expect((await readIndex(modelsDir)).models).toHaveLength(1);
    expect(readdirSync(modelsDir).sort()).toEqual(['index.json', 'm']);
  });
});
