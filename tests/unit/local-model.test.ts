// Model folders chosen from disk (issue 5): the pure parts (where the model sits in the chosen
// folder, its id, the ONNX framing check, the manifest, the start-up choice) and how the worker's
// model cache serves a stored model from its manifest only, re-hashing it as it is read.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  mayBeModelFile,
  onnxFramingProblem,
  resolveModelFolder,
  sanitizeModelId,
  uniqueModelId,
} from '../../src/core/local-model-folder.ts';
import { parseLocalManifest, parseModelIndex } from '../../src/core/model-index.ts';
import { startModelId } from '../../src/ui/model-picker-state.ts';
import { SHA_HEADER, modelCacheFetch } from '../../src/worker/model-cache.ts';
import { FetchModelSource } from '../../src/worker/model-source-fetch.ts';
import { FIXTURE_DIR } from '../fixture.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const reader = (bytes: Uint8Array) => (offset: number, length: number) =>
  Promise.resolve(bytes.subarray(offset, offset + length));

describe('a chosen model folder', () => {
  const files = [
    'clip/config.json',
    'clip/preprocessor_config.json',
    'clip/tokenizer.json',
    'clip/tokenizer_config.json',
    'clip/onnx/vision_model_quantized.onnx',
    'clip/onnx/text_model.onnx',
    'clip/onnx/model.onnx',
    'clip/images/cat.jpg',
    'clip/README.md',
  ];

  it('is the folder of the shallowest config.json, with only the files the app reads', () => {
    const resolved = resolveModelFolder(files);
    expect(resolved.folderName).toBe('clip');
    expect([...resolved.files.keys()].sort()).toEqual([
      'config.json',
      'onnx/text_model.onnx',
      'onnx/vision_model_quantized.onnx',
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(resolved.files.get('onnx/text_model.onnx')).toBe('clip/onnx/text_model.onnx');
  });

  it('may sit deeper in the chosen folder, or carry no folder prefix at all', () => {
    const deeper = resolveModelFolder([
      'downloads/other/x/config.json',
      ...files.map((f) => `downloads/${f}`),
    ]);
    expect(deeper.folderName).toBe('clip');
    expect(deeper.files.get('tokenizer.json')).toBe('downloads/clip/tokenizer.json');
    const bare = resolveModelFolder(['config.json', 'onnx/text_model.onnx'], 'picked');
    expect(bare.folderName).toBe('picked');
    expect(bare.files.get('onnx/text_model.onnx')).toBe('onnx/text_model.onnx');
  });

  it('without config.json is refused by naming it', () => {
    expect(() => resolveModelFolder(['clip/tokenizer.json'])).toThrowError(
      expect.objectContaining({ name: 'ModelFileMissing' }) as Error,
    );
    expect(() => resolveModelFolder([])).toThrow(/config\.json is missing/);
  });

  it('sends only what may be model files from the page', () => {
    expect(files.filter(mayBeModelFile)).toEqual(files.slice(0, 6));
    expect(mayBeModelFile('a/b/onnx/vision_model_q4f16.onnx')).toBe(true);
    expect(mayBeModelFile('a/b/vision_model.onnx')).toBe(false);
    expect(mayBeModelFile('a/b/mumic-model.json')).toBe(true); // a catalogue entry's notes
  });

  it('gets an id from its folder name, made safe, and never one the server has', () => {
    expect(sanitizeModelId('My CLIP (ViT-B/32)')).toBe('my-clip-vit-b-32');
    expect(sanitizeModelId('..')).toBe('local-model');
    expect(sanitizeModelId('Ünïcode')).toBe('unicode');
    expect(sanitizeModelId('x'.repeat(100))).toHaveLength(64);
    expect(uniqueModelId('clip-tiny', new Set(['clip-tiny', 'clip-tiny-2']))).toBe('clip-tiny-3');
    expect(uniqueModelId('mine', new Set(['clip-tiny']))).toBe('mine');
  });
});

describe('the ONNX framing check', () => {
  it('passes every ONNX file of the fixture and catches each cut short', async () => {
    for (const name of ['vision_model.onnx', 'vision_model_quantized.onnx', 'text_model_q4.onnx']) {
      const bytes = new Uint8Array(readFileSync(join(FIXTURE_DIR, 'onnx', name)));
      expect(await onnxFramingProblem(bytes.length, reader(bytes)), name).toBeUndefined();
      for (const size of [bytes.length >> 1, bytes.length - 3, 100]) {
        const cut = bytes.subarray(0, size);
        expect(await onnxFramingProblem(size, reader(cut)), `${name} at ${size}`).toMatch(
          /^truncated: /,
        );
      }
    }
  });

  it('refuses empty files and text', async () => {
    expect(await onnxFramingProblem(0, reader(new Uint8Array()))).toBe('the file is empty');
    const text = new TextEncoder().encode('{"not": "onnx"}');
    expect(await onnxFramingProblem(text.length, reader(text))).toMatch(
      /not an ONNX model|truncated/,
    );
  });
});

describe('the manifest and the start-up choice', () => {
  const entry = {
    id: 'mine',
    name: 'openai/clip',
    dtypes: { vision: ['q8', 'bogus'], text: ['fp32'] },
    files: [
      { path: 'config.json', size: 3, sha256: 'a'.repeat(64) },
      { path: 'bad.json', size: 'x', sha256: 'a' },
    ],
    folder: 'My CLIP',
    storedAt: '2025-01-01T00:00:00.000Z',
  };

  it('keeps well-formed entries, and index.json readers see the same files', () => {
    const manifest = parseLocalManifest({ models: [entry, { id: 3 }], last: 'mine' });
    expect(manifest.last).toBe('mine');
    expect(manifest.models).toHaveLength(1);
    expect(manifest.models[0]?.dtypes).toEqual({ vision: ['q8'], text: ['fp32'] });
    expect(manifest.models[0]?.files.map((f) => f.path)).toEqual(['config.json']);
    expect(parseModelIndex(manifest).get('mine')?.get('config.json')?.size).toBe(3);
    expect(parseLocalManifest('garbage')).toEqual({ models: [], last: undefined });
  });

  it('prefers the URL, then the installed default, then the model chosen last', () => {
    const summary = (id: string) => ({
      id,
      name: id,
      folder: id,
      dtypes: { vision: [], text: [] },
      bytes: 1,
      storedAt: '',
    });
    const state = { local: [summary('a'), summary('b')], last: 'a', installed: [] };
    expect(startModelId('x', 'default', state)).toBe('x');
    expect(startModelId(undefined, 'default', state)).toBe('a');
    expect(startModelId(undefined, 'default', { ...state, last: undefined })).toBe('b');
    expect(startModelId(undefined, 'default', { ...state, installed: ['default'] })).toBe(
      'default',
    );
    expect(startModelId(undefined, 'default', { ...state, local: [] })).toBe('default');
    expect(startModelId(undefined, 'default', undefined)).toBe('default');
  });
});

describe('the model cache with a model chosen from disk', () => {
  const ORIGIN = 'https://app.example';
  const config = new TextEncoder().encode('{"model_type":"clip"}');

  function setup(stored: Uint8Array, listed: Uint8Array = stored) {
    const entries = new Map<string, Response>();
    const put = (url: string, body: Uint8Array, headers: Record<string, string> = {}) =>
      entries.set(url, new Response(body.slice(), { headers }));
    put(`${ORIGIN}/models/mine/config.json`, stored, { [SHA_HEADER]: sha(listed) });
    const manifest = {
      models: [
        {
          id: 'mine',
          name: 'mine',
          dtypes: { vision: ['q8'], text: ['q8'] },
          files: [{ path: 'config.json', size: listed.length, sha256: sha(listed) }],
          folder: 'My CLIP',
          storedAt: '',
        },
      ],
      last: 'mine',
    };
    put(`${ORIGIN}/models/local-models.json`, new TextEncoder().encode(JSON.stringify(manifest)));
    const cache = {
      match: (key: RequestInfo | URL) =>
        Promise.resolve(entries.get(String(key instanceof Request ? key.url : key))?.clone()),
      put: () => Promise.resolve(),
    } as unknown as Cache;
    const network = vi.fn(() => Promise.resolve(new Response('not found', { status: 404 })));
    const fetch = modelCacheFetch({
      fetch: network as unknown as typeof fetch,
      caches: { open: () => Promise.resolve(cache) } as unknown as CacheStorage,
      origin: ORIGIN,
    });
    const source = new FetchModelSource(`${ORIGIN}/models/mine/`, { fetch });
    /** Requests for the model's files that reached the network (index.json may). */
    const modelCalls = () =>
      network.mock.calls.filter((args: unknown[]) =>
        String((args[0] as Request).url ?? args[0]).includes('/models/mine/'),
      );
    return { source, modelCalls };
  }

  it('serves its stored files, checked against the manifest, without the network', async () => {
    const { source, modelCalls } = setup(config);
    expect(await source.read('config.json')).toEqual(config);
    expect(await source.exists('config.json')).toBe(true);
    expect(await source.exists('onnx/text_model_fp16.onnx')).toBe(false);
    expect(modelCalls()).toEqual([]);
  });

  it('fails by name when a stored copy no longer matches, or a file is gone', async () => {
    const damaged = config.slice();
    damaged[0] = 0x20;
    await expect(setup(damaged, config).source.read('config.json')).rejects.toMatchObject({
      name: 'ModelFileInvalid',
      message: expect.stringMatching(/config\.json of model mine is damaged.*"My CLIP" again/),
    });
    const { source, modelCalls } = setup(config);
    await expect(source.read('tokenizer.json')).rejects.toMatchObject({ name: 'ModelFileMissing' });
    expect(modelCalls()).toEqual([]);
  });
});
