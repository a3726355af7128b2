// A hasher whose WebAssembly cannot start fails by name, as the model's fault to load, never as
// the file's: a folder's model file was reported unreadable for it.
import { describe, expect, test, vi } from 'vitest';
import { hashBlob } from '../../src/worker/local-model-source.ts';

vi.mock('hash-wasm', () => ({
  createSHA256: () => Promise.reject(new Error('WebAssembly.instantiate(): out of memory')),
}));

describe('Sha256.create', () => {
  test('a hasher that cannot start is ModelLoadFailed, with its reason', async () => {
    const error = await hashBlob(new Blob(['x']), 'onnx/vision_model.onnx', 'my-model').catch(
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ name: 'ModelLoadFailed' });
    expect((error as Error).message).toContain('out of memory');
    expect((error as Error).message).not.toContain('could not be read');
  });
});
