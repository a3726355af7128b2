// The pinned default model, manifest parsing, and the ONNX interface check's fallback reader.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { checkOnnxTower } from '../../scripts/check-onnx-tower.ts';
import { fileUrl } from '../../scripts/install-hub-model.ts';
import {
  availableDtypes,
  filesFor,
  loadManifest,
  parseDtypes,
  parseManifest,
} from '../../scripts/model-manifest.ts';
import { readGraphIo } from '../../scripts/onnx-graph-io.ts';
import { FIXTURE_DIR } from '../fixture.ts';
import { FILES } from './hub-server.ts';

const create = vi.hoisted(() => ({ fail: undefined as string | undefined }));
// Lets a case make onnxruntime refuse a file the way its CPU build refuses fp16-only graphs.
vi.mock('onnxruntime-node', async (importOriginal) => {
  const ort = await importOriginal<typeof import('onnxruntime-node')>();
  return {
    ...ort,
    InferenceSession: {
      create: (...args: Parameters<typeof ort.InferenceSession.create>) =>
        create.fail === undefined
          ? ort.InferenceSession.create(...args)
          : Promise.reject(new Error(create.fail)),
    },
  };
});

describe('scripts/default-model.json', () => {
  it('pins every file of Xenova/clip-vit-base-patch32 to one commit', async () => {
    const m = await loadManifest();
    expect(m).toMatchObject({
      id: 'clip-vit-base-patch32',
      repo: 'Xenova/clip-vit-base-patch32',
      revision: 'd15189d7028b43f1d3e65039190477f6af591c2a',
      defaultDtypes: ['q8', 'q4', 'q4f16'],
    });
    for (const f of m.files) {
      expect(f.size, f.path).toBeGreaterThan(0);
      expect(f.sha256, f.path).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(availableDtypes(m)).toEqual(['fp32', 'fp16', 'q8', 'q4', 'q4f16']);
    // The sizes docs/MODELS.md quotes.
    const mb = (dtypes: Parameters<typeof parseDtypes>[0]): number =>
      Math.round(
        filesFor(m, parseDtypes(dtypes, availableDtypes(m))).reduce(
          (s, f) => s + (f.size ?? 0),
          0,
        ) / 1e5,
      ) / 10;
    expect(mb('q8,q4,q4f16')).toBe(471.0);
    expect(mb('q8')).toBe(155.9);
    expect(mb('all')).toBe(1380.2);
  });

  it('builds Hub URLs as <endpoint>/<repo>/resolve/<revision>/<path>', () => {
    expect(fileUrl('https://hub.example/', 'org/m', 'abc', 'onnx/a b.onnx')).toBe(
      'https://hub.example/org/m/resolve/abc/onnx/a%20b.onnx',
    );
  });
});

describe('manifest parsing', () => {
  const base = {
    id: 'm',
    repo: 'org/m',
    revision: 'f'.repeat(40),
    defaultDtypes: ['q8'],
    files: FILES.map((path) => ({ path, size: 1, sha256: '0'.repeat(64) })),
  };

  it('rejects a branch name, an escaping path, and defaults it cannot install', () => {
    expect(() => parseManifest({ ...base, revision: 'main' }, 'x')).toThrow(/full 40-hex commit/);
    expect(() =>
      parseManifest(
        { ...base, files: [...base.files, { path: '../x', size: 1, sha256: null }] },
        'x',
      ),
    ).toThrow(/relative path inside the repo/);
    expect(() => parseManifest({ ...base, defaultDtypes: ['q4'] }, 'x')).toThrow(
      /lists no onnx\/vision_model_q4\.onnx \(dtypes available: q8\)/,
    );
    expect(parseManifest(base, 'x').name).toBe('m');
  });

  it('parses --dtypes', () => {
    expect(parseDtypes('q4f16, q8', [])).toEqual(['q8', 'q4f16']);
    expect(parseDtypes('all', ['fp32', 'q8'])).toEqual(['fp32', 'q8']);
    expect(() => parseDtypes('int3', [])).toThrow(/unknown dtype "int3"/);
  });
});

describe('ONNX interface check', () => {
  const onnx = (name: string): string => join(FIXTURE_DIR, 'onnx', name);

  it('reads graph inputs and outputs from the protobuf as onnxruntime reports them', async () => {
    expect(await readGraphIo(onnx('vision_model_q4.onnx'))).toEqual({
      inputs: ['pixel_values'],
      outputs: ['image_embeds', 'last_hidden_state'],
    });
    expect(await readGraphIo(onnx('text_model.onnx'))).toEqual({
      inputs: ['input_ids', 'attention_mask'],
      outputs: ['text_embeds', 'last_hidden_state'],
    });
  });

  it('still checks a graph the CPU build has no kernel for, from the file itself', async () => {
    create.fail =
      '[ONNXRuntimeError] : 9 : NOT_IMPLEMENTED : Could not find an implementation for X';
    try {
      await expect(checkOnnxTower(onnx('text_model.onnx'), 'text', 't')).resolves.toBeUndefined();
      await expect(checkOnnxTower(onnx('text_model.onnx'), 'vision', 'v.onnx')).rejects.toThrow(
        /v\.onnx is not a CLIP vision tower/,
      );
      // Any other failure is a broken file.
      create.fail = 'Load model failed: Protobuf parsing failed.';
      await expect(checkOnnxTower(onnx('text_model.onnx'), 'text', 't.onnx')).rejects.toThrow(
        /t\.onnx is not a loadable ONNX model: Load model failed/,
      );
    } finally {
      create.fail = undefined;
    }
  });
});
