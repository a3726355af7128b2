// onnxruntime-web (one WASM instance, asyncify) takes one async operation at a time: a session
// created while another session runs hung the worker (the text tower preloaded while a WebGPU
// batch ran). Every encoder on one runtime shares one queue for create, warm-up, run and release.
import { describe, expect, it } from 'vitest';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import { loadModelFolder } from '../../src/core/model-folder.ts';
import { ClipEncoder } from '../../src/runtime/clip-encoder.ts';
import type { InferenceSession, OrtApi } from '../../src/runtime/ort-types.ts';
import { SerialQueue } from '../../src/runtime/serial-queue.ts';
import { FIXTURE_DIR } from '../fixture.ts';
import { FakeTensor } from './fake-tensor.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** A fake runtime that records how many of its async operations overlap. */
function fakeOrt(dim: number) {
  const log = { active: 0, most: 0, calls: [] as string[] };
  const enter = async <T>(what: string, result: () => T): Promise<T> => {
    log.calls.push(what);
    log.most = Math.max(log.most, ++log.active);
    await tick();
    await tick();
    log.active--;
    return result();
  };
  const session = (input: string, output: string): InferenceSession =>
    ({
      inputNames: [input],
      outputNames: [output],
      inputMetadata: [],
      run: (feeds: Record<string, { dims: readonly number[] }>) =>
        enter(`run:${input}`, () => {
          const batch = Object.values(feeds)[0]?.dims[0] ?? 1;
          const data = new Float32Array(batch * dim);
          return { [output]: { dims: [batch, dim], type: 'float32', getData: () => data } };
        }),
      release: () => enter(`release:${input}`, () => undefined),
    }) as unknown as InferenceSession;
  let created = 0;
  const ort = {
    InferenceSession: {
      create: () =>
        enter('create', () =>
          created++ === 0
            ? session('pixel_values', 'image_embeds')
            : session('input_ids', 'text_embeds'),
        ),
    },
    Tensor: FakeTensor,
  } as unknown as OrtApi;
  return { ort, log };
}

describe('one queue per onnxruntime instance', () => {
  it('never overlaps a session create, a run and a release, across encoders', async () => {
    const source = new NodeModelSource(FIXTURE_DIR);
    const model = await loadModelFolder(source);
    const { ort, log } = fakeOrt(model.projectionDim);
    const queue = new SerialQueue();
    const make = (backend: 'webgpu' | 'wasm') =>
      new ClipEncoder({
        ort,
        source,
        model,
        backend,
        dtypes: { vision: 'fp32', text: 'fp32' },
        sessionOptions: {},
        queue,
      });
    const gpu = make('webgpu');
    await gpu.session('vision');
    const pixels = new Float32Array(2 * 3 * model.imageSize * model.imageSize);
    // A batch, the text tower preloading beside it, and another encoder's release.
    const other = make('wasm');
    await Promise.all([
      gpu.embedImages(pixels, 2),
      gpu.session('text'),
      gpu.embedImages(pixels, 2),
      other.release(),
    ]);
    await gpu.release();
    expect(log.calls).toContain('create');
    expect(log.calls.filter((c) => c.startsWith('release')).length).toBe(2);
    expect(log.most).toBe(1);
  });
});
