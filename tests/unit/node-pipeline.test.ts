// Issue 2 parity in Node: files → decode → preprocess → onnxruntime-node, against the PyTorch
// reference, through the same modules the CLI uses (and the CLI binary itself once).
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, type LoadedModel } from '../../src/cli/load-model.ts';
import { endPreparePool, preparePool } from '../../src/cli/prepare-thread.ts';
import { readImageFile } from '../../src/cli/read-image.ts';
import { embedImages } from '../../src/core/embed-images.ts';
import { createTokenizer } from '../../src/core/tokenize.ts';
import { FIXTURE_DIR, cosine, fixtureImage, reference } from '../fixture.ts';

const run = promisify(execFile);
const images = readdirSync(join(FIXTURE_DIR, 'images')).sort();
const texts = Object.keys(reference.texts);
const loaded: LoadedModel[] = [];
afterAll(() => Promise.all(loaded.map((m) => m.encoder.release())));

describe.each([
  { dtype: 'fp32', min: 0.9999 },
  { dtype: 'q8', min: 0.999 },
] as const)('$dtype embeddings match the reference', ({ dtype, min }) => {
  it('for every fixture image and text', async () => {
    const model = await loadModel(FIXTURE_DIR, dtype);
    loaded.push(model);
    const files = images.map(fixtureImage);
    const found = new Map<number, Float32Array>();
    for await (const outcomes of embedImages(files, {
      decode: readImageFile,
      processor: model.info.processor,
      embedder: model.encoder,
      dim: model.info.projectionDim,
      batchSize: 3,
    })) {
      for (const o of outcomes) {
        if ('error' in o) throw new Error(`${files[o.index]}: ${o.error.message}`);
        found.set(o.index, o.embedding);
      }
    }
    const report: string[] = [];
    images.forEach((name, i) => {
      const c = cosine(found.get(i) ?? [], reference.images[name]?.image_embeds ?? []);
      report.push(`${name} ${c.toFixed(6)}`);
      expect(c, name).toBeGreaterThanOrEqual(min);
    });

    const { json, config } = model.info.tokenizer;
    const tokens = createTokenizer(json, config, model.info.contextLength).encode(texts);
    const out = await model.encoder.embedTexts(tokens);
    const dim = model.info.projectionDim;
    texts.forEach((text, i) => {
      const ref = reference.texts[text];
      const ids = Array.from(tokens.inputIds.subarray(i * 77, (i + 1) * 77), Number);
      expect(ids, JSON.stringify(text)).toEqual(ref?.input_ids);
      const c = cosine(out.subarray(i * dim, (i + 1) * dim), ref?.text_embeds ?? []);
      report.push(`text ${JSON.stringify(text).slice(0, 24)} ${c.toFixed(6)}`);
      expect(c, text).toBeGreaterThanOrEqual(min);
    });
    console.log(`${dtype} cosine vs reference:\n  ${report.join('\n  ')}`);
  });
});

describe("a prepare thread's copy of the vision tower", () => {
  afterAll(() => endPreparePool());

  it('embeds a small photo as the model of the main thread does', async () => {
    const model = await loadModel(FIXTURE_DIR, 'q8');
    loaded.push(model);
    const { processor } = model.info;
    const embed = { dir: resolve(FIXTURE_DIR), dtype: model.encoder.dtypes.vision };
    const pool = preparePool();
    await pool.warmCopies(embed);
    const photo = [fixtureImage('chelsea.jpg')];
    const batch = await pool.prepare(photo, 0, processor, undefined, embed);
    expect(batch.embeddings?.length).toBe(model.info.projectionDim);
    const here = await model.encoder.embedImages(batch.pixels, 1);
    expect(cosine(batch.embeddings ?? [], here)).toBeGreaterThanOrEqual(0.99999);
    // Without `embed` (a large file, or before the copies are warm) only the pixels come back.
    expect((await pool.prepare(photo, 0, processor)).embeddings).toBeUndefined();
  });
});

describe('the mumic CLI', () => {
  const cli = join(import.meta.dirname, '..', '..', 'bin', 'mumic.js');

  it('embed prints one JSON line per image, errors included, and exits 1 on any failure', async () => {
    const args = [
      'embed',
      '--model',
      FIXTURE_DIR,
      '--dtype',
      'fp32',
      fixtureImage('chelsea.jpg'),
      '/no/such.png',
    ];
    const result = await run(cli, args).catch((e: { code: number; stdout: string }) => e);
    expect('code' in result ? result.code : 0).toBe(1);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    const c = cosine(
      lines[0]?.['embedding'] as number[],
      reference.images['chelsea.jpg']?.image_embeds ?? [],
    );
    expect(c).toBeGreaterThanOrEqual(0.9999);
    expect(lines[1]).toMatchObject({ file: '/no/such.png', error: { name: 'FileUnreadable' } });
  });

  it('a run of many small photos gives the same vectors with the copies allowed or not', async () => {
    const names = readdirSync(join(FIXTURE_DIR, 'images')).sort();
    // 21 paths (three times the fixture photos), all small, the copies loaded whatever the run's
    // size (MUMIC_EMBED_BESIDE=1). Whether they are warm in time for some of them is up to the
    // machine: that a copy embeds, and as the main thread's model does, is the test above; this
    // one is the CLI's switch changing no result, and its process ending cleanly with copies.
    const files = [...names, ...names, ...names].map((n) => fixtureImage(n));
    const embed = async (env: Record<string, string>) => {
      const args = ['embed', '--model', FIXTURE_DIR, '--dtype', 'q8', ...files];
      const { stdout } = await run(cli, args, { env: { ...process.env, ...env } });
      return stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { embedding: number[] }).embedding);
    };
    const [beside, alone] = await Promise.all([
      embed({ MUMIC_EMBED_BESIDE: '1' }),
      embed({ MUMIC_EMBED_BESIDE: '0' }),
    ]);
    expect(beside).toHaveLength(files.length);
    beside.forEach((v, i) => expect(cosine(v, alone[i] ?? [])).toBeGreaterThanOrEqual(0.99999));
  });

  it('embed-text prints the token ids and the embedding', async () => {
    const { stdout } = await run(cli, [
      'embed-text',
      '--model',
      FIXTURE_DIR,
      '--dtype',
      'fp32',
      'sea view',
    ]);
    const line = JSON.parse(stdout) as { text: string; input_ids: number[]; embedding: number[] };
    expect(line.input_ids).toEqual(reference.texts['sea view']?.input_ids);
    expect(
      cosine(line.embedding, reference.texts['sea view']?.text_embeds ?? []),
    ).toBeGreaterThanOrEqual(0.9999);
  });

  it('answers --help on every command', async () => {
    for (const command of ['embed', 'embed-text', 'classify', 'eval']) {
      const { stdout } = await run(cli, [command, '--help']);
      expect(stdout).toContain(`Usage: mumic ${command}`);
    }
  });

  it('names a missing model file', async () => {
    const result = await run(cli, ['embed', '--model', '/nonexistent-model', 'x.jpg']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect('code' in result ? result.code : 0).toBe(2);
    expect(result.stderr).toMatch(/ModelFileMissing.*config\.json/);
  });
});
