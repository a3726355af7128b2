import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import { chooseDtype, onnxPath } from '../../src/core/model-files.ts';
import { loadModelFolder } from '../../src/core/model-folder.ts';
import type { Backend, Dtype } from '../../src/core/types.ts';
import { FIXTURE_DIR } from '../fixture.ts';

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * A writable copy of the fixture's metadata. The ONNX files become empty placeholders: only
 * their presence matters here, and copying 26 MB per case would slow the suite for nothing.
 */
function copyFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mumic-model-'));
  temps.push(dir);
  mkdirSync(join(dir, 'onnx'));
  for (const file of readdirSync(FIXTURE_DIR)) {
    if (file.endsWith('.json')) {
      writeFileSync(join(dir, file), readFileSync(join(FIXTURE_DIR, file)));
    }
  }
  for (const file of readdirSync(join(FIXTURE_DIR, 'onnx'))) {
    writeFileSync(join(dir, 'onnx', file), '');
  }
  return dir;
}

const edit = (dir: string, file: string, change: (json: Record<string, unknown>) => void) => {
  const path = join(dir, file);
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  change(json);
  writeFileSync(path, JSON.stringify(json));
};

const remove = (dir: string, file: string) => unlinkSync(join(dir, file));

const failure = (name: string, ...parts: string[]) =>
  expect.objectContaining({
    name,
    message: expect.stringMatching(
      new RegExp(parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^]*')),
    ),
  });

describe('onnxPath', () => {
  it('names files as transformers.js does', () => {
    expect(onnxPath('vision', 'fp32')).toBe('onnx/vision_model.onnx');
    expect(onnxPath('vision', 'fp16')).toBe('onnx/vision_model_fp16.onnx');
    expect(onnxPath('text', 'q8')).toBe('onnx/text_model_quantized.onnx');
    expect(onnxPath('text', 'q4')).toBe('onnx/text_model_q4.onnx');
    expect(onnxPath('vision', 'q4f16')).toBe('onnx/vision_model_q4f16.onnx');
  });
});

describe('loadModelFolder', () => {
  it('reads the clip-tiny fixture', async () => {
    const info = await loadModelFolder(new NodeModelSource(FIXTURE_DIR));
    expect(info.projectionDim).toBe(32);
    expect(info.imageSize).toBe(224);
    expect(info.contextLength).toBe(77);
    expect(info.dtypes).toEqual({ vision: ['fp32', 'q8', 'q4'], text: ['fp32', 'q8', 'q4'] });
    expect(info.processor.cropHeight).toBe(224);
    expect(info.processor.resample).toBe(3);
    expect(info.tokenizer.config.pad_token).toBe('<|endoftext|>');
    expect(info.tokenizer.json).toHaveProperty('model.type', 'BPE');
  });

  it('reports progress per file and takes the id from the caller', async () => {
    const seen = new Map<string, number | undefined>();
    const info = await loadModelFolder(new NodeModelSource(FIXTURE_DIR), {
      id: 'clip-tiny',
      onProgress: (file, _loaded, total) => seen.set(file, total),
    });
    expect(info.id).toBe('clip-tiny');
    expect(seen.get('tokenizer.json')).toBeGreaterThan(1_000_000);
  });

  it.each(['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'])(
    'names a missing %s and the folder',
    async (file) => {
      const dir = copyFixture();
      remove(dir, file);
      await expect(loadModelFolder(new NodeModelSource(dir))).rejects.toEqual(
        failure('ModelFileMissing', file, dir),
      );
    },
  );

  it.each(['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'])(
    'names a corrupt %s',
    async (file) => {
      const dir = copyFixture();
      writeFileSync(join(dir, file), '{"truncated": ');
      await expect(loadModelFolder(new NodeModelSource(dir))).rejects.toEqual(
        failure('ModelFileInvalid', file, 'not valid JSON'),
      );
    },
  );

  it('names a tower with no weights at all', async () => {
    const dir = copyFixture();
    for (const dtype of ['fp32', 'q8', 'q4'] as const) remove(dir, onnxPath('vision', dtype));
    await expect(loadModelFolder(new NodeModelSource(dir))).rejects.toEqual(
      failure('ModelFileMissing', 'onnx/vision_model*.onnx', dir),
    );
  });

  it('lists only the dtypes present', async () => {
    const dir = copyFixture();
    remove(dir, onnxPath('text', 'q8'));
    const info = await loadModelFolder(new NodeModelSource(dir));
    expect(info.dtypes).toEqual({ vision: ['fp32', 'q8', 'q4'], text: ['fp32', 'q4'] });
  });

  it('names a key of the wrong shape', async () => {
    const dir = copyFixture();
    edit(dir, 'config.json', (c) => (c['projection_dim'] = '32'));
    await expect(loadModelFolder(new NodeModelSource(dir))).rejects.toEqual(
      failure('ModelFileInvalid', 'config.json', 'projection_dim'),
    );

    const dir2 = copyFixture();
    edit(dir2, 'preprocessor_config.json', (c) => (c['image_mean'] = [0.5]));
    await expect(loadModelFolder(new NodeModelSource(dir2))).rejects.toEqual(
      failure('ModelFileInvalid', 'preprocessor_config.json', 'image_mean', dir2),
    );

    const dir3 = copyFixture();
    edit(dir3, 'tokenizer.json', (t) => delete t['model']);
    await expect(loadModelFolder(new NodeModelSource(dir3))).rejects.toEqual(
      failure('ModelFileInvalid', 'tokenizer.json', 'model'),
    );

    const dir4 = copyFixture();
    edit(dir4, 'tokenizer_config.json', (t) => (t['pad_token'] = 7));
    await expect(loadModelFolder(new NodeModelSource(dir4))).rejects.toEqual(
      failure('ModelFileInvalid', 'tokenizer_config.json', 'pad_token'),
    );
  });

  it('applies the CLIP class defaults to keys a clip config.json omits', async () => {
    const dir = copyFixture();
    edit(dir, 'config.json', (c) => {
      delete (c['vision_config'] as Record<string, unknown>)['image_size'];
      delete (c['text_config'] as Record<string, unknown>)['max_position_embeddings'];
    });
    const info = await loadModelFolder(new NodeModelSource(dir));
    expect(info.imageSize).toBe(224);
    expect(info.contextLength).toBe(77);
    expect(info.projectionDim).toBe(32); // present keys always win
  });

  it('names the missing key when the model type has no standard defaults', async () => {
    const dir = copyFixture();
    edit(dir, 'config.json', (c) => {
      c['model_type'] = 'align';
      delete (c['text_config'] as Record<string, unknown>)['max_position_embeddings'];
    });
    await expect(loadModelFolder(new NodeModelSource(dir))).rejects.toEqual(
      failure('ModelFileInvalid', 'config.json', 'text_config.max_position_embeddings'),
    );
  });

  it('refuses a processor whose output size is not the tower input size', async () => {
    const dir = copyFixture();
    edit(dir, 'preprocessor_config.json', (c) => (c['crop_size'] = { height: 336, width: 336 }));
    await expect(loadModelFolder(new NodeModelSource(dir))).rejects.toEqual(
      failure('ModelFileInvalid', 'preprocessor_config.json', '336', 'image_size'),
    );
  });
});

