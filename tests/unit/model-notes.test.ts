// mumic-model.json: a catalogue entry's calibration and per-backend dtypes, beside the HF files.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import { chooseDtype } from '../../src/core/model-files.ts';
import { loadModelFolder } from '../../src/core/model-folder.ts';
import { parseModelNotes } from '../../src/core/model-notes.ts';
import { resolveDtypes } from '../../src/runtime/resolve-dtypes.ts';
import { SIGLIP_DIR } from '../family-fixtures.ts';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** siglip-tiny without its combined graph, as `npm run models` installs a SigLIP model. */
function splitTowersOnly(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mumic-notes-'));
  temps.push(dir);
  cpSync(SIGLIP_DIR, dir, {
    recursive: true,
    filter: (src) => !src.endsWith('model.onnx') || /_model/.test(src),
  });
  return dir;
}

describe('mumic-model.json', () => {
  it('gives a SigLIP folder without its combined graph its calibration, source recorded', async () => {
    const dir = splitTowersOnly();
    await expect(loadModelFolder(new NodeModelSource(dir))).rejects.toMatchObject({
      name: 'ModelFileMissing',
      message: expect.stringMatching(/logit_scale and logit_bias[^]*mumic-model\.json/),
    });
    const source = 'catalogue entry (public values, not verified here)';
    writeFileSync(
      join(dir, 'mumic-model.json'),
      JSON.stringify({
        calibration: { logit_scale: Math.log(117.330795), logit_bias: -12.932437, source },
        dtypes: { cpu: { vision: ['fp32'], text: ['q8', 'fp32'] } },
        purpose: 'test',
      }),
    );
    const info = await loadModelFolder(new NodeModelSource(dir));
    expect(info.calibration.source).toBe(source);
    expect(1 / info.calibration.temperature).toBeCloseTo(117.330795, 4);
    expect(info.calibration.bias).toBeCloseTo(12.932437 / 117.330795, 8);
    // The model's own dtype order wins over the backend default (q8 first on CPU).
    expect(resolveDtypes(info, 'node', undefined)).toEqual({ vision: 'fp32', text: 'q8' });
    expect(info.purpose).toBe('test');
  });

  it('--from keeps a SigLIP calibration that only the uncopied combined graph had', async () => {
    const { installLocalModel } = await import('../../scripts/install-local-model.ts');
    const root = mkdtempSync(join(tmpdir(), 'mumic-from-'));
    temps.push(root);
    const modelsDir = join(root, 'models');
    await installLocalModel({
      from: SIGLIP_DIR,
      id: 'siglip-tiny',
      dtypes: ['q8'],
      modelsDir,
      cacheDir: join(root, 'cache'),
    });
    const copy = await loadModelFolder(new NodeModelSource(join(modelsDir, 'siglip-tiny')));
    const original = await loadModelFolder(new NodeModelSource(SIGLIP_DIR));
    expect(copy.calibration.temperature).toBe(original.calibration.temperature);
    expect(copy.calibration.bias).toBe(original.calibration.bias);
    expect(copy.calibration.source).toMatch(/^onnx\/model\.onnx initializers .* in \//);
  });

  it('refuses malformed notes, naming the file', () => {
    expect(() => parseModelNotes({ calibration: { logit_scale: 'x' } })).toThrow(/calibration/);
    expect(() => parseModelNotes({ dtypes: { cpu: { vision: ['int3'] } } })).toThrow(/dtypes/);
  });

  it('an order only narrows what the backend can run', () => {
    const all = ['fp32', 'fp16', 'q8'] as const;
    expect(chooseDtype('webgpu', all, { shaderF16: false, order: ['fp16', 'fp32'] })).toBe('fp32');
  });
});
