// `npm run models -- --model ID` for every catalogue entry, against a local server in the Hub's
// layout (/<repo>/resolve/<revision>/<path>). Real weights cannot be fetched here, so the server
// sends fixture files (clip-tiny for CLIP-family entries, siglip-tiny for SigLIP) and the test
// catalogue pins their hashes wherever the real entry pins one: what is tested is each entry's
// file list, dtypes, trust rules, notes and family, through the installer the real entries use.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE_DIR, loadCatalogue } from '../../scripts/catalogue.ts';
import { DEFAULT_MANIFEST, filesFor, type ModelManifest } from '../../scripts/model-manifest.ts';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import { loadModelFolder } from '../../src/core/model-folder.ts';
import { SIGLIP_DIR } from '../family-fixtures.ts';
import { FIXTURE_DIR } from '../fixture.ts';
import { runModels } from '../models-cli-io.ts';

const root = mkdtempSync(join(tmpdir(), 'mumic-catalogue-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const real = await loadCatalogue();
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The fixture file served for a catalogue path (a dtype the fixture lacks gets its fp32 file). */
function fixtureBytes(entry: ModelManifest, path: string): Buffer {
  const dir = entry.repo.includes('siglip') ? SIGLIP_DIR : FIXTURE_DIR;
  const file = join(dir, path);
  return readFileSync(existsSync(file) ? file : file.replace(/_(fp16|q4f16|q4)\.onnx$/, '.onnx'));
}

const served = new Map<string, Buffer>();
let server: Server;
let endpoint = '';
const testCatalogue = { dir: '', defaultManifest: '' };

beforeAll(async () => {
  const dir = join(root, 'catalogue');
  mkdirSync(dir);
  for (const [i, entry] of real.entries()) {
    const files = entry.files.map((f) => {
      const bytes = fixtureBytes(entry, f.path);
      served.set(`/${entry.repo}/resolve/${entry.revision}/${f.path}`, bytes);
      // Pinned where the real entry pins; unknown where it does not (so the trust rules hold).
      return f.sha256 === null
        ? { path: f.path, size: null, sha256: null }
        : { path: f.path, size: bytes.length, sha256: sha256(bytes) };
    });
    const json = {
      ...entry,
      revision: entry.revisionPinned ? entry.revision : null,
      files,
    };
    const file = join(i === 0 ? root : dir, `${entry.id}.json`);
    writeFileSync(file, JSON.stringify(json));
    // The default is listed first from its own file; the rest from the folder.
    if (i === 0) testCatalogue.defaultManifest = file;
  }
  testCatalogue.dir = dir;
  server = createServer((req, res) => {
    const body = served.get(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!body) return void res.writeHead(404).end('Entry not found');
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
});
afterAll(() => new Promise((done) => server.close(done)));

const modelsDir = join(root, 'models');
const models = (...args: string[]) =>
  runModels(
    [
      ...args,
      '--models-dir',
      modelsDir,
      '--cache-dir',
      join(root, 'cache'),
      '--endpoint',
      endpoint,
    ],
    root,
    { catalogue: testCatalogue },
  );

describe('the real catalogue', () => {
  it('has the default first and the promised models, each parsed and with a purpose', () => {
    expect(real.map((m) => m.id)).toEqual([
      'clip-vit-base-patch32',
      'clip-vit-base-patch16',
      'mobileclip-s0',
      'mobileclip-s2',
      'siglip-base-patch16-224',
    ]);
    for (const m of real) expect(m.purpose, m.id).toBeTruthy();
    expect(DEFAULT_MANIFEST).toMatch(/default-model\.json$/);
    expect(CATALOGUE_DIR).toMatch(/catalogue$/);
  });
});

describe.each(real.map((m) => m.id))('npm run models -- --model %s', (id) => {
  it('installs from the Hub layout, refusing unverifiable files without --trust-on-first-use', async () => {
    const entry = real.find((m) => m.id === id) as ModelManifest;
    const needsTrust =
      !entry.revisionPinned || filesFor(entry, entry.defaultDtypes).some((f) => f.sha256 === null);
    let run = await models('--model', id);
    if (needsTrust) {
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/--trust-on-first-use/);
      run = await models('--model', id, '--trust-on-first-use');
      expect(run.out).toMatch(/NOT VERIFIED \(trusted on first use\)/);
    }
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const info = await loadModelFolder(new NodeModelSource(join(modelsDir, id)));
    expect(info.family).toBe(id.startsWith('siglip') ? 'siglip' : 'clip');
    if (entry.notes) expect(existsSync(join(modelsDir, id, 'mumic-model.json'))).toBe(true);
    if (id.startsWith('siglip')) expect(info.calibration.source).toMatch(/catalogue entry/);
    if (id.startsWith('mobileclip')) expect(info.dtypeOrder?.cpu?.vision).not.toContain('q8');
    expect((await models('--list')).out).toMatch(new RegExp(`^${id} \\[[^\\]]*installed`, 'm'));
  });
});

describe('the mumic CLI with an installed id', () => {
  it('classifies with --model siglip-base-patch16-224 (the installed folder, its calibration)', async () => {
    const labels = join(root, 'labels.json');
    writeFileSync(labels, JSON.stringify({ version: 1, labels: [{ name: 'sea view' }] }));
    const cli = join(import.meta.dirname, '..', '..', 'bin', 'mumic.js');
    const { stdout } = await promisify(execFile)(
      cli,
      ['classify', '--model', 'siglip-base-patch16-224', '--labels', labels, '--threshold', '0'],
      { env: { ...process.env, MUMIC_MODELS_DIR: modelsDir } },
    ).catch((e: { stdout: string; stderr: string }) => {
      throw new Error(e.stderr);
    });
    expect(stdout).toBe(''); // no images given: nothing to print, but the model loaded
  });
});