describe('NodeModelSource', () => {
  it('reads bytes with progress, and names a missing file', async () => {
    const source = new NodeModelSource(FIXTURE_DIR);
    const calls: [number, number | undefined][] = [];
    const bytes = await source.read('config.json', (loaded, total) => calls.push([loaded, total]));
    expect(bytes.byteLength).toBeGreaterThan(0);
    expect(calls.at(-1)).toEqual([bytes.byteLength, bytes.byteLength]);
    expect(await source.exists('onnx/vision_model.onnx')).toBe(true);
    expect(await source.exists('onnx/vision_model_fp16.onnx')).toBe(false);
    expect(await source.exists('onnx')).toBe(false);
    await expect(source.read('nope.json')).rejects.toEqual(
      failure('ModelFileMissing', 'nope.json', FIXTURE_DIR),
    );
    await expect(source.read('../outside/config.json')).rejects.toEqual(
      expect.objectContaining({ name: 'InvalidArgument' }),
    );
  });
});

describe('chooseDtype', () => {
  const ALL: Dtype[] = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'];
  const FIXTURE: Dtype[] = ['fp32', 'q8', 'q4'];
  const table: [Backend, boolean, Dtype[], Dtype][] = [
    ['webgpu', true, ALL, 'fp16'],
    ['webgpu', true, ['fp32', 'q8', 'q4', 'q4f16'], 'q4f16'],
    ['webgpu', true, FIXTURE, 'q4'],
    ['webgpu', false, ALL, 'q4'],
    ['webgpu', false, ['fp32', 'fp16', 'q8'], 'fp32'],
    ['webgpu', false, ['q8', 'fp16'], 'q8'],
    ['webgpu', true, ['q8'], 'q8'],
    ['wasm', false, ALL, 'q8'],
    ['wasm', true, ['fp32', 'fp16', 'q4'], 'fp32'],
    ['wasm', false, ['q4', 'fp16'], 'q4'],
    ['wasm', false, ['q4f16'], 'q4f16'],
    ['node', false, ALL, 'q8'],
    ['node', false, FIXTURE, 'q8'],
    ['node', false, ['fp32', 'q4'], 'fp32'],
  ];
  it.each(table)('%s (shader-f16 %s) with %j picks %s', (backend, shaderF16, available, want) => {
    expect(chooseDtype(backend, available, { shaderF16 })).toBe(want);
  });

  it('honours an explicit dtype that exists, even one the backend would not pick', () => {
    expect(chooseDtype('wasm', FIXTURE, { shaderF16: false, explicit: 'fp32' })).toBe('fp32');
    expect(chooseDtype('webgpu', FIXTURE, { shaderF16: false, explicit: 'q8' })).toBe('q8');
  });

  it('names the file and the available dtypes for an explicit dtype that is missing', () => {
    expect(() =>
      chooseDtype('webgpu', FIXTURE, { shaderF16: true, explicit: 'fp16', tower: 'vision' }),
    ).toThrow(failure('ModelDtypeUnavailable', 'onnx/vision_model_fp16.onnx', 'fp32, q8, q4'));
  });

  it('explains when nothing the backend can run is there', () => {
    expect(() =>
      chooseDtype('webgpu', ['fp16', 'q4f16'], { shaderF16: false, tower: 'text' }),
    ).toThrow(failure('ModelDtypeUnavailable', 'shader-f16', 'fp16, q4f16'));
    expect(() => chooseDtype('wasm', [], { shaderF16: false })).toThrow(
      failure('ModelDtypeUnavailable', 'none'),
    );
  });
});
