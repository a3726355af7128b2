// A tower's session is created while the browser stores its file (readThenStore), and a file that
// could not be stored still fails the load, its session released (src/runtime/clip-encoder.ts).
import { describe, expect, it, vi } from 'vitest';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import { MumicError } from '../../src/core/errors.ts';
import { loadModelFolder } from '../../src/core/model-folder.ts';
import type { ModelSource } from '../../src/core/types.ts';
import { ClipEncoder } from '../../src/runtime/clip-encoder.ts';
import type { InferenceSession, OrtApi } from '../../src/runtime/ort-types.ts';
import { FIXTURE_DIR } from '../fixture.ts';
import { FakeTensor } from './fake-tensor.ts';

function fakeOrt(dim: number, log: string[]): OrtApi {
  const session = {
    inputNames: ['input_ids', 'attention_mask'],
    outputNames: ['text_embeds'],
    inputMetadata: [],
    run: () => {
      const data = new Float32Array(dim);
      return Promise.resolve({
        text_embeds: { dims: [1, dim], type: 'float32', getData: () => data },
      });
    },
    release: () => {
      log.push('release');
      return Promise.resolve();
    },
  } as unknown as InferenceSession;
  return {
    InferenceSession: {
      create: () => {
        log.push('create');
        return Promise.resolve(session);
      },
    },
    Tensor: FakeTensor,
  } as unknown as OrtApi;
}

/** The fixture folder, its files stored only when `store` settles. */
function storingSource(base: ModelSource, store: Promise<void>, log: string[]): ModelSource {
  return {
    location: base.location,
    read: (path, onProgress) => base.read(path, onProgress),
    exists: (path) => base.exists(path),
    readThenStore: async (path, onProgress) => ({
      bytes: await base.read(path, onProgress),
      stored: store.then(() => void log.push('stored')),
    }),
  };
}

async function encoderWith(store: Promise<void>, log: string[]): Promise<ClipEncoder> {
  const base = new NodeModelSource(FIXTURE_DIR);
  const model = await loadModelFolder(base);
  return new ClipEncoder({
    ort: fakeOrt(model.projectionDim, log),
    source: storingSource(base, store, log),
    model,
    backend: 'wasm',
    dtypes: { vision: 'fp32', text: 'fp32' },
    sessionOptions: {},
  });
}

describe('a session created beside its file being stored', () => {
  it('creates the session before the store ends, and is ready only once it has', async () => {
    const log: string[] = [];
    let stored = (): void => undefined;
    const encoder = await encoderWith(new Promise((resolve) => (stored = resolve)), log);
    let ready = false;
    const session = encoder.session('text').then((s) => ((ready = true), s));
    await vi.waitFor(() => expect(log).toEqual(['create']));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ready).toBe(false);
    stored();
    await session;
    expect(log).toEqual(['create', 'stored']);
  });

  it('a file that could not be stored fails the load, by name, and releases its session', async () => {
    const log: string[] = [];
    const full = new MumicError('StorageQuotaExceeded', 'could not store the text tower');
    const store = Promise.reject(full);
    store.catch(() => undefined); // handled by the encoder, later
    const encoder = await encoderWith(store, log);
    await expect(encoder.session('text')).rejects.toMatchObject({ name: 'StorageQuotaExceeded' });
    expect(log).toEqual(['create', 'release']);
  });
});
